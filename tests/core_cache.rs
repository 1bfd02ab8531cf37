//! The process-wide token cache against the emulator: reuse, expiry,
//! single flight under 16 threads, rotation, 401 → one refresh.

mod core_support;

use core_support::*;
use exo_bridge::{Connection, Secrets};
use exo_bridge::{ExoResult, Secret};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

#[test]
fn tokens_are_reused_across_commands_and_connections() {
    let emu = Emulator::start(&["--tenants", "2", "--mailboxes", "3"]);
    let a = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    for _ in 0..20 {
        run(&a, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    }
    let b = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    run(&b, json!({"cmdlet":"Get-Recipient"})).unwrap();
    assert_eq!(
        emu.tokens_issued(),
        1,
        "same credential, same tenant: one token"
    );
    // Another tenant is another key.
    let c = emu.connect_rt(&emu.customer(1), json!({})).unwrap();
    run(&c, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    assert_eq!(emu.tokens_issued(), 2);
    // Another credential kind is another key.
    let d = emu.connect_app(&emu.customer(0), json!({})).unwrap();
    run(&d, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    assert_eq!(emu.tokens_issued(), 3);
    drop((a, b, c, d));
}

#[test]
fn short_lived_tokens_are_renewed_before_expiry() {
    // lifetime 4 s → margin min(5 min, 2 s): reused for 2 s, then renewed.
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "2",
        "--token-lifetime",
        "4",
    ]);
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    assert_eq!(emu.tokens_issued(), 1);
    std::thread::sleep(Duration::from_millis(2300));
    run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    assert_eq!(emu.tokens_issued(), 2, "renewed after the margin");
    run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    assert_eq!(emu.tokens_issued(), 2);
    // Never a 401 along the way.
    assert_eq!(emu.stats()["auth"]["unauthorized"], 0);
}

#[test]
fn sixteen_threads_connecting_cause_one_token_request() {
    let emu = Arc::new(Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "2",
        "--latency-ms",
        "0",
    ]));
    let barrier = Arc::new(Barrier::new(16));
    let ok = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let (emu, barrier, ok) = (emu.clone(), barrier.clone(), ok.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let c = emu
                    .connect_rt(&emu.customer(0), json!({"readTimeoutMs": 2000}))
                    .expect("connect");
                run(&c, json!({"cmdlet":"Get-Mailbox"})).expect("run");
                ok.fetch_add(1, Ordering::SeqCst);
                c
            })
        })
        .collect();
    let conns: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(ok.load(Ordering::SeqCst), 16);
    assert_eq!(emu.tokens_issued(), 1, "single flight");
    drop(conns);
}

#[test]
fn sixteen_threads_on_one_connection_share_one_renewal() {
    // lifetime 8 s → margin 4 s.
    let emu = Arc::new(Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "2",
        "--token-lifetime",
        "8",
    ]));
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    std::thread::sleep(Duration::from_millis(4200)); // past the margin
    let barrier = Arc::new(Barrier::new(16));
    let hs: Vec<_> = (0..16)
        .map(|_| {
            let (c, b) = (conn.clone(), barrier.clone());
            std::thread::spawn(move || {
                b.wait();
                run(&c, json!({"cmdlet":"Get-Mailbox"})).expect("run");
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(emu.tokens_issued(), 2, "one connect + one shared renewal");
}

#[test]
fn rotated_refresh_token_is_kept_and_usable() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "1",
        "--token-lifetime",
        "2",
    ]);
    let original = emu.s("refreshToken");
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    let (rt1, rotated) = conn.refresh_token().unwrap();
    assert!(rotated);
    assert_ne!(rt1.expose(), original, "the service rotated it");
    let v: serde_json::Value = serde_json::from_str(&conn.info_json().unwrap()).unwrap();
    assert_eq!(v["refreshTokenRotated"], true);
    // A renewal redeems the newest token and rotates again.
    std::thread::sleep(Duration::from_millis(1200));
    run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    let (rt2, _) = conn.refresh_token().unwrap();
    assert_ne!(rt2.expose(), rt1.expose());
    // The exported token works for a new connection (a new cache key).
    let again = Connection::connect(
        emu.options(&emu.customer(0), &emu.app(), json!({})),
        Secrets {
            refresh_token: Some(Secret::new(rt2.expose().to_string())),
            client_secret: Some(Secret::new(emu.s("clientSecret"))),
            access_token: None,
        },
    )
    .expect("connect with the rotated token");
    run(&again, json!({"cmdlet":"Get-Mailbox"})).unwrap();
}

