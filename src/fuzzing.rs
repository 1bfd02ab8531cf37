//! Entry points for the fuzz targets (`fuzz/`, AFL++) and for their replay
//! test (`tests/fuzz_replay.rs`). Each takes the raw bytes a server or a
//! caller could send, runs the library's real parser on them, and panics when
//! a promise does not hold: no panic inside the parser, every failure a proper
//! error (a code, a reason, a non-empty message without control characters,
//! no secret), and round trips where the library has them. Not an API.

use crate::endpoint::BaseUrl;
use crate::error::{Error, ExoResult};
use crate::exchange::cursor::{check_next_link, Page};
use crate::exchange::request::{invoke_url, InvokeRequest};
use crate::exchange::response;
use crate::http::HttpResponse;
use crate::identity::aad_error::{self, AadContext};
use crate::identity::device_code;
use crate::identity::grant;
use crate::options::ConnectionOptions;
use crate::retry::RetryPolicy;
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime};

/// A fuzz target: the bytes of one input.
pub type Target = fn(&[u8]);

/// Every target, by the name the fuzz binary, the corpus folders
/// (`fuzz/corpus/<name>/`) and the replay test use.
pub const TARGETS: [(&str, Target); 10] = [
    ("token_response", token_response),
    ("aad_error", aad_error),
    ("device_code", device_code),
    ("exchange_page", exchange_page),
    ("exchange_error", exchange_error),
    ("options", options),
    ("invoke_request", invoke_request),
    ("next_link", next_link),
    ("base_url", base_url),
    ("retry_after", retry_after),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Secrets the token endpoint's error mapping is given to redact (aad_error);
/// the seeds and the dictionary hold them so the fuzzer can echo them back.
pub const CANARY_SECRETS: [&str; 2] = ["rt-CANARY-0123456789", "cs-CANARY~abcdef"];

/// The Exchange endpoint nextLinks are checked against.
const EXCHANGE: &str = "https://outlook.office365.com";

/// What every error the library returns must be.
fn check_error(e: &Error, what: &str) {
    assert_ne!(e.code, ExoResult::Ok, "{what}: an error with result Ok");
    let reason = e.reason.as_str();
    assert!(
        !reason.is_empty() && reason.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{what}: reason {reason:?} is not a PascalCase word"
    );
    assert!(
        !e.message.trim().is_empty(),
        "{what}: an error without a message ({})",
        e.reason
    );
    assert!(
        !e.message.chars().any(|c| c.is_control()),
        "{what}: control characters in the message {:?}",
        e.message
    );
    let v: Value = serde_json::from_str(&e.to_json())
        .unwrap_or_else(|x| panic!("{what}: the error JSON does not parse: {x}"));
    assert_eq!(v["message"].as_str(), Some(e.message.as_str()), "{what}");
}

/// Secrets the library was given never appear in an error, wherever the peer echoes them.
fn check_no_secret(e: &Error, secrets: &[&str], what: &str) {
    let json = e.to_json();
    for s in secrets {
        assert!(!json.contains(s), "{what}: a secret in the error {json}");
    }
}

/// `expires_in` and friends are added to the clocks: that must not overflow.
fn check_lifetime(d: Duration, what: &str) {
    assert!(
        Instant::now().checked_add(d).is_some() && SystemTime::now().checked_add(d).is_some(),
        "{what}: {d:?} overflows the clock"
    );
}

/// A checked base URL as a URL again.
fn url_of(b: &BaseUrl) -> reqwest::Url {
    reqwest::Url::parse(b.as_str()).expect("a BaseUrl is a URL")
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A 200 answer of the token endpoint, and the access token's claims.
pub fn token_response(data: &[u8]) {
    match grant::parse_token_response(data) {
        Ok(t) => {
            assert!(!t.access_token.is_empty(), "an empty access token accepted");
            assert!(
                t.expires_in >= Duration::from_secs(1),
                "expires_in below 1 s"
            );
            check_lifetime(t.expires_in, "expires_in");
            if let Some(r) = t.refresh_in {
                check_lifetime(r, "refresh_in");
            }
            if let Some(rt) = &t.refresh_token {
                assert!(!rt.is_empty(), "an empty refresh token kept");
            }
            if let Some(claims) = grant::jwt_claims(t.access_token.expose()) {
                assert!(claims.is_object());
                if let Some(user) = grant::token_user(&claims) {
                    assert!(user.chars().count() <= 257, "user name not bounded");
                    assert!(
                        !user.chars().any(char::is_control),
                        "control characters in {user:?}"
                    );
                }
                if let (Some(exp), Some(at)) =
                    (grant::token_exp(&claims), grant::token_expiry(&claims))
                {
                    assert_eq!(
                        at.duration_since(std::time::UNIX_EPOCH).ok(),
                        Some(Duration::from_secs(exp))
                    );
                }
            }
        }
        Err(e) => check_error(&e, "token response"),
    }
}

/// A refused token request: byte 0 picks the status, the rest is the body.
pub fn aad_error(data: &[u8]) {
    let Some((&b, body)) = data.split_first() else {
        return;
    };
    let status = 400 + u16::from(b) % 200;
    let ctx = AadContext {
        tenant: "contoso.onmicrosoft.com",
        client_id: "11111111-2222-3333-4444-555555555555",
    };
    let e = aad_error::to_error(status, body, &ctx, &CANARY_SECRETS);
    check_error(&e, "token endpoint error");
    check_no_secret(&e, &CANARY_SECRETS, "token endpoint error");
    assert_eq!(e.http_status, Some(status));
    if let Some(n) = e.aadsts {
        assert!(e.message.contains(&format!("AADSTS{n}")), "{}", e.message);
    }
    // The retry decision reads the same body.
    let _ = aad_error::AadErrorBody::parse(body);
}

/// The device code endpoint's answer.
pub fn device_code(data: &[u8]) {
    match device_code::parse_device_code(data) {
        Ok(a) => {
            assert!((1..=60).contains(&a.interval.as_secs()), "{:?}", a.interval);
            assert!(
                (1..=3600).contains(&a.expires_in.as_secs()),
                "{:?}",
                a.expires_in
            );
            check_lifetime(a.expires_in, "device code expires_in");
            let v: Value = serde_json::from_str(&a.message_json)
                .unwrap_or_else(|e| panic!("message JSON does not parse: {e}"));
            for k in ["userCode", "verificationUri", "message"] {
                assert!(
                    v[k].is_string(),
                    "message JSON lacks {k}: {}",
                    a.message_json
                );
            }
            assert_eq!(v["interval"].as_u64(), Some(a.interval.as_secs()));
            assert_eq!(v["expiresIn"].as_u64(), Some(a.expires_in.as_secs()));
        }
        Err(e) => check_error(&e, "device code answer"),
    }
}

/// A 2xx InvokeCommand page; its nextLink goes through the origin check
/// and the page is handed on as the cursor's JSON.
pub fn exchange_page(data: &[u8]) {
    // A small page size, so the record cap is reached by inputs of fuzzing size.
    match response::parse_success(data, response::max_records(1).min(64), &[CANARY_SECRETS[0]]) {
        Ok(p) => {
            let records = serde_json::from_str::<Vec<&serde_json::value::RawValue>>(&p.value_json)
                .unwrap_or_else(|e| panic!("value is not a JSON array ({e}): {}", p.value_json));
            // The caller's reader (System.Text.Json) is strict about strings and depth: every
            // record must read as JSON on its own. Numbers beyond f64 are valid JSON that it
            // reads as infinity, where serde_json stops: those are let through.
            for r in &records {
                if let Err(e) = serde_json::from_str::<Value>(r.get()) {
                    if !e.to_string().starts_with("number out of range") {
                        panic!("a record a strict JSON reader refuses ({e}): {}", r.get());
                    }
                }
            }
            let records = records.len();
            assert_eq!(records, p.records, "the record count of the page");
            assert!(records <= 64, "the record cap");
            for w in &p.warnings {
                assert!(
                    !w.chars().any(crate::util::is_unsafe_for_terminal),
                    "a warning reaches the terminal with a control character: {w:?}"
                );
            }
            let exchange = BaseUrl::parse(EXCHANGE, "exchangeHost").expect("base");
            let more = match &p.next_link {
                Some(link) => match check_next_link(&exchange, link) {
                    Ok(u) => {
                        assert!(exchange.same_origin(&u));
                        true
                    }
                    Err(e) => {
                        check_error(&e, "nextLink");
                        false
                    }
                },
                None => false,
            };
            let page = Page {
                value_json: p.value_json,
                warnings: p.warnings,
                retries: Vec::new(),
                request_id: "00000000-0000-4000-8000-000000000000".into(),
                page: 1,
                more,
            };
            let json = page.to_json();
            let out: PageOut<'_> = serde_json::from_str(&json).unwrap_or_else(|e| {
                panic!("the page JSON handed to the caller does not parse: {e}")
            });
            assert_eq!(out.value.len(), records);
            assert_eq!(out.warnings, page.warnings);
            assert!(out.retries.is_empty());
            assert_eq!(out.request_id, page.request_id);
            assert_eq!((out.page, out.more), (1, more));
        }
        Err(e) => check_error(&e, "page"),
    }
}

