//! A hostile or broken server on 127.0.0.1 (issue 14's seven findings), through the core's
//! real path: options → connection → token request → InvokeCommand over HTTP → page or error.
//! Each test is named after the finding it guards (docs/RELIABILITY.md, "Hostile server").

mod core_support;

use core_support::*;
use exo_bridge::{Connection, DeviceFlow, Secrets};
use exo_bridge::{ExoResult, Reason, Secret};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const APP: &str = "11111111-2222-3333-4444-555555555555";
const TOKEN: &str = "eyJ0eXAiOiJKV1QifQ.hostile-test-bearer-token.c2lnbmF0dXJl";
const REFRESH: &str = "rt-hostile/0123456789+abc";
const SECRET: &str = "cs~hostile secret/+=&%42";

fn options(srv: &FakeServer, extra: Value) -> exo_bridge::ConnectionOptions {
    let mut o = json!({"tenantId":"contoso.onmicrosoft.com","applicationId": APP,
                       "authorityHost": srv.url, "exchangeHost": srv.url, "maxRetryWaitMs": 50});
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    exo_bridge::ConnectionOptions::from_json(&o.to_string()).unwrap()
}

fn connect(srv: &FakeServer, extra: Value) -> Result<Arc<Connection>, exo_bridge::Error> {
    Connection::connect(
        options(srv, extra),
        Secrets {
            refresh_token: Some(Secret::from(REFRESH)),
            client_secret: Some(Secret::from(SECRET)),
            ..Default::default()
        },
    )
}

fn token_answer() -> FakeResponse {
    FakeResponse::json(
        200,
        json!({"access_token": TOKEN, "expires_in": 3600, "refresh_token": REFRESH}),
    )
}

fn raw(status: u16, body: String) -> FakeResponse {
    FakeResponse {
        status,
        headers: vec![],
        body,
    }
}

fn invokes(srv: &FakeServer) -> usize {
    srv.requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.path.contains("InvokeCommand"))
        .count()
}

/// Nothing secret, in any form, and no control character in an error.
fn assert_clean(e: &exo_bridge::Error) {
    let text = format!("{} {}", e.message, e.to_json());
    for s in [
        TOKEN,
        REFRESH,
        SECRET,
        "hostile-test-bearer",
        "hostile secret",
        "hostile%20secret",
        "hostile+secret",
        "0123456789%2Babc",
    ] {
        assert!(!text.contains(s), "{s} leaked: {text}");
    }
    assert!(
        !e.message.chars().any(|c| c.is_control()),
        "{:?}",
        e.message
    );
}

/// A first page of 3 records with a nextLink, then `second` for the next page.
fn two_page_server(second: impl Fn() -> FakeResponse + Send + Sync + 'static) -> FakeServer {
    FakeServer::start(move |r| {
        if r.path.contains("/oauth2/v2.0/token") {
            return token_answer();
        }
        if r.path.contains("skiptoken") {
            return second();
        }
        let host = r.header("host").unwrap_or("").to_string();
        FakeResponse::json(
            200,
            json!({"value":[{"Name":"a"},{"Name":"b"},{"Name":"c"}],
                   "@odata.nextLink": format!("http://{host}/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$skiptoken=2")}),
        )
    })
}

// 1. Unbounded memory from one response.

#[test]
fn finding1_a_page_with_far_more_records_than_asked_for_is_refused() {
    // 1,000,000 empty records (3 MB): the page size asked for is 5.
    let srv = two_page_server(|| {
        let mut body = String::with_capacity(3_000_020);
        body.push_str("{\"value\":[{}");
        for _ in 1..1_000_000 {
            body.push_str(",{}");
        }
        body.push_str("]}");
        raw(200, body)
    });
    let conn = connect(&srv, json!({"pageSize": 5})).unwrap();
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
    let first = cur.next_page().unwrap();
    assert!(first.more);
    let t = Instant::now();
    let e = cur.next_page().unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(e.reason, Reason::MalformedResponse, "{e:?}");
    assert_eq!(e.code, ExoResult::Internal);
    for part in [
        "Get-Mailbox: page 2 was refused",
        "more than 2000 records",
        "1 page with 3 record(s) was delivered before it",
        "the rest of the enumeration was not read",
        "client-request-id",
    ] {
        assert!(e.message.contains(part), "{part}: {}", e.message);
    }
    // Final: asking again neither resends nor restarts.
    assert_eq!(
        cur.next_page().unwrap_err().reason,
        Reason::MalformedResponse
    );
    assert_eq!(invokes(&srv), 2, "no retry of a refused page");
    assert_clean(&e);
}

