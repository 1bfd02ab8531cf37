//! GDAP customer discovery in the core: the Graph token is requested for the
//! cloud's Graph resource and sent only to the Graph host given; a page link to
//! any other origin is refused without contacting it.

mod core_support;

use core_support::*;
use exo_bridge::{list_customers, CancelToken, ExoResult, GraphClient, GraphOptions, Secret};
use serde_json::{json, Value};
use std::sync::Arc;

fn client(emu: &Emulator, graph: &str) -> GraphClient {
    let options = GraphOptions::from_json(
        &json!({"applicationId": emu.app(), "authorityHost": emu.url, "graphHost": graph, "maxRetries": 0})
            .to_string(),
    )
    .unwrap();
    GraphClient::new(
        options,
        Secret::new(emu.s("refreshToken")),
        Some(Secret::new(emu.s("clientSecret"))),
    )
}

#[test]
fn lists_the_customers_of_the_emulator_as_it_expects() {
    let emu = Emulator::start(&["--tenants", "3", "--mailboxes", "1"]);
    let listing = list_customers(&client(&emu, &emu.url), &Arc::new(CancelToken::new())).unwrap();
    let got: Value = serde_json::from_str(&listing.to_json()).unwrap();
    let want = &emu.start["graphCustomers"];
    assert_eq!(
        got["customers"].as_array().unwrap().len(),
        want.as_array().unwrap().len()
    );
    for (g, w) in got["customers"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want.as_array().unwrap())
    {
        for k in [
            "tenantId",
            "displayName",
            "defaultDomainName",
            "relationshipEndsUtc",
            "hasExchangeAdminRole",
            "hasGlobalAdminRole",
            "activeRelationships",
        ] {
            assert_eq!(g[k], w[k], "{k}");
        }
    }
    assert!(got["pages"].as_u64().unwrap() > 1);
}

#[test]
fn the_graph_token_never_leaves_the_graph_host() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1"]);
    // Another origin on this machine that would accept anything.
    let elsewhere = FakeServer::start(|_| FakeResponse::json(200, json!({"value": []})));
    let link = format!(
        "{}/v1.0/tenantRelationships/delegatedAdminRelationships?$skiptoken=x",
        elsewhere.url
    );
    let graph = FakeServer::start(move |_| {
        FakeResponse::json(200, json!({"value": [], "@odata.nextLink": link}))
    });
    let e = list_customers(&client(&emu, &graph.url), &Arc::new(CancelToken::new()))
        .err()
        .expect("a foreign page link is refused");
    assert_eq!(e.code, ExoResult::InsecureEndpoint);
    assert_eq!(e.reason.as_str(), "ForeignNextLink");
    assert_eq!(
        elsewhere.request_count(),
        0,
        "the other origin was never contacted"
    );
    let reqs = graph.requests.lock().unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "GET");
    assert!(
        reqs[0]
            .path
            .contains("%24filter=status%20eq%20%27active%27")
            || reqs[0].path.contains("$filter=status%20eq%20%27active%27"),
        "{}",
        reqs[0].path
    );
    assert!(reqs[0]
        .header("authorization")
        .unwrap()
        .starts_with("Bearer "));
    // The token was issued for Microsoft Graph, not for the host it was sent to.
    let tokens = &emu.stats()["tokens"];
    assert_eq!(tokens["issued"].as_u64(), Some(1));
    assert_no_secrets(&emu, &e);
}

#[test]
fn a_graph_403_says_what_to_do() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1", "--graph-forbidden"]);
    let e = list_customers(&client(&emu, &emu.url), &Arc::new(CancelToken::new()))
        .err()
        .unwrap();
    assert_eq!(e.code, ExoResult::Unauthorized);
    assert_eq!(e.reason.as_str(), "Forbidden");
    assert!(
        e.message.contains("Authorization_RequestDenied"),
        "{}",
        e.message
    );
    let v: Value = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(v["category"], "PermissionDenied");
    assert_eq!(v["httpStatus"], 403);
    assert!(v["recommendedAction"]
        .as_str()
        .unwrap()
        .contains("DelegatedAdminRelationship.Read.All"));
    assert_no_secrets(&emu, &e);
}

/// The bearer token of a request to the fake Graph.
fn bearer(r: &FakeRequest) -> String {
    r.header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string()
}

fn relationship(tenant: &str, id: &str, display_name: &str) -> Value {
    json!({
        "id": id, "status": "active", "endDateTime": "2027-01-01T00:00:00Z",
        "customer": {"tenantId": tenant, "displayName": display_name},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "29232cdf-9323-42fd-ade2-1d097af3e4de"}]}
    })
}

fn tenant(n: usize) -> String {
    format!("{n:08x}-0000-4000-8000-000000000000")
}

