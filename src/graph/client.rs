//! GET requests to Microsoft Graph with the partner's delegated token: the
//! token only ever goes to the configured Graph origin, reads are retried per
//! the one policy (429 with Retry-After, 5xx, network), a refused token is
//! refreshed once, and Graph's error body becomes an actionable error.

use crate::cancel::CancelToken;
use crate::endpoint::BaseUrl;
use crate::error::{Category, Error, ExoResult, Reason};
use crate::graph::options::GraphOptions;
use crate::http::{self, HttpFailure, HttpRequest, HttpResponse};
use crate::identity::grant::TokenEndpoint;
use crate::identity::token_cache::{Credential, TokenSource};
use crate::retry::{RetryPolicy, RetryRecord};
use crate::secret::Secret;
use crate::util::{lock, new_guid, quote_redacted};
use reqwest::header::{HeaderName, ACCEPT, AUTHORIZATION};
use reqwest::Url;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// Access tokens remembered for redaction (the newest ones sent): a Graph that answers 401
/// to every request makes the client refresh each time, and the list must not grow with it.
const TOKENS_REMEMBERED: usize = 8;

/// A partner's Graph session: options and the cached Graph token of its credential.
pub struct GraphClient {
    pub(crate) options: GraphOptions,
    tokens: TokenSource,
    /// The refresh token and client secret as given, for redaction.
    given: Vec<Arc<Secret>>,
    /// The access tokens sent, newest last, for redaction.
    sent: Mutex<Vec<Arc<Secret>>>,
}

impl GraphClient {
    /// Nothing is requested yet. The token is cached per credential like
    /// Exchange tokens (same process-wide cache, scope `{graph}/.default`).
    pub fn new(
        options: GraphOptions,
        refresh_token: Secret,
        client_secret: Option<Secret>,
    ) -> GraphClient {
        let ep = TokenEndpoint::from_options(&options.base, options.scope());
        let given = std::iter::once(&refresh_token)
            .chain(client_secret.as_ref())
            .map(|s| Arc::new(s.clone()))
            .collect();
        let tokens = TokenSource::new(
            ep,
            Credential::RefreshToken {
                refresh_token,
                client_secret,
            },
        );
        GraphClient {
            options,
            tokens,
            given,
            sent: Mutex::new(Vec::new()),
        }
    }

    /// Every secret Graph's text is redacted of: the refresh token (as given and as rotated),
    /// the client secret, and the newest access tokens sent.
    pub(crate) fn secrets(&self) -> Vec<Arc<Secret>> {
        let mut all = self.given.clone();
        all.extend(self.tokens.refresh_token().map(|(t, _)| Arc::new(t)));
        all.extend(lock(&self.sent).iter().cloned());
        all
    }

    fn note_sent(&self, token: &Arc<Secret>) {
        let mut sent = lock(&self.sent);
        if !sent.iter().any(|t| t.expose() == token.expose()) {
            if sent.len() == TOKENS_REMEMBERED {
                sent.remove(0);
            }
            sent.push(token.clone());
        }
    }

    /// `{graph}/{path}` (path and query built by this crate).
    pub(crate) fn url(&self, path_and_query: &str) -> Result<Url, Error> {
        self.options.graph.join(path_and_query)
    }

    /// A link Graph returned (`@odata.nextLink`): only on the Graph origin, so the
    /// token is never sent anywhere else.
    pub(crate) fn check_link(&self, link: &str) -> Result<Url, Error> {
        check_link(&self.options.graph, link)
    }