/// The cursor's page JSON, as the caller reads it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PageOut<'a> {
    #[serde(borrow)]
    value: Vec<&'a serde_json::value::RawValue>,
    warnings: Vec<String>,
    #[serde(borrow)]
    retries: Vec<&'a serde_json::value::RawValue>,
    request_id: String,
    page: u32,
    more: bool,
}

/// A failed InvokeCommand: byte 0 picks the status, byte 1 whether the
/// request went to a nextLink and whether an `X-ExceptionType` header (the
/// text up to the first newline) came along; the rest is the body.
pub fn exchange_error(data: &[u8]) {
    let [b0, b1, rest @ ..] = data else { return };
    let status = 400 + u16::from(*b0) % 200;
    let page_link = b1 & 1 != 0;
    let (header, body) = if b1 & 2 != 0 {
        let cut = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
        let h = std::str::from_utf8(&rest[..cut]).ok();
        (h, rest.get(cut + 1..).unwrap_or(&[]))
    } else {
        (None, rest)
    };
    let se = response::parse_error(status, body, header, &[CANARY_SECRETS[0]]);
    assert!(
        !se.message.trim().is_empty(),
        "a service error without a message"
    );
    let _ = se.failure(page_link);
    let _ = se.is_transient_exception();
    let e = se.into_error("Get-Mailbox", page_link);
    check_error(&e, "Exchange error");
    assert!(e.message.starts_with("Get-Mailbox: "), "{}", e.message);
    assert_eq!(e.http_status, Some(status));
}

