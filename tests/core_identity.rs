//! Identity against the emulator: every credential kind, every mapped
//! AADSTS error, device code sign-in, token-endpoint faults, loopback-only http.

mod core_support;

use core_support::*;
use exo_bridge::DeviceFlow;
use exo_bridge::{Connection, Secrets};
use exo_bridge::{ExoResult, Secret};
use exo_bridge::{Grant, TokenEndpoint};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn info(conn: &Arc<Connection>) -> Value {
    serde_json::from_str(&conn.info_json().unwrap()).unwrap()
}

#[test]
fn refresh_token_confidential_app() {
    let emu = Emulator::start(&["--tenants", "2", "--mailboxes", "5"]);
    let conn = emu
        .connect_rt(&emu.customer(0), json!({}))
        .expect("connect");
    let i = info(&conn);
    assert_eq!(i["credential"], "RefreshToken");
    assert_eq!(i["connected"], true);
    assert!(i["user"].as_str().unwrap_or("").contains('@'), "{i}");
    assert!(i["tokenExpiresUtc"].as_str().unwrap().ends_with('Z'));
    let text = i.to_string();
    assert!(!text.contains(&emu.s("refreshToken")) && !text.contains(&emu.s("clientSecret")));
    assert_eq!(
        run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap().len(),
        5
    );
    assert_eq!(emu.stats()["tokens"]["byGrant"]["refresh_token"], 1);
}

#[test]
fn refresh_token_public_client_and_domain_tenant() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "3"]);
    let conn = Connection::connect(
        emu.options(&emu.customer_domain(0), &emu.s("publicClientId"), json!({})),
        Secrets {
            refresh_token: Some(Secret::new(emu.s("publicRefreshToken"))),
            ..Default::default()
        },
    )
    .expect("public client connect");
    assert_eq!(
        run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap().len(),
        3
    );
}

#[test]
fn app_secret_client_credentials() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "4"]);
    let conn = emu
        .connect_app(&emu.customer(0), json!({}))
        .expect("app-only connect");
    assert_eq!(info(&conn)["credential"], "AppSecret");
    assert_eq!(
        run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap().len(),
        4
    );
    let e = conn.refresh_token().err().unwrap();
    assert_eq!(e.reason.as_str(), "NoRefreshToken");
    assert_eq!(emu.stats()["tokens"]["byGrant"]["client_credentials"], 1);
}

fn raw_access_token(emu: &Emulator, tenant: &str) -> Secret {
    let o = emu.options(tenant, &emu.app(), json!({}));
    let ep = TokenEndpoint::from_options(&o, o.scope());
    let cs = Secret::new(emu.s("clientSecret"));
    let cancel = Arc::new(exo_bridge::CancelToken::new());
    exo_bridge::redeem(
        &ep,
        &Grant::ClientCredentials { client_secret: &cs },
        &cancel,
        &mut Vec::new(),
    )
    .expect("token")
    .access_token
}

#[test]
fn ready_access_token_works_then_expires_with_a_clear_error() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "2",
        "--token-lifetime",
        "2",
    ]);
    let t = emu.customer(0);
    let at = raw_access_token(&emu, &t);
    let conn = Connection::connect(
        emu.options(&t, &emu.app(), json!({})),
        Secrets {
            access_token: Some(at),
            ..Default::default()
        },
    )
    .expect("access token connect");
    assert_eq!(info(&conn)["credential"], "AccessToken");
    assert_eq!(
        run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap().len(),
        2
    );
    assert_eq!(
        conn.refresh_token().err().unwrap().reason.as_str(),
        "NoRefreshToken"
    );
    std::thread::sleep(Duration::from_millis(3100));
    let e = run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap_err();
    assert_eq!(e.reason.as_str(), "AccessTokenExpired", "{e:?}");
    assert!(e.message.contains("cannot be refreshed"));
    // An expired token is refused at connect too.
    let at = raw_access_token(&emu, &t);
    std::thread::sleep(Duration::from_millis(2100));
    let e = Connection::connect(
        emu.options(&t, &emu.app(), json!({})),
        Secrets {
            access_token: Some(at),
            ..Default::default()
        },
    )
    .err()
    .unwrap();
    assert_eq!(e.reason.as_str(), "AccessTokenExpired");
}