    /// GET `url` and parse the JSON answer, retrying reads per the policy.
    pub(crate) fn get_json(
        &self,
        url: &Url,
        cancel: &Arc<CancelToken>,
        retries: &mut Vec<RetryRecord>,
    ) -> Result<Value, Error> {
        if !self.options.graph.same_origin(url) {
            return Err(Error::internal("a Graph request URL left the Graph origin"));
        }
        let o = &self.options.base;
        let policy = RetryPolicy::new(o.max_retries, o.max_retry_wait);
        let mut retry_no = 0u32;
        let mut refreshed = false;
        let mut stale: Option<Arc<Secret>> = None;
        loop {
            cancel.check()?;
            let at = match self.tokens.get(cancel, retries, stale.as_ref()) {
                Ok(at) => at,
                Err(e) if e.code.is_transient() && retry_no < policy.max_retries => {
                    retry_no += 1;
                    let wait = policy.wait(retry_no, None);
                    retries.push(record("TokenEndpointUnavailable", retry_no, wait, ""));
                    cancel.sleep(wait)?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            stale = None;
            self.note_sent(&at.token);
            let request_id = new_guid();
            let req = HttpRequest {
                method: reqwest::Method::GET,
                url: url.clone(),
                headers: vec![
                    (AUTHORIZATION, format!("Bearer {}", at.token.expose())),
                    (ACCEPT, "application/json".into()),
                    (
                        HeaderName::from_static("client-request-id"),
                        request_id.clone(),
                    ),
                ],
                sensitive: vec![AUTHORIZATION],
                content_type: "application/json",
                body: Vec::new(),
                max_body: http::MAX_PAGE_BODY_BYTES,
                pooled: true,
                connect_timeout: o.connect_timeout,
                timeout: o.read_timeout,
            };
            let (reason, retry_after, mut error) = match http::execute(req, cancel) {
                Ok(resp) if (200..300).contains(&resp.status) => {
                    return parse_answer(&resp.body, url, &request_id);
                }
                Ok(resp) if resp.status == 401 && !refreshed => {
                    refreshed = true;
                    retries.push(record(
                        "Unauthorized",
                        retry_no + 1,
                        Default::default(),
                        &request_id,
                    ));
                    stale = Some(at.token.clone());
                    continue;
                }
                Ok(resp) => {
                    let held = self.secrets();
                    let secrets: Vec<&str> = held.iter().map(|s| s.expose()).collect();
                    let e = service_error(&resp, &request_id, &secrets);
                    let transient = matches!(resp.status, 429 | 500 | 502 | 503 | 504);
                    if !transient {
                        return Err(e);
                    }
                    let reason = if resp.status == 429 {
                        "Throttled"
                    } else {
                        "Transient"
                    };
                    (reason, resp.retry_after(), e)
                }
                Err(HttpFailure::Cancelled) => return Err(Error::cancelled()),
                // A GET changes nothing: safe to send again whatever happened to it.
                Err(f) => ("ConnectionFailed", None, f.to_error("Microsoft Graph")),
            };
            if retry_no < policy.max_retries {
                retry_no += 1;
                let wait = policy.wait(retry_no, retry_after);
                retries.push(record(reason, retry_no, wait, &request_id));
                cancel.sleep(wait)?;
                continue;
            }
            error.retries = retries.len() as u32;
            error.request_id = Some(request_id);
            return Err(error);
        }
    }
}

/// A link Graph returned, checked against the Graph endpoint `graph`: only its origin passes.
pub(crate) fn check_link(graph: &BaseUrl, link: &str) -> Result<Url, Error> {
    crate::endpoint::check_page_link(graph, link, "Microsoft Graph")
}

/// JSON values (objects, arrays, strings, numbers…) one Graph answer may hold: a page of
/// 300 relationships holds some 12,000. Counted before the answer is built in memory, where
/// a 64 MB page of `[]` would take gigabytes.
pub(crate) const MAX_VALUES_PER_ANSWER: u32 = 250_000;

/// A 2xx answer of Graph to the GET of `url`, as JSON (at most `MAX_VALUES_PER_ANSWER` values).
pub(crate) fn parse_answer(body: &[u8], url: &Url, request_id: &str) -> Result<Value, Error> {
    let with_id = |mut e: Error| {
        e.request_id = Some(request_id.to_string());
        e
    };
    let counted = std::cell::Cell::new(0u32);
    let mut de = serde_json::Deserializer::from_slice(body);
    if serde::de::DeserializeSeed::deserialize(ValueCount(&counted), &mut de).is_err()
        && counted.get() > MAX_VALUES_PER_ANSWER
    {
        return Err(with_id(Error::malformed_response(format!(
            "Microsoft Graph answered {} with more than {MAX_VALUES_PER_ANSWER} JSON values in one \
             answer (a page of 300 relationships holds some 12,000); it was refused \
             [client-request-id {request_id}]",
            url.path()
        ))));
    }
    serde_json::from_slice(body).map_err(|_| {
        with_id(Error::internal(format!(
            "Microsoft Graph answered {} with a body that is not JSON [client-request-id {request_id}]",
            url.path()
        )))
    })
}

/// Counts the values of a JSON document without building them (nothing is allocated per
/// value), failing once the count passes `MAX_VALUES_PER_ANSWER`.
struct ValueCount<'a>(&'a std::cell::Cell<u32>);

impl ValueCount<'_> {
    fn tick<E: serde::de::Error>(&self) -> Result<(), E> {
        let n = self.0.get() + 1;
        self.0.set(n);
        if n > MAX_VALUES_PER_ANSWER {
            return Err(E::custom("too many values"));
        }
        Ok(())
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for ValueCount<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ValueCount<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.tick()
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.tick()
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.tick()
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.tick()
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.tick()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.tick()
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.tick()?;
        while seq.next_element_seed(ValueCount(self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.tick()?;
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            map.next_value_seed(ValueCount(self.0))?;
        }
        Ok(())
    }
}

fn record(reason: &str, attempt: u32, wait: std::time::Duration, request_id: &str) -> RetryRecord {
    RetryRecord {
        reason: reason.into(),
        attempt,
        wait_ms: wait.as_millis() as u64,
        request_id: request_id.into(),
    }
}

/// Graph's `{"error":{"code","message","innerError":{"request-id"}}}` as an error
/// that says what to do. `secrets` (the bearer token sent, every other secret of the client)
/// are redacted from every field quoted, before it is cut short.
pub(crate) fn service_error(resp: &HttpResponse, request_id: &str, secrets: &[&str]) -> Error {
    let body: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    let quote = |s: &str, max: usize| quote_redacted(s, max, secrets);
    let code = body["error"]["code"].as_str().map(|s| quote(s, 80));
    let text = body["error"]["message"].as_str().map(|s| quote(s, 400));
    let server_id = body["error"]["innerError"]["request-id"]
        .as_str()
        .or_else(|| resp.header(&HeaderName::from_static("request-id")))
        .map(|s| quote(s, 64));
    let said = match (&code, &text) {
        (Some(c), Some(t)) => format!("{c}: {t}"),
        (Some(c), None) => c.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => format!("HTTP {}", resp.status),
    };
    let ids = match &server_id {
        Some(s) => format!(" [request-id {s}; client-request-id {request_id}]"),
        None => format!(" [client-request-id {request_id}]"),
    };
    let mut e = match resp.status {
        401 => Error::new(
            ExoResult::Unauthorized,
            Reason::Unauthorized,
            format!("Microsoft Graph refused the partner's token even after a refresh ({said}).{ids}"),
        )
        .with_action(
            "Check that the application has the delegated Graph permission DelegatedAdminRelationship.Read.All \
             consented in the partner tenant, then sign in again.",
        ),
        403 => Error::new(
            ExoResult::Unauthorized,
            Reason::Forbidden,
            format!(
                "Microsoft Graph denied reading the partner's GDAP relationships ({said}): the signed-in \
                 partner user lacks a role that may read them, or the application lacks the permission.{ids}"
            ),
        )
        .with_action(
            "Sign in as a partner user in the Admin agent group (or with a Partner Center role that reads \
             GDAP relationships), and consent DelegatedAdminRelationship.Read.All for the application.",
        ),
        404 => Error::new(
            ExoResult::ExchangeError,
            Reason::NotFound,
            format!("Microsoft Graph: {said}.{ids}"),
        )
        .with_category(Category::ObjectNotFound),
        429 => {
            let mut e = Error::new(
                ExoResult::Throttled,
                Reason::Throttled,
                format!("Microsoft Graph is throttling the partner ({said}).{ids}"),
            );
            e.recommended_action =
                Some("Microsoft Graph is throttling the partner: retry later or raise -MaximumRetryCount.");
            e
        }
        500..=599 => Error::new(
            ExoResult::Transient,
            Reason::ServiceUnavailable,
            format!("Microsoft Graph is unavailable (HTTP {}: {said}).{ids}", resp.status),
        ),
        _ => Error::new(
            ExoResult::Internal,
            Reason::BadRequest,
            format!("Microsoft Graph refused the request (HTTP {}: {said}).{ids}", resp.status),
        ),
    };
    e.http_status = Some(resp.status);
    e.service_code = code;
    e.request_id = Some(request_id.to_string());
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn resp(status: u16, body: &str, retry_after: Option<&str>) -> HttpResponse {
        let mut headers = HeaderMap::new();
        if let Some(r) = retry_after {
            headers.insert("retry-after", r.parse().unwrap());
        }
        HttpResponse {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    const BODY: &str = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"rid-1"}}}"#;

