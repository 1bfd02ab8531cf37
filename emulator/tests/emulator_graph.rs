//! Microsoft Graph on the emulator (issue 10): GDAP relationships paged and filtered, tenant
//! information, audience separation from Exchange, Graph's error shape, 403 / 429.

mod common;

use common::{Emulator, EXCHANGE_SCOPE};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
const EXCHANGE_ADMIN: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
const ACTIVE_FILTER: &str = "$filter=status eq 'active'";

fn graph_token(emu: &Emulator) -> String {
    let r = emu.redeem(
        &emu.partner_tenant(),
        &emu.application_id(),
        Some(&emu.client_secret()),
        &emu.refresh_token(),
        GRAPH_SCOPE,
    );
    assert_eq!(r.status, 200, "graph token: {}", r.text);
    r.json["access_token"].as_str().unwrap().to_string()
}

fn graph_get(emu: &Emulator, url: &str, token: Option<&str>) -> common::Reply {
    let full = if url.starts_with("http") {
        url.to_string()
    } else {
        format!("{}{}", emu.url, url)
    };
    let mut rb = emu
        .http
        .get(full)
        .header("client-request-id", "c0ffee00-0000-4000-8000-000000000001");
    if let Some(t) = token {
        rb = rb.header("Authorization", format!("Bearer {}", t));
    }
    let r = rb.send().expect("graph GET");
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let text = r.text().unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    common::Reply {
        status,
        headers,
        text,
        json,
    }
}

/// Every relationship of the listing, following nextLinks; also the number of pages.
fn list_all(emu: &Emulator, token: &str, query: &str) -> (Vec<Value>, usize) {
    let mut url = format!(
        "/v1.0/tenantRelationships/delegatedAdminRelationships{}",
        query
    );
    let mut rows = vec![];
    let mut pages = 0;
    loop {
        let r = graph_get(emu, &url, Some(token));
        assert_eq!(r.status, 200, "{}", r.text);
        pages += 1;
        rows.extend(r.json["value"].as_array().unwrap().iter().cloned());
        match r.json["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_string(),
            None => return (rows, pages),
        }
        assert!(pages < 100);
    }
}

fn assert_graph_error(r: &common::Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    let e = &r.json["error"];
    assert_eq!(e["code"], code, "{}", r.text);
    assert!(!e["message"].as_str().unwrap().is_empty());
    let inner = &e["innerError"];
    assert!(
        inner["request-id"].as_str().unwrap().len() == 36,
        "{}",
        r.text
    );
    assert!(inner["date"].is_string());
    assert_eq!(
        inner["client-request-id"],
        "c0ffee00-0000-4000-8000-000000000001"
    );
}