#[test]
fn opaque_access_token_refused_by_exchange_is_unauthorized_without_refresh() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "2"]);
    let conn = Connection::connect(
        emu.options(&emu.customer(0), &emu.app(), json!({})),
        Secrets {
            access_token: Some(Secret::from("not-a-real-token")),
            ..Default::default()
        },
    )
    .expect("opaque tokens cannot be checked locally");
    let e = run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap_err();
    assert_eq!(e.code, ExoResult::Unauthorized, "{e:?}");
    assert_eq!(emu.stats()["tokens"]["issued"], 0);
}

#[test]
fn every_mapped_token_error() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1"]);
    let app = emu.app();
    let c0 = emu.customer(0);
    let rt = |s: &str| Some(Secret::new(emu.s(s)));
    let check = |tenant: &str, client: &str, secrets: Secrets, reason: &str, aadsts: u32| {
        let e = Connection::connect(emu.options(tenant, client, json!({})), secrets)
            .err()
            .expect(reason);
        assert_eq!(e.code, ExoResult::AuthFailed, "{reason}: {e:?}");
        assert_eq!(e.reason.as_str(), reason, "{e:?}");
        assert_eq!(e.aadsts, Some(aadsts), "{e:?}");
        assert!(
            e.message.contains(&format!("AADSTS{aadsts}")),
            "{}",
            e.message
        );
        assert!(e.correlation_id.is_some(), "{e:?}");
        assert!(e.message.contains("correlation id"), "{}", e.message);
        assert_no_secrets(&emu, &e);
        e
    };
    let partner = || Secrets {
        refresh_token: rt("refreshToken"),
        client_secret: rt("clientSecret"),
        access_token: None,
    };
    // Tenants that fail by design.
    check(
        &emu.special("mfaRequired"),
        &app,
        partner(),
        "MfaRequired",
        50076,
    );
    check(
        &emu.special("consentMissing"),
        &app,
        partner(),
        "ReconsentRequired",
        65001,
    );
    let ca = check(
        &emu.special("conditionalAccess"),
        &app,
        partner(),
        "ConditionalAccess",
        53003,
    );
    assert!(ca.message.contains("sign-in logs"));
    check(
        &emu.special("appMissing"),
        &app,
        partner(),
        "AppNotInTenant",
        700016,
    );
    check(
        &emu.special("noExchange"),
        &app,
        partner(),
        "ExchangeNotProvisioned",
        500011,
    );
    let unrelated = emu.start["unrelatedTenant"]["tenantId"]
        .as_str()
        .unwrap()
        .to_string();
    check(&unrelated, &app, partner(), "AppNotInTenant", 700016);
    let nf = check(
        "nowhere.onmicrosoft.com",
        &app,
        partner(),
        "TenantNotFound",
        90002,
    );
    assert!(nf.message.contains("-Environment"), "{}", nf.message);
    // Credentials.
    check(
        &c0,
        &app,
        Secrets {
            refresh_token: rt("expiredRefreshToken"),
            client_secret: rt("clientSecret"),
            access_token: None,
        },
        "RefreshTokenExpired",
        700082,
    );
    check(
        &c0,
        &app,
        Secrets {
            refresh_token: Some(Secret::from("garbage")),
            client_secret: rt("clientSecret"),
            access_token: None,
        },
        "RefreshTokenInvalid",
        70000,
    );
    check(
        &c0,
        &app,
        Secrets {
            refresh_token: rt("refreshToken"),
            client_secret: Some(Secret::from("wrong")),
            access_token: None,
        },
        "SecretInvalid",
        7000215,
    );
    check(
        &c0,
        &app,
        Secrets {
            refresh_token: rt("refreshToken"),
            client_secret: rt("expiredClientSecret"),
            access_token: None,
        },
        "SecretExpired",
        7000222,
    );
    check(
        &c0,
        &app,
        Secrets {
            refresh_token: rt("refreshToken"),
            ..Default::default()
        },
        "SecretRequired",
        7000218,
    );
    let public = emu.s("publicClientId");
    check(
        &c0,
        &public,
        Secrets {
            refresh_token: rt("publicRefreshToken"),
            client_secret: rt("clientSecret"),
            access_token: None,
        },
        "PublicClientSecret",
        700025,
    );
    check(
        &c0,
        &public,
        Secrets {
            refresh_token: rt("refreshToken"),
            ..Default::default()
        },
        "WrongClient",
        700007,
    );
    check(
        &c0,
        &app,
        Secrets {
            refresh_token: rt("publicRefreshToken"),
            client_secret: rt("clientSecret"),
            access_token: None,
        },
        "WrongClient",
        700007,
    );
    // Revoked refresh tokens.
    emu.revoke();
    check(&c0, &app, partner(), "RefreshTokenInvalid", 70000);
}