    #[test]
    fn graph_errors_say_what_they_are_and_what_to_do() {
        let e = service_error(&resp(403, BODY, None), "cid", &[]);
        assert_eq!(
            (e.code, e.reason),
            (ExoResult::Unauthorized, Reason::Forbidden)
        );
        assert_eq!(e.category, Category::PermissionDenied);
        assert!(e
            .message
            .contains("Authorization_RequestDenied: Insufficient privileges"));
        assert!(
            e.message
                .ends_with("[request-id rid-1; client-request-id cid]"),
            "{}",
            e.message
        );
        assert!(e
            .recommended_action
            .unwrap()
            .contains("DelegatedAdminRelationship.Read.All"));
        assert_eq!(e.http_status, Some(403));
        assert!(e.fatal);
        let e = service_error(&resp(429, "{}", Some("3")), "cid", &[]);
        assert_eq!(e.code, ExoResult::Throttled);
        assert!(e.retryable);
        assert!(!e.recommended_action.unwrap().contains("Exchange"));
        let e = service_error(
            &resp(
                404,
                r#"{"error":{"code":"Request_ResourceNotFound","message":"x"}}"#,
                None,
            ),
            "c",
            &[],
        );
        assert_eq!(e.reason, Reason::NotFound);
        assert_eq!(e.category, Category::ObjectNotFound);
        assert_eq!(
            service_error(&resp(503, "", None), "c", &[]).code,
            ExoResult::Transient
        );
        let e = service_error(&resp(400, "not json", None), "c", &[]);
        assert_eq!(
            (e.code, e.reason),
            (ExoResult::Internal, Reason::BadRequest)
        );
        assert!(e.message.contains("HTTP 400"));
        let e = service_error(&resp(401, BODY, None), "c", &[]);
        assert_eq!(e.reason, Reason::Unauthorized);
    }