#[test]
fn active_relationships_page_and_match_the_expected_customers() {
    let emu = Emulator::start(&["--tenants", "4", "--mailboxes", "3"]);
    let tok = graph_token(&emu);
    emu.reset_stats();
    let (active, pages) = list_all(&emu, &tok, &format!("?{}", ACTIVE_FILTER));
    // 4 customers (+1 second relationship for the first) + 5 special tenants, 3 per page.
    assert_eq!(active.len(), 10);
    assert_eq!(pages, 4);
    for r in &active {
        assert_eq!(r["status"], "active");
        for k in [
            "id",
            "displayName",
            "duration",
            "autoExtendDuration",
            "endDateTime",
        ] {
            assert!(r[k].is_string(), "{} missing in {}", k, r);
        }
        assert!(r["customer"]["tenantId"].is_string());
        assert!(r["customer"]["displayName"].is_string());
        assert!(r["accessDetails"]["unifiedRoles"][0]["roleDefinitionId"].is_string());
    }
    // Without the filter: expired and pending ones too.
    let (all, _) = list_all(&emu, &tok, "");
    let statuses: BTreeSet<&str> = all.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        ["active", "approvalPending", "expired"]
            .into_iter()
            .collect()
    );
    // $top sets the page size.
    let (top, pages) = list_all(&emu, &tok, &format!("?{}&$top=4", ACTIVE_FILTER));
    assert_eq!((top.len(), pages), (10, 3));

    // Derive the customer list the way a client must and compare with the startup line.
    let mut by_tenant: BTreeMap<String, (String, String, bool, bool, usize)> = BTreeMap::new();
    let mut order = vec![];
    for r in &active {
        let t = r["customer"]["tenantId"].as_str().unwrap().to_string();
        let roles: Vec<&str> = r["accessDetails"]["unifiedRoles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["roleDefinitionId"].as_str().unwrap())
            .collect();
        let end = r["endDateTime"].as_str().unwrap().to_string();
        let e = by_tenant.entry(t.clone()).or_insert_with(|| {
            order.push(t.clone());
            (
                r["customer"]["displayName"].as_str().unwrap().to_string(),
                String::new(),
                false,
                false,
                0,
            )
        });
        if end > e.1 {
            e.1 = end;
        }
        e.2 |= roles.contains(&EXCHANGE_ADMIN);
        e.3 |= roles.contains(&GLOBAL_ADMIN);
        e.4 += 1;
    }
    let expected = emu.info["graphCustomers"].as_array().unwrap();
    assert_eq!(expected.len(), order.len());
    assert_eq!(expected.len(), 9, "4 customers + 5 special tenants");
    for (x, t) in expected.iter().zip(&order) {
        let (name, end, exo, ga, n) = &by_tenant[t];
        assert_eq!(x["tenantId"], t.as_str());
        assert_eq!(x["displayName"], name.as_str());
        assert_eq!(x["relationshipEndsUtc"], end.as_str());
        assert_eq!(x["hasExchangeAdminRole"], *exo);
        assert_eq!(x["hasGlobalAdminRole"], *ga);
        assert_eq!(x["activeRelationships"], *n as u64);
        // Tenant information gives the default domain.
        let info = graph_get(
            &emu,
            &format!(
                "/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{}')",
                t
            ),
            Some(&tok),
        );
        assert_eq!(info.status, 200, "{}", info.text);
        assert_eq!(info.json["tenantId"], t.as_str());
        assert_eq!(info.json["displayName"], name.as_str());
        assert_eq!(info.json["defaultDomainName"], x["defaultDomainName"]);
        assert!(info.json.get("federationBrandName").is_some());
    }
    // The flags cover every case: one without the Exchange role, one with Global Admin only, one
    // with two relationships; the consentMissing tenant is listed (its Exchange token fails).
    assert!(expected
        .iter()
        .any(|x| x["hasExchangeAdminRole"] == false && x["hasGlobalAdminRole"] == false));
    assert!(expected
        .iter()
        .any(|x| x["hasExchangeAdminRole"] == false && x["hasGlobalAdminRole"] == true));
    assert!(expected.iter().any(|x| x["activeRelationships"] == 2));
    let (consent, _) = emu.special("consentMissing");
    assert!(expected.iter().any(|x| x["tenantId"] == consent.as_str()));
    let r = emu.redeem(
        &consent,
        &emu.application_id(),
        Some(&emu.client_secret()),
        &emu.refresh_token(),
        EXCHANGE_SCOPE,
    );
    assert_eq!(r.aad_code(), 65001, "{}", r.text);
    // The unrelated tenant only has expired / pending relationships: not a customer.
    let (unrelated, _) = emu.unrelated();
    assert!(!expected.iter().any(|x| x["tenantId"] == unrelated.as_str()));
    assert!(all
        .iter()
        .any(|r| r["customer"]["tenantId"] == unrelated.as_str()));

    let st = emu.stats();
    assert_eq!(st["graph"]["relationshipPages"], 4 + 5 + 3);
    assert_eq!(st["graph"]["tenantLookups"], 9);
    assert_eq!(st["requests"]["byEndpoint"]["graph"], 4 + 5 + 3 + 9);
    // The startup line is a function of the seed.
    let twin = Emulator::start(&["--tenants", "4", "--mailboxes", "3"]);
    assert_eq!(twin.info["graphCustomers"], emu.info["graphCustomers"]);
    assert_eq!(emu.info["graphResource"], "https://graph.microsoft.com");
    assert_eq!(emu.info["graphPageSize"], 3);
}

