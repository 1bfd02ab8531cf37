//! Entra ID side: every grant, rotation, and every documented AADSTS error.

mod common;

use common::{jwt_payload, Emulator, Reply, EXCHANGE_SCOPE};
use std::time::Duration;

const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

fn assert_aad_error(r: &Reply, status: u16, error: &str, code: u64) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.aad_error(), error, "{}", r.text);
    assert_eq!(r.aad_code(), code, "{}", r.text);
    let desc = r.json["error_description"].as_str().unwrap();
    assert!(desc.starts_with(&format!("AADSTS{}: ", code)), "{}", desc);
    assert!(
        desc.contains("Trace ID:")
            && desc.contains("Correlation ID:")
            && desc.contains("Timestamp:"),
        "{}",
        desc
    );
    for k in ["timestamp", "trace_id", "correlation_id", "error_uri"] {
        assert!(r.json[k].is_string(), "{} missing: {}", k, r.text);
    }
    assert!(r.json["error_uri"]
        .as_str()
        .unwrap()
        .contains(&code.to_string()));
}

#[test]
fn confidential_refresh_token_grant_rotates_and_shapes_tokens() {
    let emu = Emulator::start(&["--token-lifetime", "1200"]);
    let (tid, domain) = emu.customer(1);
    let rt0 = emu.refresh_token();
    let r = emu.redeem(
        &tid,
        &emu.application_id(),
        Some(&emu.client_secret()),
        &rt0,
        &format!("{} offline_access", EXCHANGE_SCOPE),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let j = &r.json;
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["expires_in"], 1200);
    assert_eq!(j["ext_expires_in"], 1200);
    assert_eq!(j["refresh_in"], 600);
    assert!(j["scope"]
        .as_str()
        .unwrap()
        .contains("https://outlook.office365.com/Exchange.Manage"));
    let rt1 = j["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt0, "refresh tokens rotate");
    let at = j["access_token"].as_str().unwrap();
    assert_eq!(at.split('.').count(), 3, "JWT-shaped");
    let p = jwt_payload(at);
    assert_eq!(p["aud"], "https://outlook.office365.com");
    assert_eq!(p["tid"], tid.as_str());
    assert_eq!(p["appid"], emu.application_id().as_str());
    assert_eq!(p["upn"], emu.info["adminUpn"]);
    assert_eq!(
        p["exp"].as_u64().unwrap() - p["iat"].as_u64().unwrap(),
        1200
    );
    assert_eq!(
        p["idp"].as_str().unwrap(),
        format!("https://sts.windows.net/{}/", emu.partner_tenant())
    );
    // The rotated token works, and the old one stays valid (as in the real service).
    let r2 = emu.redeem(
        &domain,
        &emu.application_id(),
        Some(&emu.client_secret()),
        &rt1,
        EXCHANGE_SCOPE,
    );
    assert_eq!(r2.status, 200, "{}", r2.text);
    assert_ne!(r2.json["refresh_token"].as_str().unwrap(), rt1);
    assert_eq!(
        emu.redeem(
            &tid,
            &emu.application_id(),
            Some(&emu.client_secret()),
            &rt0,
            EXCHANGE_SCOPE
        )
        .status,
        200
    );
    // Partner tenant and 'organizations' work too.
    assert_eq!(
        emu.redeem(
            &emu.partner_tenant(),
            &emu.application_id(),
            Some(&emu.client_secret()),
            &rt0,
            EXCHANGE_SCOPE
        )
        .status,
        200
    );
    assert_eq!(
        emu.redeem(
            "organizations",
            &emu.application_id(),
            Some(&emu.client_secret()),
            &rt0,
            EXCHANGE_SCOPE
        )
        .status,
        200
    );
    // {url}/.default is an Exchange scope whose audience is the emulator itself.
    let r3 = emu.redeem(
        &tid,
        &emu.application_id(),
        Some(&emu.client_secret()),
        &rt0,
        &format!("{}/.default", emu.url),
    );
    assert_eq!(r3.status, 200, "{}", r3.text);
    assert_eq!(
        jwt_payload(r3.json["access_token"].as_str().unwrap())["aud"],
        emu.url.as_str()
    );
    let s = emu.stats();
    assert_eq!(s["tokens"]["byGrant"]["refresh_token"], 6);
    assert_eq!(s["tokens"]["byTenant"][&tid], 4);
}

#[test]
fn public_client_refresh_token_without_secret() {
    let emu = Emulator::start(&[]);
    let (tid, _) = emu.customer(0);
    let prt = emu.str("publicRefreshToken");
    let r = emu.redeem(&tid, &emu.public_client_id(), None, &prt, EXCHANGE_SCOPE);
    assert_eq!(r.status, 200, "{}", r.text);
    let p = jwt_payload(r.json["access_token"].as_str().unwrap());
    assert_eq!(p["appid"], emu.public_client_id().as_str());
    assert_eq!(p["appidacr"], "0");
    assert!(r.json["refresh_token"].is_string());
    // A public client that sends a secret: AADSTS700025.
    let r = emu.redeem(
        &tid,
        &emu.public_client_id(),
        Some("whatever"),
        &prt,
        EXCHANGE_SCOPE,
    );
    assert_aad_error(&r, 401, "invalid_client", 700025);
}

#[test]
fn client_credentials_grant() {
    let emu = Emulator::start(&[]);
    let (tid, _) = emu.customer(2);
    let r = emu.token_request(
        &tid,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &emu.application_id()),
            ("client_secret", &emu.client_secret()),
            ("scope", EXCHANGE_SCOPE),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json.get("refresh_token").is_none());
    let p = jwt_payload(r.json["access_token"].as_str().unwrap());
    assert_eq!(p["tid"], tid.as_str());
    assert_eq!(p["idtyp"], "app");
    assert_eq!(p["roles"][0], "Exchange.ManageAsApp");
    assert!(p.get("upn").is_none());
    // At the partner tenant, too; the token works against Exchange.
    let at = emu.app_token(&emu.partner_tenant());
    assert_eq!(
        emu.invoke(
            &emu.partner_tenant(),
            &at,
            "Get-Mailbox",
            serde_json::json!({})
        )
        .status,
        200
    );
    // Not at the unrelated or appMissing tenants; the public client can't use it.
    for t in [
        emu.unrelated().0,
        emu.special("appMissing").0,
        emu.special("consentMissing").0,
    ] {
        let r = emu.token_request(
            &t,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &emu.application_id()),
                ("client_secret", &emu.client_secret()),
                ("scope", EXCHANGE_SCOPE),
            ],
        );
        assert_aad_error(&r, 400, "unauthorized_client", 700016);
    }
    let r = emu.token_request(
        &tid,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &emu.public_client_id()),
            ("scope", EXCHANGE_SCOPE),
        ],
    );
    assert_eq!(r.aad_error(), "invalid_client");
    // Scope must end in /.default.
    let r = emu.token_request(
        &tid,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &emu.application_id()),
            ("client_secret", &emu.client_secret()),
            ("scope", "https://outlook.office365.com/Exchange.Manage"),
        ],
    );
    assert_eq!(r.aad_error(), "invalid_scope");
    assert_eq!(emu.stats()["tokens"]["byGrant"]["client_credentials"], 2);
}