#[test]
fn invalid_scope_when_exchange_host_is_wrong() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1"]);
    let e = emu
        .connect_rt(
            &emu.customer(0),
            json!({"exchangeHost": "http://127.0.0.1:9"}),
        )
        .err()
        .unwrap();
    assert_eq!(e.reason.as_str(), "InvalidScope", "{e:?}");
    assert_eq!(e.aadsts, Some(70011));
}

#[test]
fn token_endpoint_throttling_is_retried_bounded_then_reported() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "1",
        "--faults",
        "throttle=1.0",
    ]);
    let e = emu
        .connect_rt(
            &emu.customer(0),
            json!({"maxRetries": 2, "maxRetryWaitMs": 50}),
        )
        .err()
        .unwrap();
    assert_eq!(e.code, ExoResult::Throttled, "{e:?}");
    assert_eq!(e.retries, 2);
    assert_eq!(emu.stats()["requests"]["byEndpoint"]["token"], 3);
}

#[test]
fn token_endpoint_5xx_is_retried_once() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "1",
        "--faults",
        "transient=1.0",
    ]);
    let e = emu
        .connect_rt(
            &emu.customer(0),
            json!({"maxRetries": 5, "maxRetryWaitMs": 50}),
        )
        .err()
        .unwrap();
    assert_eq!(e.code, ExoResult::Transient, "{e:?}");
    assert_eq!(e.retries, 1);
    assert_eq!(emu.stats()["requests"]["byEndpoint"]["token"], 2);
}

#[test]
fn token_endpoint_occasional_faults_are_absorbed() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "1",
        "--faults",
        "throttle=0.3,transient=0.2",
        "--seed",
        "7",
    ]);
    for _ in 0..10 {
        // New credential each time (the cache would otherwise answer): app-only at a fresh scope is
        // not possible, so disconnect to empty the cache entry.
        let c = emu.connect_app(
            &emu.customer(0),
            json!({"maxRetries": 8, "maxRetryWaitMs": 20}),
        );
        match c {
            Ok(c) => c.disconnect(),
            Err(e) => assert!(
                e.code == ExoResult::Transient,
                "only a double 5xx may fail: {e:?}"
            ),
        }
    }
}

#[test]
fn device_code_sign_in_yields_a_refresh_token() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "1",
        "--device-code-interval",
        "1",
    ]);
    let o = emu.options(
        &emu.s("partnerTenantId"),
        &emu.s("publicClientId"),
        json!({}),
    );
    let flow = DeviceFlow::start(&o).expect("start");
    let msg: Value = serde_json::from_str(flow.message_json()).unwrap();
    assert!(msg["userCode"].as_str().unwrap().len() >= 6);
    assert_eq!(msg["verificationUri"], "https://microsoft.com/devicelogin");
    assert_eq!(msg["interval"], 1);
    // A zero wait before the first interval: pending, nothing sent.
    assert!(flow.wait(Duration::ZERO).unwrap().is_none());
    let mut pending = 0;
    let conn = loop {
        match flow.wait(Duration::from_millis(700)).expect("wait") {
            Some(tokens) => break Connection::from_device_code(o.clone(), tokens),
            None => pending += 1,
        }
        assert!(pending < 20);
    };
    assert!(pending >= 1);
    let (rt, rotated) = conn.refresh_token().expect("refresh token");
    assert!(!rt.is_empty());
    assert!(rotated, "a device-code refresh token is new to the caller");
    let i = info(&conn);
    assert_eq!(i["credential"], "DeviceCode");
    assert!(i["user"].as_str().unwrap().contains('@'));
    // Polls respected the interval: never slowed down.
    assert_eq!(flow.interval(), Duration::from_secs(1));
    assert_eq!(emu.stats()["tokens"]["byGrant"]["device_code"], 1);
    // The flow is finished.
    assert_eq!(
        flow.wait(Duration::ZERO).err().unwrap().code,
        ExoResult::InvalidHandle
    );
}

