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