#[test]
fn client_assertion_is_checked_for_shape() {
    let emu = Emulator::start(&[]);
    let (tid, _) = emu.customer(0);
    let b64 = |v: serde_json::Value| {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let d = v.to_string().into_bytes();
        let mut s = String::new();
        for c in d.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for k in 0..=c.len() {
                s.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            }
        }
        s
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let app = emu.application_id();
    let mk = |aud: &str, exp: u64| {
        format!(
            "{}.{}.c2ln",
            b64(serde_json::json!({"alg": "PS256", "typ": "JWT", "x5t#S256": "abc"})),
            b64(
                serde_json::json!({"iss": app, "sub": app, "aud": aud, "jti": "1", "nbf": now - 5, "exp": exp})
            )
        )
    };
    let good = mk(&emu.token_url(&tid), now + 300);
    let r = emu.token_request(
        &tid,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &app),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &good),
            ("scope", EXCHANGE_SCOPE),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let stale = mk(&emu.token_url(&tid), now - 60);
    let r = emu.token_request(
        &tid,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &app),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &stale),
            ("scope", EXCHANGE_SCOPE),
        ],
    );
    assert_aad_error(&r, 401, "invalid_client", 700024);
}

#[test]
fn every_documented_token_error() {
    let emu = Emulator::start(&[]);
    let (tid, _) = emu.customer(0);
    let app = emu.application_id();
    let sec = emu.client_secret();
    let rt = emu.refresh_token();
    let pubc = emu.public_client_id();
    let prt = emu.str("publicRefreshToken");

    assert_aad_error(
        &emu.redeem(&tid, &app, Some("wrong-secret"), &rt, EXCHANGE_SCOPE),
        401,
        "invalid_client",
        7000215,
    );
    assert_aad_error(
        &emu.redeem(
            &tid,
            &app,
            Some(&emu.str("expiredClientSecret")),
            &rt,
            EXCHANGE_SCOPE,
        ),
        401,
        "invalid_client",
        7000222,
    );
    assert_aad_error(
        &emu.redeem(&tid, &pubc, Some("x"), &prt, EXCHANGE_SCOPE),
        401,
        "invalid_client",
        700025,
    );
    assert_aad_error(
        &emu.redeem(&tid, &app, None, &rt, EXCHANGE_SCOPE),
        401,
        "invalid_client",
        7000218,
    );
    let unknown_guid = "11111111-2222-4333-8444-555555555555";
    assert_aad_error(
        &emu.redeem(unknown_guid, &app, Some(&sec), &rt, EXCHANGE_SCOPE),
        400,
        "invalid_request",
        90002,
    );
    assert_aad_error(
        &emu.redeem(
            "nosuch.onmicrosoft.com",
            &app,
            Some(&sec),
            &rt,
            EXCHANGE_SCOPE,
        ),
        400,
        "invalid_request",
        90002,
    );
    // Refresh token used under another client id.
    assert_aad_error(
        &emu.redeem(&tid, &pubc, None, &rt, EXCHANGE_SCOPE),
        400,
        "invalid_grant",
        700007,
    );
    assert_aad_error(
        &emu.redeem(&tid, &app, Some(&sec), &prt, EXCHANGE_SCOPE),
        400,
        "invalid_grant",
        700007,
    );
    assert_aad_error(
        &emu.redeem(
            &tid,
            &app,
            Some(&sec),
            &emu.str("expiredRefreshToken"),
            EXCHANGE_SCOPE,
        ),
        400,
        "invalid_grant",
        700082,
    );
    assert_aad_error(
        &emu.redeem(&tid, &app, Some(&sec), "0.AXgarbage", EXCHANGE_SCOPE),
        400,
        "invalid_grant",
        70000,
    );
    // Special tenants.
    let r = emu.redeem(
        &emu.special("mfaRequired").0,
        &app,
        Some(&sec),
        &rt,
        EXCHANGE_SCOPE,
    );
    assert_aad_error(&r, 400, "invalid_grant", 50076);
    assert_eq!(r.json["suberror"], "basic_action");
    assert_aad_error(
        &emu.redeem(
            &emu.special("consentMissing").0,
            &app,
            Some(&sec),
            &rt,
            EXCHANGE_SCOPE,
        ),
        400,
        "invalid_grant",
        65001,
    );
    assert_aad_error(
        &emu.redeem(
            &emu.special("conditionalAccess").0,
            &app,
            Some(&sec),
            &rt,
            EXCHANGE_SCOPE,
        ),
        400,
        "invalid_grant",
        53003,
    );
    assert_aad_error(
        &emu.redeem(
            &emu.special("appMissing").1,
            &app,
            Some(&sec),
            &rt,
            EXCHANGE_SCOPE,
        ),
        400,
        "unauthorized_client",
        700016,
    );
    assert_aad_error(
        &emu.redeem(
            &emu.special("noExchange").0,
            &app,
            Some(&sec),
            &rt,
            EXCHANGE_SCOPE,
        ),
        400,
        "invalid_resource",
        500011,
    );
    assert_eq!(
        emu.redeem(
            &emu.special("noExchange").0,
            &app,
            Some(&sec),
            &rt,
            GRAPH_SCOPE
        )
        .status,
        200,
        "Graph works there"
    );
    // The unrelated tenant (no GDAP relationship).
    assert_aad_error(
        &emu.redeem(&emu.unrelated().0, &app, Some(&sec), &rt, EXCHANGE_SCOPE),
        400,
        "unauthorized_client",
        700016,
    );
    assert_aad_error(
        &emu.redeem(&emu.unrelated().1, &pubc, None, &prt, EXCHANGE_SCOPE),
        400,
        "unauthorized_client",
        700016,
    );
    // Scopes.
    assert_aad_error(
        &emu.redeem(&tid, &app, Some(&sec), &rt, "https://example.com/.default"),
        400,
        "invalid_scope",
        70011,
    );
    assert_aad_error(
        &emu.redeem(
            &tid,
            &app,
            Some(&sec),
            &rt,
            "https://outlook.office365.com/.default https://graph.microsoft.com/.default",
        ),
        400,
        "invalid_scope",
        70011,
    );
    // Unknown client, grant type, missing parameters.
    assert_aad_error(
        &emu.redeem(
            &tid,
            "99999999-9999-4999-8999-999999999999",
            None,
            &rt,
            EXCHANGE_SCOPE,
        ),
        400,
        "unauthorized_client",
        700016,
    );
    assert_aad_error(
        &emu.token_request(&tid, &[("grant_type", "password"), ("client_id", &app)]),
        400,
        "unsupported_grant_type",
        70003,
    );
    assert_aad_error(
        &emu.token_request(&tid, &[("client_id", &app)]),
        400,
        "invalid_request",
        900144,
    );
    assert_aad_error(
        &emu.token_request(&tid, &[("grant_type", "refresh_token")]),
        400,
        "invalid_request",
        900144,
    );
    // Correlation id echoes client-request-id.
    let r: Reply = {
        let resp = emu
            .http
            .post(emu.token_url(&tid))
            .header("client-request-id", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", app.as_str()),
                ("client_secret", "bad"),
                ("refresh_token", rt.as_str()),
                ("scope", EXCHANGE_SCOPE),
            ])
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        Reply {
            status,
            headers: vec![],
            json: serde_json::from_str(&text).unwrap(),
            text,
        }
    };
    assert_eq!(
        r.json["correlation_id"],
        "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    );
    let s = emu.stats();
    assert!(s["tokens"]["errors"].as_u64().unwrap() >= 20);
    assert!(s["tokens"]["errorsByCode"]["700016"].as_u64().unwrap() >= 3);
}

