//! What the real service does that a naive client gets wrong (docs/PROTOCOL.md §5):
//! role denials are 401s that no token cures, routing by the tenant GUID from the
//! token's `tid`, long writes, and error bodies with varying key case.

mod core_support;

use core_support::*;
use exo_bridge::{Connection, Secrets};
use exo_bridge::{ExoResult, Secret};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TID: &str = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const SYSTEM_ANCHOR: &str = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@";

fn fake_connect(srv: &FakeServer, extra: serde_json::Value) -> Arc<Connection> {
    let mut o = json!({"tenantId":"contoso.onmicrosoft.com","applicationId":"11111111-2222-3333-4444-555555555555",
                       "authorityHost": srv.url, "exchangeHost": srv.url});
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    let o = exo_bridge::ConnectionOptions::from_json(&o.to_string()).unwrap();
    Connection::connect(
        o,
        Secrets {
            refresh_token: Some(Secret::from("rt0")),
            ..Default::default()
        },
    )
    .unwrap()
}

/// Token endpoint handing out `token`; InvokeCommand answers one row.
fn routing_server(token: String) -> FakeServer {
    FakeServer::start(move |r| {
        if r.path.contains("/oauth2/v2.0/token") {
            return FakeResponse::json(
                200,
                json!({"access_token": token, "expires_in": 3600, "refresh_token": "rt1"}),
            );
        }
        FakeResponse::json(200, json!({"value":[{"Name":"a"}]}))
    })
}

fn exchange_requests(srv: &FakeServer) -> Vec<(String, String)> {
    srv.requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.path.contains("InvokeCommand"))
        .map(|r| {
            (
                r.path.clone(),
                r.header("x-anchormailbox").unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn url_and_anchor_use_the_tenant_guid_from_the_token() {
    let srv = routing_server(fake_jwt(
        json!({"tid": TID.to_uppercase(), "exp": 4_000_000_000u64}),
    ));
    let conn = fake_connect(&srv, json!({}));
    run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    // -AnchorMailbox (per request and per connection) still wins; the URL keeps the GUID.
    run(
        &conn,
        json!({"cmdlet":"Get-InboxRule","anchorMailbox":"UPN:adele@contoso.onmicrosoft.com"}),
    )
    .unwrap();
    let pinned = fake_connect(
        &srv,
        json!({"anchorMailbox":"UPN:x@contoso.onmicrosoft.com"}),
    );
    run(&pinned, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    let reqs = exchange_requests(&srv);
    let path = format!("/adminapi/beta/{TID}/InvokeCommand");
    assert_eq!(reqs[0], (path.clone(), format!("{SYSTEM_ANCHOR}{TID}")));
    assert_eq!(
        reqs[1],
        (path.clone(), "UPN:adele@contoso.onmicrosoft.com".into())
    );
    assert_eq!(reqs[2], (path, "UPN:x@contoso.onmicrosoft.com".into()));
    let info: serde_json::Value = serde_json::from_str(&conn.info_json().unwrap()).unwrap();
    assert_eq!(info["tenantGuid"], TID);
    assert_eq!(info["tenantId"], "contoso.onmicrosoft.com");
    assert_eq!(info["anchorMailbox"], format!("{SYSTEM_ANCHOR}{TID}"));
}

#[test]
fn without_a_jwt_or_a_guid_tid_routing_uses_the_tenant_as_typed() {
    for token in [
        "opaque-token".to_string(),
        fake_jwt(json!({"tid": "../../evil", "exp": 4_000_000_000u64})),
    ] {
        let srv = routing_server(token);
        let conn = fake_connect(&srv, json!({}));
        run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap();
        assert_eq!(
            exchange_requests(&srv)[0],
            (
                "/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand".into(),
                format!("{SYSTEM_ANCHOR}contoso.onmicrosoft.com")
            )
        );
    }
}

#[test]
fn a_role_denial_is_not_a_token_problem() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let t2 = tokens.clone();
    let srv = FakeServer::start(move |r| {
        if r.path.contains("/oauth2/v2.0/token") {
            let n = t2.fetch_add(1, Ordering::SeqCst) + 1;
            return FakeResponse::json(
                200,
                json!({"access_token": format!("t{n}"), "expires_in": 3600, "refresh_token": format!("rt{n}")}),
            );
        }
        let mut resp = FakeResponse::json(
            401,
            json!({"error":{"code":"Unauthorized","message":"User is not allowed to call Get-Mailbox."}}),
        );
        resp.headers.push((
            "WWW-Authenticate".into(),
            r#"Bearer client_id="00000002-0000-0ff1-ce00-000000000000""#.into(),
        ));
        resp
    });
    let conn = fake_connect(&srv, json!({}));
    let e = run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap_err();
    assert_eq!(e.reason.as_str(), "AccessDenied");
    assert_eq!(e.code, ExoResult::ExchangeError);
    assert!(
        e.message
            .contains("User is not allowed to call Get-Mailbox."),
        "{}",
        e.message
    );
    assert_eq!(e.retries, 0);
    assert_eq!(tokens.load(Ordering::SeqCst), 1, "no token redeemed for it");
    assert_eq!(srv.request_count(), 2, "token, 401");
}

#[test]
fn a_slow_write_is_waited_for_and_cancellable_at_any_moment() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "3", "--latency-ms", "3000"]);
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    let rows = run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    let upn = rows[0]["UserPrincipalName"].as_str().unwrap().to_string();
    let set = json!({"cmdlet":"Set-Mailbox","parameters":{"Identity": upn,"CustomAttribute1":"x"}});
    // Cancelled while the request is on the wire (connect's token is cached).
    for delay in [50u64, 1500] {
        let mut cur = invoke(&conn, set.clone());
        let token = cur.cancel_token();
        let h = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(delay));
            token.cancel();
        });
        let t = Instant::now();
        assert_eq!(cur.next_page().unwrap_err().code, ExoResult::Cancelled);
        assert!(
            t.elapsed() < Duration::from_millis(delay + 1000),
            "{delay}: {:?}",
            t.elapsed()
        );
        h.join().unwrap();
    }
    // Not cancelled: the 3-second write is waited for (well within the request timeout).
    emu.reset_stats();
    run(&conn, set).unwrap();
    assert_eq!(emu.stats()["writes"]["applied"], 1);
}
