//! Entry points for the fuzz targets (`fuzz/`, AFL++) and for their replay
//! test (`tests/fuzz_replay.rs`). Each takes the raw bytes a server or a
//! caller could send, runs the library's real parser on them, and panics when
//! a promise does not hold: no panic inside the parser, every failure a proper
//! error (a code, a reason, a non-empty message without control characters,
//! no secret), and round trips where the library has them. Not an API.

use crate::endpoint::BaseUrl;
use crate::error::{Error, ExoResult};
use crate::exchange::batch::{self, SubOutcome, SubRequest};
use crate::exchange::cursor::{check_next_link, Page};
use crate::exchange::request::{invoke_url, InvokeRequest};
use crate::exchange::response;
use crate::graph::{client as graph_client, customers};
use crate::http::{self, HttpResponse};
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
pub const TARGETS: [(&str, Target); 14] = [
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
    ("batch_answer", batch_answer),
    ("batch_invocations", batch_invocations),
    ("graph_page", graph_page),
    ("graph_error", graph_error),
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

/// The access token a batch or Graph request carried, as the targets plant it: the service's
/// text must never bring it back into an error or a warning.
pub const CANARY_TOKEN: &str = "eyJ0eXAiOiJKV1Qi.at-CANARY-9876543210";

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
                assert!(
                    !w.contains(CANARY_SECRETS[0]),
                    "a secret in a warning: {w:?}"
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
                        check_no_secret(&e, &[CANARY_SECRETS[0]], "nextLink");
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
    check_no_secret(&e, &[CANARY_SECRETS[0]], "Exchange error");
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

/// What a `$batch` answer's sub-request ids are in the `batch_answer` target: "1" to "10".
const BATCH_IDS: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

/// The body of a 200 `$batch` answer. Byte 0: bits 0–3 pick how many sub-requests were sent
/// (n mod 10 + 1, ids "1".."n"), bit 4 whether they asked for next pages (odd ones are writes),
/// bit 5 whether the rest is gzip (decoded by the http layer's bounded decoder); the rest is the
/// body. Every sub-request gets exactly one outcome; pages keep the record cap and the nextLink
/// rule; errors are proper and never carry the token; a write that may have run is never retried.
pub fn batch_answer(data: &[u8]) {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(b & 15) % BATCH_IDS.len() + 1;
    let page_link = b & 16 != 0;
    let plain;
    let body = if b & 32 != 0 {
        const LIMIT: u64 = 1 << 20;
        match http::gunzip(rest, LIMIT) {
            Ok(p) => {
                assert!(p.len() as u64 <= LIMIT, "gunzip beyond its limit");
                plain = p;
                &plain[..]
            }
            Err(f) => {
                let e = f.to_error("Exchange Online");
                check_error(&e, "gzip answer");
                return;
            }
        }
    } else {
        rest
    };
    let subs: Vec<SubRequest<'_>> = BATCH_IDS[..n]
        .iter()
        .map(|id| SubRequest {
            id,
            cmdlet: "Get-Mailbox",
            max_records: 16,
            page_link,
        })
        .collect();
    let exchange = BaseUrl::parse(EXCHANGE, "exchangeHost").expect("base");
    let outcomes = batch::read_answer(body, &subs, &exchange, CANARY_TOKEN);
    assert_eq!(outcomes.len(), n, "one outcome per sub-request");
    let policy = RetryPolicy::new(5, Duration::from_secs(60));
    let mut results = Vec::new();
    let mut total = 0usize;
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let is_read = i % 2 == 0;
        let mut r = batch::InvocationResult {
            id: BATCH_IDS[i].to_string(),
            ..Default::default()
        };
        match outcome {
            SubOutcome::Page { page, next } => {
                let records =
                    serde_json::from_str::<Vec<&serde_json::value::RawValue>>(&page.value_json)
                        .unwrap_or_else(|e| panic!("value is not a JSON array ({e})"))
                        .len();
                assert_eq!(records, page.records, "the record count of the page");
                assert!(records <= 16, "the record cap");
                total += records;
                for w in &page.warnings {
                    assert!(!w.contains(CANARY_TOKEN), "the token in a warning: {w}");
                    assert!(
                        !w.chars().any(crate::util::is_unsafe_for_terminal),
                        "a warning with a control character: {w:?}"
                    );
                }
                match next {
                    None => {}
                    Some(Ok(u)) => assert!(exchange.same_origin(&u), "{u} left {EXCHANGE}"),
                    Some(Err(e)) => {
                        check_error(&e, "batch nextLink");
                        check_no_secret(&e, &[CANARY_TOKEN], "batch nextLink");
                    }
                }
                r.pages.push(page.value_json);
                r.warnings = page.warnings;
            }
            SubOutcome::Refused(e) => {
                check_error(&e, "batch page");
                check_no_secret(&e, &[CANARY_TOKEN], "batch page");
                assert_eq!(
                    e.reason,
                    crate::error::Reason::MalformedResponse,
                    "{}",
                    e.message
                );
                r.error = Some(e);
            }
            SubOutcome::Failed {
                failure,
                mut error,
                retry_after,
            } => {
                check_error(&error, "batch sub-request");
                check_no_secret(&error, &[CANARY_TOKEN], "batch sub-request");
                assert!(
                    error.message.starts_with("Get-Mailbox: "),
                    "{}",
                    error.message
                );
                if failure.retry_again(is_read, 0, &policy) {
                    // The single-call rule: a write is sent again only when it cannot have run.
                    assert!(
                        is_read || failure.not_run(),
                        "a write retried after {failure:?}"
                    );
                    for retry in [1, 5] {
                        let w = policy.wait(retry, retry_after);
                        assert!(w <= Duration::from_secs(60), "wait {w:?} above the cap");
                    }
                }
                failure.finish_error(&mut error, is_read, 0);
                check_error(&error, "batch sub-request");
                r.error = Some(error);
            }
        }
        results.push(r);
    }
    // What the caller reads: every result with its records, in order.
    let json = batch::results_json(&results);
    let v: Value = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("the results JSON does not parse ({e}): {json}"));
    let out = v.as_array().expect("an array");
    assert_eq!(out.len(), n);
    let values: usize = out
        .iter()
        .map(|r| r["value"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(values, total, "records lost or made up joining the pages");
}

/// The invocations JSON the ABI takes (`exo_batch_run`): what passes is at most
/// `MAX_INVOCATIONS` invocations with unique ids and a batch size of 1 to 10.
pub fn batch_invocations(data: &[u8]) {
    let Some(json) = text(data) else { return };
    match batch::parse_run(json) {
        Ok((invocations, size)) => {
            assert!(
                (1..=batch::MAX_BATCH_SIZE).contains(&size),
                "batch size {size}"
            );
            assert!(invocations.len() <= batch::MAX_INVOCATIONS);
            let mut ids = std::collections::HashSet::new();
            for inv in &invocations {
                assert!((1..=128).contains(&inv.id.len()), "id {:?}", inv.id);
                assert!(ids.insert(inv.id.as_str()), "id {:?} twice", inv.id);
                let body: Value =
                    serde_json::from_slice(&inv.request.body()).expect("the body is JSON");
                assert_eq!(
                    body["CmdletInput"]["CmdletName"].as_str(),
                    Some(inv.request.cmdlet.as_str())
                );
            }
        }
        Err(e) => {
            check_error(&e, "invocations");
            assert_eq!(e.code, ExoResult::InvalidArgument, "{}", e.message);
        }
    }
}

/// Graph endpoints the `graph_page` target checks nextLinks against (byte 0, bits 1–2).
const GRAPHS: [&str; 3] = [
    "https://graph.microsoft.com",
    "http://127.0.0.1:8080",
    "https://[::1]:8443/prefix",
];

/// A 2xx Microsoft Graph answer: byte 0 bit 0 is `-IncludeInactive`, bits 1–2 pick the Graph
/// endpoint (mod 3); the rest is the body, read as a page of delegatedAdminRelationships and as
/// a `findTenantInformationByTenantId` answer. Customers are GUID tenants, each once, with text
/// safe for a terminal and bounded; warnings are bounded per kind; the token sent (planted as
/// `CANARY_TOKEN`) reaches neither; a nextLink passes only on the Graph origin.
pub fn graph_page(data: &[u8]) {
    let Some((&b, body)) = data.split_first() else {
        return;
    };
    let include_inactive = b & 1 != 0;
    let graph = BaseUrl::parse(GRAPHS[usize::from(b >> 1 & 3) % 3], "graphHost").expect("base");
    let url = graph
        .join("v1.0/tenantRelationships/delegatedAdminRelationships")
        .expect("join");
    let page = match graph_client::parse_answer(body, &url, "cid") {
        Ok(v) => v,
        Err(e) => {
            check_error(&e, "Graph answer");
            return;
        }
    };
    if let Some(domain) = customers::tenant_domain(&page, &[CANARY_TOKEN]) {
        assert!(
            !domain.is_empty() && domain.chars().count() <= 254,
            "{domain:?}"
        );
        assert!(
            !domain.chars().any(crate::util::is_unsafe_for_terminal),
            "{domain:?}"
        );
        assert!(!domain.contains(CANARY_TOKEN), "{domain:?}");
    }
    let mut listing = customers::Listing::default();
    let mut tenants = customers::Tenants::default();
    match customers::read_page(&page, &mut tenants, &mut listing, &[CANARY_TOKEN]) {
        Ok(next) => {
            if let Some(link) = next {
                match graph_client::check_link(&graph, link) {
                    Ok(u) => assert!(graph.same_origin(&u), "{u} left {}", graph.as_str()),
                    Err(e) => check_error(&e, "Graph nextLink"),
                }
            }
        }
        Err(e) => {
            check_error(&e, "Graph page");
            check_no_secret(&e, &[CANARY_TOKEN], "Graph page");
            return;
        }
    }
    assert_eq!(listing.pages, 1);
    assert_eq!(
        tenants.relationships() + listing.skipped,
        listing.relationships
    );
    listing.customers = tenants.customers(include_inactive);
    listing.finish_warnings();
    // Warnings per kind are bounded: the first ones, then one that counts the rest.
    let max = customers::MAX_WARNINGS_PER_KIND as usize;
    assert_eq!(
        listing.warnings.len(),
        listing.skipped.min(max as u32) as usize + usize::from(listing.skipped as usize > max),
        "{:?}",
        listing.warnings
    );
    let mut seen = std::collections::HashSet::new();
    for c in &listing.customers {
        assert!(crate::util::is_guid(&c.tenant_id), "{:?}", c.tenant_id);
        assert_eq!(c.tenant_id, c.tenant_id.to_ascii_lowercase());
        assert!(seen.insert(c.tenant_id.clone()), "{} twice", c.tenant_id);
        assert!(
            include_inactive || c.active_relationships > 0,
            "an inactive customer listed"
        );
        for t in [&c.display_name, &c.status]
            .into_iter()
            .chain(c.relationship_ends_utc.as_ref())
        {
            assert!(
                !t.chars().any(crate::util::is_unsafe_for_terminal),
                "customer text with a control character: {t:?}"
            );
            assert!(t.chars().count() <= 257, "customer text not bounded: {t:?}");
        }
    }
    for w in &listing.warnings {
        assert!(!w.chars().any(crate::util::is_unsafe_for_terminal), "{w:?}");
    }
    let json = listing.to_json();
    assert!(
        !json.contains(CANARY_TOKEN),
        "the token sent reached the listing: {json}"
    );
    let v: Value = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("the listing JSON does not parse ({e}): {json}"));
    assert_eq!(
        v["customers"].as_array().map(Vec::len),
        Some(listing.customers.len())
    );
}

/// A failed Graph request: byte 0 picks the status (400 + n mod 200), byte 1 bit 0 whether the
/// text up to the first newline is a `request-id` header; the rest is the body. The error is
/// proper, keeps the status and the client request id, and never carries the token.
pub fn graph_error(data: &[u8]) {
    let [b0, b1, rest @ ..] = data else { return };
    let status = 400 + u16::from(*b0) % 200;
    let mut headers = reqwest::header::HeaderMap::new();
    let body = if b1 & 1 != 0 {
        let cut = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
        if let Ok(v) = reqwest::header::HeaderValue::from_bytes(&rest[..cut]) {
            headers.insert("request-id", v);
        }
        rest.get(cut + 1..).unwrap_or(&[])
    } else {
        rest
    };
    let resp = HttpResponse {
        status,
        headers,
        body: body.to_vec(),
    };
    let e = graph_client::service_error(&resp, "cid-1", &[CANARY_TOKEN]);
    check_error(&e, "Graph error");
    check_no_secret(&e, &[CANARY_TOKEN], "Graph error");
    assert_eq!(e.http_status, Some(status));
    assert!(
        e.message.ends_with("client-request-id cid-1]"),
        "{}",
        e.message
    );
    if let Some(code) = &e.service_code {
        assert!(
            !code.chars().any(crate::util::is_unsafe_for_terminal),
            "{code:?}"
        );
    }
}