#[test]
fn audiences_do_not_cross_and_errors_have_graphs_shape() {
    let emu = Emulator::start(&["--tenants", "2", "--mailboxes", "3"]);
    let gtok = graph_token(&emu);
    let (c0, _) = emu.customer(0);
    let list = "/v1.0/tenantRelationships/delegatedAdminRelationships";
    // An Exchange token is refused by Graph…
    let xtok = emu.exchange_token(&emu.partner_tenant());
    let r = graph_get(&emu, list, Some(&xtok));
    assert_graph_error(&r, 401, "InvalidAuthenticationToken");
    assert!(r.text.contains("Invalid audience"), "{}", r.text);
    assert!(r.header("www-authenticate").is_some());
    // …and a Graph token by Exchange (InvokeCommand and $batch).
    let r = emu.invoke(&emu.partner_tenant(), &gtok, "Get-Mailbox", json!({}));
    assert_eq!(r.status, 401, "{}", r.text);
    let r = emu.invoke_raw(
        &format!("{}/adminapi/beta/{}/$batch", emu.url, emu.partner_tenant()),
        Some(&gtok),
        &json!({"requests": []}),
        &[],
    );
    assert_eq!(r.status, 401, "{}", r.text);
    // Missing and unknown tokens.
    assert_graph_error(
        &graph_get(&emu, list, None),
        401,
        "InvalidAuthenticationToken",
    );
    assert_graph_error(
        &graph_get(&emu, list, Some("not-a-token")),
        401,
        "InvalidAuthenticationToken",
    );
    // A Graph token of a customer tenant: not the partner's GDAP data.
    let r = emu.redeem(
        &c0,
        &emu.application_id(),
        Some(&emu.client_secret()),
        &emu.refresh_token(),
        GRAPH_SCOPE,
    );
    let ctok = r.json["access_token"].as_str().unwrap().to_string();
    assert_graph_error(
        &graph_get(&emu, list, Some(&ctok)),
        403,
        "Authorization_RequestDenied",
    );
    // Unknown tenant, bad filter, bad $top, bad skiptoken, unknown segment.
    assert_graph_error(
        &graph_get(
            &emu,
            "/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='00000000-0000-4000-8000-000000000000')",
            Some(&gtok),
        ),
        404,
        "Request_ResourceNotFound",
    );
    assert_graph_error(
        &graph_get(&emu, &format!("{}?$filter=name eq 'x'", list), Some(&gtok)),
        400,
        "BadRequest",
    );
    assert_graph_error(
        &graph_get(&emu, &format!("{}?$top=0", list), Some(&gtok)),
        400,
        "BadRequest",
    );
    assert_graph_error(
        &graph_get(&emu, &format!("{}?$skiptoken=abc", list), Some(&gtok)),
        400,
        "BadRequest",
    );
    assert_graph_error(
        &graph_get(&emu, "/v1.0/tenantRelationships/nothing", Some(&gtok)),
        400,
        "BadRequest",
    );
    // A nextLink keeps its filter: following it with another filter is refused.
    let first = graph_get(&emu, &format!("{}?{}", list, ACTIVE_FILTER), Some(&gtok));
    let next = first.json["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&emu.url), "{}", next);
    let tampered = next.replace("active", "expired");
    assert_graph_error(&graph_get(&emu, &tampered, Some(&gtok)), 400, "BadRequest");
    let st = emu.stats();
    assert!(
        st["graph"]["errorsByCode"]["InvalidAuthenticationToken"]
            .as_u64()
            .unwrap()
            >= 3
    );
}

#[test]
fn forbidden_partner_and_throttling() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1", "--graph-forbidden"]);
    let tok = graph_token(&emu);
    let r = graph_get(
        &emu,
        "/v1.0/tenantRelationships/delegatedAdminRelationships",
        Some(&tok),
    );
    assert_graph_error(&r, 403, "Authorization_RequestDenied");
    // Throttling through the usual fault injection: 429 + Retry-After in Graph's shape.
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "1",
        "--faults",
        "throttle=1,scope=exchange",
    ]);
    let tok = graph_token(&emu);
    let r = graph_get(
        &emu,
        "/v1.0/tenantRelationships/delegatedAdminRelationships",
        Some(&tok),
    );
    assert_graph_error(&r, 429, "TooManyRequests");
    assert_eq!(r.header("retry-after"), Some("1"));
    let st = emu.stats();
    assert_eq!(st["faults"]["byEndpoint"]["graph"], 1);
    // Other clouds' Graph resources are Graph too.
    let r = emu.redeem(
        &emu.partner_tenant(),
        &emu.application_id(),
        Some(&emu.client_secret()),
        &emu.refresh_token(),
        "https://graph.microsoft.us/.default",
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(Emulator::try_start(&["--graph-page-size", "0"]).is_err());
}