#[test]
fn device_code_cancel_returns_promptly() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "1",
        "--device-code-interval",
        "5",
    ]);
    let o = emu.options(
        &emu.s("partnerTenantId"),
        &emu.s("publicClientId"),
        json!({}),
    );
    let flow = Arc::new(DeviceFlow::start(&o).unwrap());
    let f2 = flow.clone();
    let h = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        f2.cancel();
    });
    let t = Instant::now();
    let e = flow.wait(Duration::from_secs(60)).err().unwrap();
    assert_eq!(e.code, ExoResult::Cancelled);
    assert!(t.elapsed() < Duration::from_secs(2));
    h.join().unwrap();
}

#[test]
fn device_code_expiry() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "1",
        "--device-code-interval",
        "1",
        "--device-code-lifetime",
        "2",
    ]);
    let o = emu.options(
        &emu.s("partnerTenantId"),
        &emu.s("publicClientId"),
        json!({}),
    );
    let flow = DeviceFlow::start(&o).unwrap();
    let e = flow.wait(Duration::from_secs(10)).err().unwrap();
    assert_eq!(e.reason.as_str(), "DeviceCodeExpired", "{e:?}");
}

#[test]
fn device_code_slow_down_and_bad_code_with_a_fake_service() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let polls = Arc::new(AtomicUsize::new(0));
    let p2 = polls.clone();
    let srv = FakeServer::start(move |r| {
        if r.path.ends_with("/devicecode") {
            return FakeResponse::json(
                200,
                json!({"device_code":"dc","user_code":"ABCD","verification_uri":"https://microsoft.com/devicelogin","expires_in":60,"interval":1,"message":"go"}),
            );
        }
        match p2.fetch_add(1, Ordering::SeqCst) {
            0 => FakeResponse::json(400, json!({"error":"slow_down","error_codes":[70016]})),
            _ => FakeResponse::json(
                400,
                json!({"error":"bad_verification_code","error_codes":[70000]}),
            ),
        }
    });
    let o = exo_bridge::ConnectionOptions::from_json(
        &json!({"tenantId":"partner.onmicrosoft.com","applicationId":"11111111-2222-3333-4444-555555555555",
                "authorityHost": srv.url, "exchangeHost": srv.url})
        .to_string(),
    )
    .unwrap();
    let flow = DeviceFlow::start(&o).unwrap();
    let t = Instant::now();
    let e = flow.wait(Duration::from_secs(20)).err().unwrap();
    assert_eq!(e.reason.as_str(), "BadVerificationCode", "{e:?}");
    assert_eq!(
        flow.interval(),
        Duration::from_secs(6),
        "slow_down adds 5 s"
    );
    assert!(
        t.elapsed() >= Duration::from_secs(7),
        "second poll waited the longer interval"
    );
}

#[test]
fn http_only_to_loopback() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1"]);
    let port = emu.url.rsplit(':').next().unwrap().to_string();
    // localhost works (the emulator listens on 127.0.0.1).
    let local = format!("http://localhost:{port}");
    let conn = emu
        .connect_rt(
            &emu.customer(0),
            json!({"authorityHost": local, "exchangeHost": emu.url}),
        )
        .expect("http to localhost");
    drop(conn);
    for bad in [
        "http://example.com",
        "http://192.168.1.10:8080",
        "http://[2001:db8::1]",
        "http://127.0.0.1.nip.io",
    ] {
        for key in ["exchangeHost", "authorityHost"] {
            let j = emu.options_json(&emu.customer(0), &emu.app(), json!({ key: bad }));
            let e = exo_bridge::ConnectionOptions::from_json(&j).err().unwrap();
            assert_eq!(e.code, ExoResult::InsecureEndpoint, "{key} {bad}");
            assert!(e.message.contains(key));
        }
    }
    assert_eq!(
        emu.stats()["tokens"]["issued"],
        1,
        "refused endpoints were never contacted"
    );
}