#[test]
fn disconnect_releases_and_later_calls_are_invalid_handle() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "3"]);
    let conn = emu
        .connect_rt(&emu.customer(0), json!({"pageSize": 1}))
        .unwrap();
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
    cur.next_page().unwrap();
    conn.disconnect();
    assert_eq!(cur.next_page().unwrap_err().code, ExoResult::InvalidHandle);
    assert_eq!(conn.info_json().unwrap_err().code, ExoResult::InvalidHandle);
    assert_eq!(
        conn.refresh_token().unwrap_err().code,
        ExoResult::InvalidHandle
    );
    let r = exo_bridge::InvokeRequest::from_json(r#"{"cmdlet":"Get-Mailbox"}"#).unwrap();
    assert_eq!(
        exo_bridge::Cursor::new(conn.clone(), r).err().unwrap().code,
        ExoResult::InvalidHandle
    );
    // After disconnect the cache entry is gone: a new connect asks again.
    let again = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    run(&again, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    assert_eq!(emu.tokens_issued(), 2);
}

/// How Exchange refuses a token (docs/PROTOCOL.md §5): a 401 with this challenge.
fn token_challenge(mut r: FakeResponse) -> FakeResponse {
    r.headers.push((
        "WWW-Authenticate".into(),
        r#"Bearer client_id="00000002-0000-0ff1-ce00-000000000000", error="invalid_token""#.into(),
    ));
    r
}

#[test]
fn unauthorized_triggers_exactly_one_refresh_and_retry() {
    // Fake service: token endpoint hands out t1, t2, …; Exchange refuses t1 only.
    let tokens = Arc::new(AtomicUsize::new(0));
    let t2 = tokens.clone();
    let srv = FakeServer::start(move |r| {
        if r.path.contains("/oauth2/v2.0/token") {
            let n = t2.fetch_add(1, Ordering::SeqCst) + 1;
            return FakeResponse::json(
                200,
                json!({"token_type":"Bearer","access_token": format!("t{n}"),
                "expires_in": 3600, "refresh_token": format!("rt{n}")}),
            );
        }
        if r.header("authorization") == Some("Bearer t1") {
            return token_challenge(FakeResponse::json(
                401,
                json!({"error":{"code":"Unauthorized","message":"token expired"}}),
            ));
        }
        FakeResponse::json(200, json!({"value":[{"Name":"a"}]}))
    });
    let o = exo_bridge::ConnectionOptions::from_json(
        &json!({"tenantId":"contoso.onmicrosoft.com","applicationId":"11111111-2222-3333-4444-555555555555",
                "authorityHost": srv.url, "exchangeHost": srv.url})
        .to_string(),
    )
    .unwrap();
    let conn = Connection::connect(
        o,
        Secrets {
            refresh_token: Some(Secret::from("rt0")),
            ..Default::default()
        },
    )
    .unwrap();
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
    let p = cur.next_page().unwrap();
    assert_eq!(p.value_json, r#"[{"Name":"a"}]"#);
    assert_eq!(p.retries.len(), 1);
    assert_eq!(p.retries[0].reason.as_str(), "Unauthorized");
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
    // The rotated refresh token was kept.
    assert_eq!(conn.refresh_token().unwrap().0.expose(), "rt2");
}

#[test]
fn persistent_unauthorized_stops_after_one_refresh() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let t2 = tokens.clone();
    let srv = FakeServer::start(move |r| {
        if r.path.contains("/oauth2/v2.0/token") {
            let n = t2.fetch_add(1, Ordering::SeqCst) + 1;
            return FakeResponse::json(
                200,
                json!({"access_token": format!("t{n}"), "expires_in": 3600}),
            );
        }
        token_challenge(FakeResponse::json(
            401,
            json!({"error":{"code":"Unauthorized","message":"no"}}),
        ))
    });
    let o = exo_bridge::ConnectionOptions::from_json(
        &json!({"tenantId":"contoso.onmicrosoft.com","applicationId":"11111111-2222-3333-4444-555555555555",
                "authorityHost": srv.url, "exchangeHost": srv.url})
        .to_string(),
    )
    .unwrap();
    let conn = Connection::connect(
        o,
        Secrets {
            client_secret: Some(Secret::from("s")),
            ..Default::default()
        },
    )
    .unwrap();
    let e = run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap_err();
    assert_eq!(e.code, ExoResult::Unauthorized);
    assert_eq!(e.retries, 1);
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
    assert_eq!(srv.request_count(), 4, "token, 401, token, 401");
}