#[test]
fn finding1_an_error_body_is_read_only_to_a_few_tens_of_kb() {
    // 30 MB of error body for a write (no retry): the message quotes its start only, and the
    // exchange does not wait for (or hold) the rest.
    let srv = FakeServer::start(|r| {
        if r.path.contains("/oauth2/v2.0/token") {
            return token_answer();
        }
        let mut body = String::with_capacity(30 << 20);
        body.push_str(r#"{"error":{"code":"BadRequest","message":""#);
        body.push_str(&"A".repeat(30 << 20));
        body.push_str(r#""}}"#);
        raw(400, body)
    });
    let conn = connect(&srv, json!({})).unwrap();
    let e = run(
        &conn,
        json!({"cmdlet":"Set-Mailbox","parameters":{"Identity":"x"}}),
    )
    .unwrap_err();
    let v: Value = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(v["httpStatus"], 400, "{e:?}");
    assert!(e.message.contains("non-JSON body"), "{}", e.message);
    assert!(e.message.len() < 1000, "{} bytes", e.message.len());
}

#[test]
fn finding1_a_success_body_over_the_page_cap_is_refused() {
    let srv = two_page_server(|| raw(200, format!("{{\"value\":[\"{}\"]}}", "x".repeat(65 << 20))));
    let conn = connect(&srv, json!({"readTimeoutMs": 20000})).unwrap();
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
    cur.next_page().unwrap();
    let e = cur.next_page().unwrap_err();
    assert!(
        e.message.contains("larger than 67108864 bytes"),
        "{}",
        e.message
    );
}

// 4. Server text reaches the terminal unsanitised.

const HOSTILE_TEXT: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nWARNING: fake\u{9b}31m \u{1b}]8;;http://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\ gpj\u{202E}.exe \u{2066}x\u{2069}";

fn assert_terminal_safe(text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control()
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)),
        "{text:?}"
    );
}

#[test]
fn finding4_warnings_are_cleaned_like_error_messages() {
    let srv = FakeServer::start(|r| {
        if r.path.contains("/oauth2/v2.0/token") {
            return token_answer();
        }
        FakeResponse::json(
            200,
            json!({"value":[{"Name":"a"}],"@adminapi.warnings":[HOSTILE_TEXT, {"nested": HOSTILE_TEXT}]}),
        )
    });
    let conn = connect(&srv, json!({})).unwrap();
    let (_, pages) = drain(&mut invoke(&conn, json!({"cmdlet":"Get-Mailbox"}))).unwrap();
    let warnings = &pages[0].warnings;
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    for w in warnings {
        assert_terminal_safe(w);
    }
    assert!(warnings[0].contains("WARNING: fake") && warnings[0].contains("gpj.exe"));
    // The cursor's page JSON (what the module reads) carries the cleaned text.
    let v: Value = serde_json::from_str(&pages[0].to_json()).unwrap();
    assert_terminal_safe(v["warnings"][0].as_str().unwrap());
}

#[test]
fn finding4_the_device_code_message_is_cleaned() {
    let srv = FakeServer::start(|r| {
        if r.path.ends_with("/devicecode") {
            return FakeResponse::json(
                200,
                json!({"device_code":"dc","user_code": format!("AB\u{1b}[2JCD"),
                       "verification_uri": format!("https://microsoft.com/devicelogin\u{202E}"),
                       "expires_in":60,"interval":1,"message": HOSTILE_TEXT}),
            );
        }
        FakeResponse::json(400, json!({"error":"authorization_pending"}))
    });
    let flow = DeviceFlow::start(&options(&srv, json!({}))).unwrap();
    let msg: Value = serde_json::from_str(flow.message_json()).unwrap();
    for k in ["message", "userCode", "verificationUri"] {
        assert_terminal_safe(msg[k].as_str().unwrap());
    }
    assert!(msg["message"].as_str().unwrap().contains("gpj.exe"));
    flow.cancel();
}