#[test]
fn revoke_invalidates_refresh_tokens_issued_so_far() {
    let emu = Emulator::start(&[]);
    let (tid, _) = emu.customer(0);
    let app = emu.application_id();
    let sec = emu.client_secret();
    let r = emu.redeem(&tid, &app, Some(&sec), &emu.refresh_token(), EXCHANGE_SCOPE);
    let rotated = r.json["refresh_token"].as_str().unwrap().to_string();
    let at = r.json["access_token"].as_str().unwrap().to_string();
    emu.revoke();
    for rt in [emu.refresh_token(), rotated, emu.str("publicRefreshToken")] {
        let client = if rt == emu.str("publicRefreshToken") {
            emu.public_client_id()
        } else {
            app.clone()
        };
        let secret = if client == app {
            Some(sec.as_str())
        } else {
            None
        };
        assert_aad_error(
            &emu.redeem(&tid, &client, secret, &rt, EXCHANGE_SCOPE),
            400,
            "invalid_grant",
            70000,
        );
    }
    // Access tokens stay valid until they expire; app-only still works.
    assert_eq!(
        emu.invoke(&tid, &at, "Get-Mailbox", serde_json::json!({}))
            .status,
        200
    );
    emu.app_token(&tid);
    assert_eq!(emu.stats()["tokens"]["revocations"], 1);
}