/// The caller's options JSON; accepted options survive options → JSON →
/// options unchanged.
pub fn options(data: &[u8]) {
    let Some(json) = text(data) else { return };
    match ConnectionOptions::from_json(json) {
        Ok(o) => {
            assert!(
                url_of(&o.authority).scheme() == "https"
                    || crate::endpoint::is_loopback(&url_of(&o.authority))
            );
            assert!(
                url_of(&o.exchange).scheme() == "https"
                    || crate::endpoint::is_loopback(&url_of(&o.exchange))
            );
            let again = options_to_json(&o);
            let o2 = ConnectionOptions::from_json(&again).unwrap_or_else(|e| {
                panic!("options written back are refused ({}): {again}", e.message)
            });
            assert_eq!(options_to_json(&o2), again, "options round trip");
            let _ = o.scope();
        }
        Err(e) => {
            check_error(&e, "options");
            // Option values are never echoed (a misplaced secret must not reach a message);
            // names are, so a canary used as a name may be.
            let in_names =
                serde_json::from_str::<serde_json::Map<String, Value>>(json).map_or(false, |m| {
                    m.keys()
                        .any(|k| CANARY_SECRETS.iter().any(|c| k.contains(c)))
                });
            if !in_names {
                check_no_secret(&e, &CANARY_SECRETS, "options");
            }
            assert!(
                matches!(
                    e.code,
                    ExoResult::InvalidArgument | ExoResult::InsecureEndpoint
                ),
                "options refused with {:?}",
                e.code
            );
        }
    }
}

/// Options as the JSON the caller could have passed.
fn options_to_json(o: &ConnectionOptions) -> String {
    json!({
        "tenantId": o.tenant_id,
        "applicationId": o.application_id,
        "credential": o.credential.map(|c| c.name()),
        "environment": o.environment.name(),
        "authorityHost": o.authority.as_str(),
        "exchangeHost": o.exchange.as_str(),
        "anchorMailbox": o.anchor_mailbox,
        "pageSize": o.page_size,
        "connectTimeoutMs": o.connect_timeout.as_millis() as u64,
        "readTimeoutMs": o.read_timeout.as_millis() as u64,
        "maxRetries": o.max_retries,
        "maxRetryWaitMs": o.max_retry_wait.as_millis() as u64,
        "clientApplication": o.client_application,
    })
    .to_string()
}