#[test]
fn a_graph_that_never_stops_listing_ends_with_an_error_at_the_bound() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1"]);
    // 1,000 relationships a page (of 5 tenants), and always a next page.
    let page: Arc<std::sync::OnceLock<String>> = Arc::default();
    let body = page.clone();
    let graph = FakeServer::start(move |_| FakeResponse {
        status: 200,
        headers: vec![],
        body: body.get().unwrap().clone(),
    });
    let rels: Vec<Value> = (0..1000)
        .map(|i| relationship(&tenant(i % 5), &format!("r-{i}"), "Org"))
        .collect();
    let next = format!(
        "{}/v1.0/tenantRelationships/delegatedAdminRelationships?$skiptoken=again",
        graph.url
    );
    page.set(json!({"value": rels, "@odata.nextLink": next}).to_string())
        .unwrap();
    let e = list_customers(&client(&emu, &graph.url), &Arc::new(CancelToken::new()))
        .err()
        .expect("the listing is refused past 100,000 relationships");
    assert_eq!(e.code, ExoResult::Internal);
    assert_eq!(e.reason.as_str(), "MalformedResponse");
    assert!(
        e.message
            .contains("more than 100000 GDAP relationships (page 101 would take"),
        "{}",
        e.message
    );
    let v: Value = serde_json::from_str(&e.to_json()).unwrap();
    assert!(v["recommendedAction"]
        .as_str()
        .unwrap()
        .contains("docs/PROTOCOL.md"));
    // 100 pages read, the 101st refused, no tenant looked up.
    assert_eq!(graph.request_count(), 101);
    assert_no_secrets(&emu, &e);
}

#[test]
fn an_echoed_token_reaches_no_customer_and_no_warning_and_warnings_are_bounded() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1"]);
    // 13 relationships without a tenant id whose id is the token sent; 24 customers whose
    // display name quotes it (raw, after "Bearer", split by a bidi control); Graph knows
    // only the even ones, whose default domain quotes it too; the odd ones answer 404
    // quoting it.
    let graph = FakeServer::start(|r| {
        let t = bearer(r);
        let split = format!("{}\u{202e}{}", &t[..t.len() / 2], &t[t.len() / 2..]);
        if r.path.contains("findTenantInformationByTenantId") {
            let n = (0..24).find(|n| r.path.contains(&tenant(*n))).unwrap();
            return if n % 2 == 0 {
                FakeResponse::json(
                    200,
                    json!({"tenantId": tenant(n), "defaultDomainName": format!("{t}.example.com")}),
                )
            } else {
                FakeResponse::json(
                    404,
                    json!({"error": {"code": "Request_ResourceNotFound", "message": format!("no tenant for Bearer {t}")}}),
                )
            };
        }
        let mut value: Vec<Value> = (0..13)
            .map(|i| json!({"id": if i % 2 == 0 { t.clone() } else { split.clone() }, "status": "active"}))
            .collect();
        let names = [
            t.clone(),
            format!("Authorization: Bearer {t}"),
            split.clone(),
        ];
        value.extend((0..24).map(|n| relationship(&tenant(n), "r", &names[n % 3])));
        FakeResponse::json(200, json!({"value": value}))
    });
    let c = client(&emu, &graph.url);
    let listing = list_customers(&c, &Arc::new(CancelToken::new())).unwrap();
    let json = listing.to_json();
    let sent: Vec<String> = graph.requests.lock().unwrap().iter().map(bearer).collect();
    assert!(sent.iter().all(|t| t.len() > 20), "{sent:?}");
    for t in sent.iter().map(String::as_str).chain([
        emu.s("refreshToken").as_str(),
        emu.s("clientSecret").as_str(),
    ]) {
        assert!(!json.contains(t), "a secret reached the listing: {json}");
    }
    let got: Value = serde_json::from_str(&json).unwrap();
    let customers = got["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 24);
    assert_eq!(customers[0]["displayName"], "<redacted>");
    assert_eq!(
        customers[1]["displayName"],
        "Authorization: Bearer <redacted>"
    );
    assert_eq!(customers[2]["displayName"], "<redacted>");
    assert_eq!(customers[0]["defaultDomainName"], "<redacted>.example.com");
    assert!(customers[1]["defaultDomainName"].is_null());
    // Ten of each kind, then one that counts the rest: 10 + 1 skipped, 10 + 1 unknown.
    let warnings: Vec<&str> = got["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 22, "{warnings:#?}");
    assert_eq!(
        warnings[0],
        "A GDAP relationship without a customer tenant id was skipped (id <redacted>)."
    );
    assert_eq!(
        warnings[10],
        "... and 3 more GDAP relationships without a customer tenant id were skipped (13 in all)."
    );
    assert!(warnings[11].contains(&tenant(1)), "{}", warnings[11]);
    assert!(
        warnings[21].starts_with("... and 2 more customers have no tenant information"),
        "{}",
        warnings[21]
    );
    assert_eq!(got["relationships"], 37);
}

#[test]
fn a_page_of_too_many_values_is_refused_before_it_is_built() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1"]);
    // 300,000 empty arrays (900 KB): cheap to send, gigabytes had it been 64 MB and built.
    let body = format!(r#"{{"value":[{}]}}"#, vec!["[]"; 300_000].join(","));
    let graph = FakeServer::start(move |_| FakeResponse {
        status: 200,
        headers: vec![],
        body: body.clone(),
    });
    let e = list_customers(&client(&emu, &graph.url), &Arc::new(CancelToken::new()))
        .err()
        .expect("the page is refused");
    assert_eq!(e.reason.as_str(), "MalformedResponse");
    assert!(
        e.message.contains("more than 250000 JSON values"),
        "{}",
        e.message
    );
    // Refused, not retried.
    assert_eq!(graph.request_count(), 1);
}