fn poll(emu: &Emulator, tenant: &str, client: &str, code: &str) -> Reply {
    emu.token_request(
        tenant,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", client),
            ("device_code", code),
        ],
    )
}

#[test]
fn device_code_flow_pending_slow_down_then_approved() {
    let emu = Emulator::start(&["--device-code-interval", "1"]);
    let pt = emu.partner_tenant();
    let client = emu.public_client_id();
    let r = emu
        .http
        .post(emu.devicecode_url(&pt))
        .form(&[
            ("client_id", client.as_str()),
            ("scope", &format!("{} offline_access", EXCHANGE_SCOPE)),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let dc: serde_json::Value = r.json().unwrap();
    for k in [
        "device_code",
        "user_code",
        "verification_uri",
        "expires_in",
        "interval",
        "message",
    ] {
        assert!(!dc[k].is_null(), "{} missing: {}", k, dc);
    }
    assert_eq!(dc["verification_uri"], "https://microsoft.com/devicelogin");
    assert_eq!(dc["interval"], 1);
    assert_eq!(dc["expires_in"], 900);
    assert!(dc["message"]
        .as_str()
        .unwrap()
        .contains(dc["user_code"].as_str().unwrap()));
    let code = dc["device_code"].as_str().unwrap();

    assert_aad_error(
        &poll(&emu, &pt, &client, code),
        400,
        "authorization_pending",
        70016,
    );
    assert_eq!(
        poll(&emu, &pt, &client, code).aad_error(),
        "slow_down",
        "polled faster than interval"
    );
    std::thread::sleep(Duration::from_millis(1050));
    assert_eq!(
        poll(&emu, &pt, &client, code).aad_error(),
        "authorization_pending"
    );
    std::thread::sleep(Duration::from_millis(1050));
    let ok = poll(&emu, &pt, &client, code);
    assert_eq!(ok.status, 200, "{}", ok.text);
    let p = jwt_payload(ok.json["access_token"].as_str().unwrap());
    assert_eq!(p["upn"], emu.info["adminUpn"]);
    assert_eq!(p["tid"], pt.as_str());
    let new_rt = ok.json["refresh_token"]
        .as_str()
        .expect("offline_access gives a refresh token")
        .to_string();
    // Redeemed once only; the new refresh token works at customers for that client.
    std::thread::sleep(Duration::from_millis(1050));
    assert_eq!(poll(&emu, &pt, &client, code).aad_error(), "invalid_grant");
    assert_eq!(
        emu.redeem(&emu.customer(0).0, &client, None, &new_rt, EXCHANGE_SCOPE)
            .status,
        200
    );
    assert_eq!(emu.stats()["tokens"]["byGrant"]["device_code"], 1);
    // Unknown device codes; another client's code.
    assert_aad_error(
        &poll(&emu, &pt, &client, "DAQABnotacode"),
        400,
        "bad_verification_code",
        70000,
    );
}

#[test]
fn device_code_expiry_decline_and_errors() {
    let emu = Emulator::start(&["--device-code-interval", "0", "--device-code-lifetime", "1"]);
    let pt = emu.partner_tenant();
    let app = emu.application_id();
    let get_code = |scope: &str| -> serde_json::Value {
        emu.http
            .post(emu.devicecode_url(&pt))
            .form(&[("client_id", app.as_str()), ("scope", scope)])
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let dc = get_code(EXCHANGE_SCOPE);
    std::thread::sleep(Duration::from_millis(1300));
    assert_aad_error(
        &poll(&emu, &pt, &app, dc["device_code"].as_str().unwrap()),
        400,
        "expired_token",
        70019,
    );

    let emu2 = Emulator::start(&["--device-code-interval", "0"]);
    let pt2 = emu2.partner_tenant();
    let app2 = emu2.application_id();
    let dc: serde_json::Value = emu2
        .http
        .post(emu2.devicecode_url(&pt2))
        .form(&[("client_id", app2.as_str()), ("scope", EXCHANGE_SCOPE)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let code = dc["device_code"].as_str().unwrap();
    let d = emu2
        .http
        .post(format!("{}/_emulator/devicecode/decline", emu2.url))
        .form(&[("user_code", dc["user_code"].as_str().unwrap())])
        .send()
        .unwrap();
    assert_eq!(d.status().as_u16(), 200);
    assert_eq!(
        poll(&emu2, &pt2, &app2, code).aad_error(),
        "authorization_declined"
    );
    // Another client id polling this code.
    assert_eq!(
        poll(&emu2, &pt2, &emu2.public_client_id(), code).aad_error(),
        "invalid_grant"
    );
    // The confidential app may poll without its secret, but a wrong secret fails.
    let dc: serde_json::Value = emu2
        .http
        .post(emu2.devicecode_url(&pt2))
        .form(&[("client_id", app2.as_str()), ("scope", EXCHANGE_SCOPE)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let code = dc["device_code"].as_str().unwrap();
    let r = emu2.token_request(
        &pt2,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", &app2),
            ("device_code", code),
            ("client_secret", "nope"),
        ],
    );
    assert_aad_error(&r, 401, "invalid_client", 7000215);
    assert_eq!(
        poll(&emu2, &pt2, &app2, code).aad_error(),
        "authorization_pending"
    );
    assert_eq!(
        poll(&emu2, &pt2, &app2, code).aad_error(),
        "authorization_pending"
    );
    let ok = poll(&emu2, &pt2, &app2, code);
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(
        ok.json.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    // devicecode endpoint errors.
    let r = emu2
        .http
        .post(emu2.devicecode_url("nosuch.onmicrosoft.com"))
        .form(&[("client_id", app2.as_str()), ("scope", EXCHANGE_SCOPE)])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r: serde_json::Value = emu2
        .http
        .post(emu2.devicecode_url(&pt2))
        .form(&[("client_id", app2.as_str()), ("scope", "bogus")])
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["error"], "invalid_scope");
}

#[test]
fn token_endpoint_faults() {
    let emu = Emulator::start(&["--faults", "throttle=1"]);
    let (tid, _) = emu.customer(0);
    let r = emu.redeem(
        &tid,
        &emu.application_id(),
        Some(&emu.client_secret()),
        &emu.refresh_token(),
        EXCHANGE_SCOPE,
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.aad_error(), "temporarily_unavailable");
    let s = emu.stats();
    assert_eq!(s["faults"]["byKind"]["throttle"], 1);
    assert_eq!(s["faults"]["byEndpoint"]["token"], 1);

    let emu = Emulator::start(&["--faults", "transient=1"]);
    let (tid, _) = emu.customer(0);
    let r = emu.redeem(
        &tid,
        &emu.application_id(),
        Some(&emu.client_secret()),
        &emu.refresh_token(),
        EXCHANGE_SCOPE,
    );
    assert_eq!(r.status, 503);
    assert!(r.header("retry-after").is_some());
    assert_eq!(r.aad_error(), "temporarily_unavailable");
    assert_eq!(emu.stats()["faults"]["byKind"]["transient"], 1);
}