    #[test]
    fn service_text_is_bounded_and_cleaned() {
        let long = format!(
            r#"{{"error":{{"code":"X","message":"{}\u0007"}}}}"#,
            "a".repeat(5000)
        );
        let e = service_error(&resp(500, &long, None), "c", &[]);
        assert!(e.message.len() < 1000, "{}", e.message.len());
        assert!(!e.message.contains('\u{7}'));
    }

    #[test]
    fn an_answer_with_too_many_values_is_refused_before_it_is_built() {
        let url = Url::parse("https://graph.microsoft.com/v1.0/x").unwrap();
        let many = |n: usize, item: &str| {
            format!(r#"{{"value":[{}]}}"#, vec![item; n].join(",")).into_bytes()
        };
        // The object, the array and the values: 2 + n.
        let fits = MAX_VALUES_PER_ANSWER as usize - 2;
        assert!(parse_answer(&many(fits, "[]"), &url, "cid").is_ok());
        for item in ["[]", "{}", "0", "\"x\"", r#"{"a":[null]}"#] {
            let e = parse_answer(&many(fits + 1, item), &url, "cid").unwrap_err();
            assert_eq!(e.reason, Reason::MalformedResponse, "{item}");
            assert!(
                e.message.contains("more than 250000 JSON values"),
                "{}",
                e.message
            );
            assert_eq!(e.request_id.as_deref(), Some("cid"));
        }
        // A real-sized page of 300 relationships is far below the bound.
        let rel = r#"{"id":"r","displayName":"d","status":"active","endDateTime":"2027-01-01T00:00:00Z","customer":{"tenantId":"abd4ce38-520c-458d-b07d-593b03ccb00e","displayName":"Org"},"accessDetails":{"unifiedRoles":[{"roleDefinitionId":"x"},{"roleDefinitionId":"y"}]}}"#;
        assert!(parse_answer(&many(300, rel), &url, "cid").is_ok());
        // Not JSON, cut short, or too deep stays what it was.
        for body in ["not json", r#"{"value":[1,2"#, &"[".repeat(200)] {
            let e = parse_answer(body.as_bytes(), &url, "cid").unwrap_err();
            assert_eq!(e.reason, Reason::Internal, "{body}");
        }
    }

    #[test]
    fn an_echoed_token_is_redacted_from_every_field() {
        let t = "eyJ0eXAi.TOKEN-abcdef0123456789";
        let body = format!(
            r#"{{"error":{{"code":"{t}","message":"got {t}","innerError":{{"request-id":"{t}"}}}}}}"#
        );
        let e = service_error(&resp(400, &body, None), "c", &[t]);
        assert!(!e.to_json().contains(t), "{}", e.to_json());
        // Split by a bidi control (JSON-escaped in the body), which cleaning drops.
        let split = format!("{}\\u202e{}", &t[..10], &t[10..]);
        let body = format!(r#"{{"error":{{"code":"X","message":"got {split}"}}}}"#);
        let e = service_error(&resp(400, &body, None), "c", &[t]);
        assert!(!e.to_json().contains(t), "{}", e.to_json());
        assert!(e.message.contains("<redacted>"), "{}", e.message);
    }
}