/// The caller's invocation request JSON: the encoded request reads back as
/// itself (the encoding is idempotent), its body is the envelope, and its URL
/// stays on the Exchange endpoint.
pub fn invoke_request(data: &[u8]) {
    let Some(json) = text(data) else { return };
    match InvokeRequest::from_json(json) {
        Ok(r) => {
            let body: Value = serde_json::from_slice(&r.body()).expect("the body is JSON");
            assert_eq!(
                body["CmdletInput"]["CmdletName"].as_str(),
                Some(r.cmdlet.as_str())
            );
            let params = &body["CmdletInput"]["Parameters"];
            assert!(params.is_object(), "Parameters is not an object");
            let again = json!({
                "cmdlet": r.cmdlet,
                "parameters": params,
                "select": r.select,
                "pageSize": r.page_size,
                "anchorMailbox": r.anchor_mailbox,
            })
            .to_string();
            let r2 = InvokeRequest::from_json(&again).unwrap_or_else(|e| {
                panic!("the encoded request is refused ({}): {again}", e.message)
            });
            assert_eq!(r2.body(), r.body(), "parameter encoding is not idempotent");
            assert_eq!(r2.select, r.select);
            let exchange = BaseUrl::parse(EXCHANGE, "exchangeHost").expect("base");
            let url = invoke_url(&exchange, "contoso.onmicrosoft.com", &r.select)
                .unwrap_or_else(|e| panic!("no URL for {:?}: {}", r.select, e.message));
            assert!(exchange.same_origin(&url));
            let _ = r.is_read();
        }
        Err(e) => {
            check_error(&e, "request");
            assert_eq!(e.code, ExoResult::InvalidArgument, "{}", e.message);
        }
    }
}

/// A nextLink from the service, checked against one of three Exchange
/// endpoints (byte 0); whatever passes has the endpoint's origin.
pub fn next_link(data: &[u8]) {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let Some(link) = text(rest) else { return };
    let base = [
        "https://outlook.office365.com",
        "http://127.0.0.1:8080",
        "https://[::1]:8443/prefix",
    ][usize::from(b) % 3];
    let exchange = BaseUrl::parse(base, "exchangeHost").expect("base");
    match check_next_link(&exchange, link) {
        Ok(u) => {
            assert!(exchange.same_origin(&u), "{u} left {base}");
        }
        Err(e) => check_error(&e, "nextLink"),
    }
}

/// An endpoint option (authorityHost / exchangeHost): what passes is https
/// or loopback http, and reads back as itself.
pub fn base_url(data: &[u8]) {
    let Some(s) = text(data) else { return };
    match BaseUrl::parse(s, "exchangeHost") {
        Ok(b) => {
            let u = &url_of(&b);
            assert!(
                u.scheme() == "https" || crate::endpoint::is_loopback(u),
                "{u}"
            );
            assert!(u.query().is_none() && u.fragment().is_none() && u.username().is_empty());
            let again = BaseUrl::parse(b.as_str(), "exchangeHost").unwrap_or_else(|e| {
                panic!("{} refused on the way back: {}", b.as_str(), e.message)
            });
            assert_eq!(again.as_str(), b.as_str(), "base URL round trip");
            let joined = b.join("adminapi/beta/t/InvokeCommand").expect("join");
            assert!(b.same_origin(&joined), "{joined} left {}", b.as_str());
        }
        Err(e) => {
            check_error(&e, "base URL");
            assert!(matches!(
                e.code,
                ExoResult::InvalidArgument | ExoResult::InsecureEndpoint
            ));
        }
    }
}

/// A Retry-After header value: the wait it yields is capped by the policy.
pub fn retry_after(data: &[u8]) {
    let Ok(value) = reqwest::header::HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::RETRY_AFTER, value);
    let resp = HttpResponse {
        status: 429,
        headers,
        body: Vec::new(),
    };
    let ra = resp.retry_after();
    let policy = RetryPolicy::new(5, Duration::from_secs(60));
    for retry in [1, 2, 5, 20] {
        let w = policy.wait(retry, ra);
        assert!(w <= Duration::from_secs(60), "wait {w:?} above the cap");
    }
}