// 5. Malformed data escapes the error contract.

#[test]
fn finding5_a_lone_surrogate_ends_the_enumeration_with_its_state() {
    let srv = two_page_server(|| raw(200, r#"{"value":[{"Name":"\ud800"}]}"#.into()));
    let conn = connect(&srv, json!({})).unwrap();
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
    assert_eq!(cur.next_page().unwrap().page, 1);
    let e = cur.next_page().unwrap_err();
    assert_eq!(e.reason, Reason::MalformedResponse, "{e:?}");
    assert!(e.message.contains("surrogate"), "{}", e.message);
    assert!(
        e.message.contains("1 page with 3 record(s) was delivered"),
        "{}",
        e.message
    );
}

#[test]
fn finding5_nesting_beyond_any_reader_is_an_error_not_an_exception() {
    for depth in [101usize, 300, 100_000] {
        let body = format!(
            r#"{{"value":[{}{}]}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let srv = two_page_server(move || raw(200, body.clone()));
        let conn = connect(&srv, json!({})).unwrap();
        let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
        cur.next_page().unwrap();
        let e = cur.next_page().unwrap_err();
        assert_eq!(e.reason, Reason::MalformedResponse, "{depth}: {e:?}");
        assert!(e.message.contains("nested"), "{depth}: {}", e.message);
    }
    // In the warnings too (serde_json's own depth limit).
    let body = format!(
        r#"{{"value":[],"@adminapi.warnings":[{}{}]}}"#,
        "[".repeat(300),
        "]".repeat(300)
    );
    let srv = two_page_server(move || raw(200, body.clone()));
    let conn = connect(&srv, json!({})).unwrap();
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
    cur.next_page().unwrap();
    let e = cur.next_page().unwrap_err();
    assert_eq!(e.reason, Reason::MalformedResponse, "{e:?}");
}

#[test]
fn finding5_an_absurd_expires_in_is_clamped_not_a_panic() {
    for expires in [
        json!(18446744073709551615u64),
        json!("18446744073709551615"),
        json!(-1),
        json!(1e300),
    ] {
        let e2 = expires.clone();
        let srv = FakeServer::start(move |r| {
            if r.path.contains("/oauth2/v2.0/token") {
                return FakeResponse::json(200, json!({"access_token": TOKEN, "expires_in": e2}));
            }
            FakeResponse::json(200, json!({"value":[{"Name":"a"}]}))
        });
        let conn = connect(&srv, json!({})).expect("connects");
        let rows = run(&conn, json!({"cmdlet":"Get-Mailbox"})).expect("a page");
        assert_eq!(rows.len(), 1, "{expires}");
    }
}

// 6. Secrets echoed by the server appear in errors.

#[test]
fn finding6_an_echoed_authorization_header_is_redacted_from_exchange_errors() {
    let srv = FakeServer::start(|r| {
        if r.path.contains("/oauth2/v2.0/token") {
            return token_answer();
        }
        let auth = r.header("authorization").unwrap_or("").to_string();
        let mut resp = match r.header("x-cmdletname") {
            // Non-JSON, the header verbatim.
            Some("Set-Mailbox") => raw(400, format!("<html>you sent Authorization: {auth}</html>")),
            // JSON, the token JSON-escaped in a message and in a details triple.
            _ => FakeResponse::json(
                403,
                json!({"error":{"code":"Forbidden","message": format!("token {}", auth.replace('/', "\\/")),
                       "details":[{"message": format!("E|Some.Exception|echo {auth}")}]}}),
            ),
        };
        resp.headers.push(("X-ExceptionType".into(), auth));
        resp
    });
    let conn = connect(&srv, json!({})).unwrap();
    for cmdlet in ["Set-Mailbox", "Get-Mailbox"] {
        let e = run(
            &conn,
            json!({"cmdlet": cmdlet, "parameters":{"Identity":"x"}}),
        )
        .unwrap_err();
        assert!(e.message.contains("<redacted>"), "{}", e.message);
        assert_clean(&e);
    }
}

#[test]
fn finding6_an_echoed_token_request_is_redacted_from_sign_in_errors() {
    // The token endpoint quotes the whole form body back (form-encoded secrets) and the
    // secrets raw and JSON-escaped, in every field it has.
    let srv = FakeServer::start(|r| {
        let body = r.body_str();
        FakeResponse::json(
            400,
            json!({"error": format!("invalid_grant {body}"),
                   "error_description": format!("AADSTS9999999: you sent {body} and {REFRESH} and {SECRET}"),
                   "error_codes":[9999999], "correlation_id": body}),
        )
    });
    let e = connect(&srv, json!({})).err().expect("refused");
    assert!(e.message.contains("<redacted>"), "{}", e.message);
    assert_clean(&e);
}

// 7. `localhost` is trusted by name.

/// An address of this machine that is not loopback (the interface a route out uses).
fn non_loopback_address() -> std::net::IpAddr {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    s.connect("192.0.2.1:9").unwrap();
    let ip = s.local_addr().unwrap().ip();
    assert!(
        !ip.is_loopback(),
        "this test needs a non-loopback interface"
    );
    ip
}

/// With /etc/hosts saying `localhost` is another machine (a mount namespace with its own
/// hosts file, so nothing outside this test sees it), plain http to `localhost` still goes
/// to 127.0.0.1 only: the refresh token and secret never reach the address the name resolves to.
#[test]
fn finding7_localhost_is_never_resolved_elsewhere() {
    const CHILD: &str = "EXO_HOSTILE_LOCALHOST_CHILD";
    if std::env::var_os(CHILD).is_none() {
        // Re-run this one test in a private mount namespace with its own /etc/hosts.
        let elsewhere = non_loopback_address();
        let hosts = std::env::temp_dir().join(format!("exo-hostile-hosts-{}", std::process::id()));
        std::fs::write(&hosts, format!("{elsewhere} localhost\n")).unwrap();
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new("unshare")
            .args(["-m", "sh", "-c", "mount --bind \"$1\" /etc/hosts && exec \"$2\" --exact finding7_localhost_is_never_resolved_elsewhere --nocapture --test-threads 1", "sh"])
            .arg(&hosts)
            .arg(&exe)
            .env(CHILD, elsewhere.to_string())
            .output()
            .expect("unshare runs (the test needs root or a user namespace)");
        let _ = std::fs::remove_file(&hosts);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{text}");
        assert!(text.contains("1 passed"), "{text}");
        return;
    }
    // The child: `localhost` resolves to the other address here.
    let elsewhere: std::net::IpAddr = std::env::var(CHILD).unwrap().parse().unwrap();
    let resolved: Vec<_> = std::net::ToSocketAddrs::to_socket_addrs(&("localhost", 80))
        .unwrap()
        .map(|a| a.ip())
        .collect();
    assert_eq!(resolved, vec![elsewhere], "the namespace's hosts file");
    // The real service on 127.0.0.1, and a thief on the same port at the other address.
    let srv = FakeServer::start(|r| {
        if r.path.contains("/oauth2/v2.0/token") {
            return token_answer();
        }
        FakeResponse::json(200, json!({"value":[{"Name":"a"}]}))
    });
    let port = srv.url.rsplit(':').next().unwrap().to_string();
    let thief = std::net::TcpListener::bind((elsewhere, port.parse::<u16>().unwrap())).unwrap();
    thief.set_nonblocking(true).unwrap();
    let url = format!("http://localhost:{port}");
    let o = exo_bridge::ConnectionOptions::from_json(
        // Short waits: a request that went to the thief (which never answers) fails fast.
        &json!({"tenantId":"contoso.onmicrosoft.com","applicationId": APP,
                "authorityHost": url, "exchangeHost": url,
                "readTimeoutMs": 3000, "connectTimeoutMs": 2000, "maxRetries": 0})
        .to_string(),
    )
    .unwrap();
    let conn = Connection::connect(
        o,
        Secrets {
            refresh_token: Some(Secret::from(REFRESH)),
            client_secret: Some(Secret::from(SECRET)),
            ..Default::default()
        },
    )
    .expect("connects over 127.0.0.1");
    assert_eq!(
        run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap().len(),
        1
    );
    assert_eq!(
        srv.request_count(),
        2,
        "token and InvokeCommand at 127.0.0.1"
    );
    assert!(
        thief.accept().is_err(),
        "nothing connected to {elsewhere}:{port}"
    );
}
