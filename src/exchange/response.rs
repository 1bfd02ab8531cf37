//! InvokeCommand responses: pages (`value`, `@odata.nextLink`,
//! `@adminapi.warnings`) and errors (`details[].message` triples, inner
//! exceptions, `X-ExceptionType`), classified for retry and for the caller.

use crate::error::{Category, Error, ExoResult, Reason};
use crate::exchange::failure::Failure;
use crate::http::HttpResponse;
use crate::util::clean_text;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A successful page. `value_json` is the service's `value` array, verbatim.
#[derive(Debug)]
pub(crate) struct SuccessPage {
    pub(crate) value_json: String,
    pub(crate) next_link: Option<String>,
    pub(crate) warnings: Vec<String>,
}

#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
    #[serde(rename = "@adminapi.warnings", default)]
    warnings: Option<Vec<Value>>,
}

/// Parse a 2xx body. An empty body (some writes) is an empty page.
pub(crate) fn parse_success(body: &[u8]) -> Result<SuccessPage, Error> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(SuccessPage {
            value_json: "[]".into(),
            next_link: None,
            warnings: Vec::new(),
        });
    }
    let raw: RawPage<'_> = serde_json::from_slice(body).map_err(|_| {
        Error::internal("Exchange answered with a body that is not the expected JSON")
    })?;
    if let Some(problem) = raw.value.and_then(|v| strict_reader_problem(v.get())) {
        return Err(Error::internal(format!(
            "Exchange answered with records no JSON reader should accept: {problem}"
        )));
    }
    let value_json = match raw.value {
        None => "[]".to_string(),
        Some(v) => {
            let t = v.get().trim_start();
            if t.starts_with('[') {
                v.get().to_string()
            } else {
                format!("[{}]", v.get())
            }
        }
    };
    let warnings = raw
        .warnings
        .unwrap_or_default()
        .into_iter()
        .map(|w| match w {
            Value::String(s) => s,
            other => other.to_string(),
        })
        .collect();
    Ok(SuccessPage {
        value_json,
        next_link: raw.next_link.filter(|s| !s.is_empty()),
        warnings,
    })
}

/// Deepest nesting of the records handed on (the caller's reader stops at 256
/// levels for the whole page; real records are a few levels deep).
const MAX_VALUE_DEPTH: usize = 100;

/// What a strict JSON reader refuses in text serde_json's `RawValue` lets
/// through (it checks neither): nesting deeper than `MAX_VALUE_DEPTH`, and
/// `\u` escapes that are not whole UTF-16 surrogate pairs. `json` is valid JSON.
fn strict_reader_problem(json: &str) -> Option<&'static str> {
    const LONE: &str = "a string holds an unpaired UTF-16 surrogate escape (such as \\ud800)";
    let b = json.as_bytes();
    let (mut depth, mut i, mut in_string, mut high_surrogate) = (0usize, 0usize, false, false);
    while i < b.len() {
        let c = b[i];
        if !in_string {
            match c {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_VALUE_DEPTH {
                        return Some("records nested deeper than 100 levels");
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
            continue;
        }
        let unit = if c == b'\\' && b.get(i + 1) == Some(&b'u') {
            let unit = json
                .get(i + 2..i + 6)
                .and_then(|h| u16::from_str_radix(h, 16).ok());
            i += 6;
            unit
        } else {
            if c == b'"' {
                in_string = false;
            }
            i += if c == b'\\' { 2 } else { 1 };
            None
        };
        let is_low = matches!(unit, Some(0xDC00..=0xDFFF));
        if high_surrogate != is_low {
            return Some(LONE);
        }
        high_surrogate = matches!(unit, Some(0xD800..=0xDBFF));
    }
    None
}

/// Exception types docs/PROTOCOL.md §3 lists as transient.
pub(crate) const TRANSIENT_EXCEPTIONS: [&str; 7] = [
    "ADServerSettingsChangedException",
    "ADTransientException",
    "ServerBusyException",
    "TransientException",
    "BackendCommunicationException",
    "CmdletProxyNotAvailableFailure",
    "UnableToWriteToAadException",
];

const CONCURRENCY_TEXT: &str = "maximum number of concurrent requests";
const EXPIRED_PAGE_TEXT: &str = "expired or invalid pagination request";

/// An Exchange error response, taken apart.
#[derive(Debug, Clone)]
pub(crate) struct ServiceError {
    pub(crate) status: u16,
    /// `error.code` (NotFound, BadRequest, …).
    pub(crate) code: Option<String>,
    /// Short exception type (`ManagementObjectNotFoundException`).
    pub(crate) exception_type: Option<String>,
    /// The best message: details → innererror.internalexception → innererror → message.
    pub(crate) message: String,
    /// The first non-empty `details[].target`: what the error is about.
    pub(crate) target: Option<String>,
    /// The per-tenant concurrency refusal.
    pub(crate) concurrency: bool,
    /// "Expired or Invalid pagination request".
    pub(crate) page_expired: bool,
}

fn short_type(t: &str) -> String {
    clean_text(t.rsplit('.').next().unwrap_or(t).trim(), 128)
}

/// A 401 that a new token may cure: the service challenges the token
/// (`WWW-Authenticate: Bearer …, error="invalid_token"`) or says nothing at all. A 401 with an
/// error body and no such challenge is a role denial ("User is not allowed to call
/// Get-Mailbox"; docs/PROTOCOL.md §5).
pub(crate) fn token_refused(resp: &HttpResponse) -> bool {
    let challenged = resp
        .headers
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            let v = v.to_ascii_lowercase().replace(' ', "");
            v.contains("error=\"invalid_token\"") || v.contains("error=invalid_token")
        });
    challenged || resp.body.iter().all(|b| b.is_ascii_whitespace())
}

/// `obj[key]` with the key in any case (`innererror`, `innerError`, `InnerError`, …).
fn get_any_case<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    let map = obj.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A non-empty string field, in any key case.
fn text_field(obj: Option<&Value>, key: &str) -> Option<String> {
    obj.and_then(|o| get_any_case(o, key))
        .and_then(|m| m.as_str())
        .filter(|m| !m.trim().is_empty())
        .map(str::to_string)
}

/// Parse an error response. `exception_header` is `X-ExceptionType`, if any.
pub(crate) fn parse_error(
    status: u16,
    body: &[u8],
    exception_header: Option<&str>,
) -> ServiceError {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let concurrency = lower.contains(CONCURRENCY_TEXT);
    let page_expired = lower.contains(EXPIRED_PAGE_TEXT);
    let v: Option<Value> = serde_json::from_slice(body).ok();
    let err = v
        .as_ref()
        .and_then(|v| v.get("error"))
        .filter(|e| e.is_object());
    let mut exception_type = None;
    let mut message = None;
    let mut code = None;
    let mut target = None;
    if let Some(e) = err {
        code = e
            .get("code")
            .and_then(|c| c.as_str())
            .map(|s| clean_text(s, 64));
        if let Some(details) = e.get("details").and_then(|d| d.as_array()) {
            for d in details {
                if target.is_none() {
                    target = text_field(Some(d), "target").map(|t| clean_text(&t, 256));
                }
                if let Some(m) = d.get("message").and_then(|m| m.as_str()) {
                    let parts: Vec<&str> = m.splitn(3, '|').collect();
                    if parts.len() == 3 {
                        if exception_type.is_none() && !parts[1].trim().is_empty() {
                            exception_type = Some(short_type(parts[1]));
                        }
                        if message.is_none() && !parts[2].trim().is_empty() {
                            message = Some(parts[2].to_string());
                        }
                    } else if message.is_none() && !m.trim().is_empty() {
                        message = Some(m.to_string());
                    }
                }
            }
        }
        // The key case of innererror / internalexception varies (docs/PROTOCOL.md §3).
        let inner = get_any_case(e, "innererror");
        let internal = inner.and_then(|i| get_any_case(i, "internalexception"));
        if message.is_none() {
            message = text_field(internal, "message");
        }
        if message.is_none() {
            message = text_field(inner, "message");
        }
        if message.is_none() {
            message = e
                .get("message")
                .and_then(|m| m.as_str())
                .filter(|m| !m.trim().is_empty())
                .map(str::to_string);
        }
        if exception_type.is_none() {
            exception_type = text_field(internal, "type")
                .or_else(|| text_field(inner, "type"))
                .map(|t| short_type(&t));
        }
    }
    if exception_type.is_none() {
        exception_type = exception_header
            .filter(|h| !h.trim().is_empty())
            .map(short_type);
    }
    let json = v.is_some();
    let message = match message {
        Some(m) => clean_text(&m, 1000),
        None if !json && !text.trim().is_empty() => {
            format!(
                "HTTP {status} with a non-JSON body: {}",
                clean_text(&text, 200)
            )
        }
        None => format!("HTTP {status} without an error message"),
    };
    ServiceError {
        status,
        code,
        exception_type,
        message,
        target,
        concurrency,
        page_expired,
    }
}

impl ServiceError {
    pub(crate) fn is_transient_exception(&self) -> bool {
        self.exception_type.as_deref().map_or(false, |t| {
            TRANSIENT_EXCEPTIONS
                .iter()
                .any(|x| x.eq_ignore_ascii_case(t))
        })
    }

    /// For the retry policy. `page_link`: the request went to a nextLink.
    pub(crate) fn failure(&self, page_link: bool) -> Failure {
        if page_link && self.page_expired && self.status == 400 {
            return Failure::Permanent;
        }
        if self.concurrency {
            return Failure::ConcurrencyLimit;
        }
        match self.status {
            429 => Failure::Throttled,
            424 => Failure::NotExecuted,
            _ if self.is_transient_exception() => Failure::TransientException,
            503 => Failure::ServiceUnavailable,
            504 => Failure::GatewayTimeout,
            408 => Failure::RequestTimeout,
            _ => Failure::Permanent,
        }
    }

    /// The caller's error: code, reason, message with the service's ids.
    pub(crate) fn into_error(self, cmdlet: &str, page_link: bool) -> Error {
        let (code, reason, hint): (ExoResult, Reason, &str) = if page_link
            && self.page_expired
            && self.status == 400
        {
            (
                ExoResult::PageExpired,
                Reason::PageExpired,
                "The page link expired (Exchange keeps them 30 minutes): run the command again; \
                 consume pages without long pauses.",
            )
        } else if self.concurrency {
            (
                ExoResult::Throttled,
                Reason::ConcurrencyLimit,
                "Exchange refused the request: too many concurrent requests for this tenant. \
                 Run fewer commands against it at once.",
            )
        } else if self.status == 429 {
            (
                ExoResult::Throttled,
                Reason::Throttled,
                "Exchange is throttling requests for this tenant: slow down.",
            )
        } else if let Some(r) = self.exception_type.as_deref().and_then(exception_reason) {
            r
        } else {
            match self.status {
                // Only role denials get here: a refused token is handled (refreshed) by the cursor.
                401 => (ExoResult::ExchangeError, Reason::AccessDenied, ROLE_DENIED),
                403 => (
                    ExoResult::Unauthorized,
                    Reason::Forbidden,
                    "Exchange refused access: check the GDAP roles (Exchange Administrator) for this tenant.",
                ),
                404 => (ExoResult::ExchangeError, Reason::NotFound, ""),
                408 | 504 => (ExoResult::Timeout, Reason::Timeout, "Exchange did not finish in time."),
                500..=599 => (ExoResult::Transient, Reason::ServiceUnavailable, "Exchange Online failed or is unavailable."),
                400 => (ExoResult::ExchangeError, Reason::BadRequest, ""),
                _ => (ExoResult::ExchangeError, Reason::ExchangeError, ""),
            }
        };
        let mut message = if hint.is_empty() {
            format!("{cmdlet}: {}", self.message)
        } else if self.message.is_empty() {
            format!("{cmdlet}: {hint}")
        } else {
            format!("{cmdlet}: {hint} Exchange said: {}", self.message)
        };
        if let Some(t) = &self.exception_type {
            message.push_str(&format!(" ({t})"));
        }
        if let Some(t) = self.target.as_deref() {
            if !self.message.contains(t) {
                message.push_str(&format!(" (target: {t})"));
            }
        }
        let mut e = Error::new(code, reason, message);
        if code == ExoResult::ExchangeError {
            e.category = exchange_category(
                reason,
                &[self.exception_type.as_deref(), self.code.as_deref()],
            );
        }
        e.exception_type = self.exception_type;
        e.service_code = self.code;
        e.http_status = Some(self.status);
        e
    }
}

/// The category of an error Exchange reported for the cmdlet: from the reason, else from
/// words in the service's exception type or error code (`…NotFound…`, `…Invalid…`), which
/// name many more cases than the reasons do.
fn exchange_category(reason: Reason, service_names: &[Option<&str>]) -> Category {
    let named = |words: &[&str]| {
        service_names.iter().flatten().any(|n| {
            let n = n.to_ascii_lowercase();
            words.iter().any(|w| n.contains(&w.to_ascii_lowercase()))
        })
    };
    match reason {
        Reason::NotFound => Category::ObjectNotFound,
        _ if named(&["NotFound"]) => Category::ObjectNotFound,
        Reason::AccessDenied | Reason::Forbidden | Reason::Unauthorized => {
            Category::PermissionDenied
        }
        _ if named(&["AccessDenied", "Forbidden", "Unauthorized"]) => Category::PermissionDenied,
        Reason::AlreadyExists => Category::ResourceExists,
        _ if named(&["AlreadyExists", "Duplicate"]) => Category::ResourceExists,
        Reason::BadRequest | Reason::InvalidParameter | Reason::InvalidOperation => {
            Category::InvalidArgument
        }
        _ if named(&["BadRequest", "Parameter", "Invalid"]) => Category::InvalidArgument,
        _ => Category::InvalidOperation,
    }
}

/// A role denial: not the token (a refresh would not help), not fatal for other tenants.
const ROLE_DENIED: &str = "The account's Exchange roles in this tenant do not allow this cmdlet \
     (check its GDAP role assignments, e.g. Exchange Administrator).";

/// Exception type → (code, reason, sentence before the service's text).
fn exception_reason(t: &str) -> Option<(ExoResult, Reason, &'static str)> {
    let x = ExoResult::ExchangeError;
    let r = match t {
        "ManagementObjectNotFoundException"
        | "ObjectNotFoundException"
        | "RecipientNotFoundException"
        | "MailboxNotFoundException"
        | "ManagementObjectNotFound"
        | "UserNotFoundInPermissionEntryException" => (x, Reason::NotFound, ""),
        "ManagementObjectAmbiguousException" => (
            x,
            Reason::Ambiguous,
            "More than one object matches: use a unique identity.",
        ),
        "ParameterBindingException"
        | "ParameterBindingValidationException"
        | "ValidationArgumentException"
        | "ArgumentException"
        | "ArgumentNullException"
        | "ArgumentOutOfRangeException"
        | "TaskArgumentException"
        | "DataValidationException"
        | "InvalidParameterException"
        | "InvalidExternalUserIdException"
        | "InvalidSharingPermissionFlagsException" => (x, Reason::InvalidParameter, ""),
        "InvalidOperationException" => (x, Reason::InvalidOperation, ""),
        "CommandNotFoundException" => (
            x,
            Reason::UnknownCmdlet,
            "The cmdlet is not available through the Exchange admin API for this account.",
        ),
        "CmdletAccessDeniedException" => (x, Reason::AccessDenied, ROLE_DENIED),
        "UnauthorizedAccessException"
        | "OperationRequiresGroupManagerException"
        | "AccessDeniedException" => (
            x,
            Reason::AccessDenied,
            "Access denied: check the GDAP roles for this tenant.",
        ),
        "UserAlreadyExistsException"
        | "ProxyAddressExistsException"
        | "ADObjectAlreadyExistsException"
        | "UserAlreadyExistsInPermissionEntryException" => (x, Reason::AlreadyExists, ""),
        _ if TRANSIENT_EXCEPTIONS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(t)) =>
        {
            (
                ExoResult::Transient,
                Reason::Transient,
                "A transient Exchange failure; try again.",
            )
        }
        _ => return None,
    };
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exo_err(status: u16, details_msg: &str) -> ServiceError {
        let body = serde_json::json!({"error":{"code":"BadRequest","message":"top message",
            "details":[{"code":"Ex","message": details_msg}],
            "innererror":{"message":"inner","type":"Some.Type","internalexception":{"message":"internal text"}}}});
        parse_error(status, body.to_string().as_bytes(), None)
    }

    #[test]
    fn page_parsing_keeps_value_verbatim() {
        let p = parse_success(
            br#"{"@odata.context":"c","value":[{"Name":"a"},{"Name":"b"}],"@odata.nextLink":"https://h/x?$skiptoken=1","@adminapi.warnings":["careful"]}"#,
        )
        .unwrap();
        assert_eq!(p.value_json, r#"[{"Name":"a"},{"Name":"b"}]"#);
        assert_eq!(p.next_link.as_deref(), Some("https://h/x?$skiptoken=1"));
        assert_eq!(p.warnings, vec!["careful"]);
        let p = parse_success(b"{}").unwrap();
        assert_eq!(p.value_json, "[]");
        assert!(parse_success(b"").unwrap().next_link.is_none());
        assert!(parse_success(b"<html>").is_err());
    }

    #[test]
    fn pages_a_strict_reader_would_refuse_are_errors() {
        for bad in [
            r#"{"value":[{"Name":"\ud800"}]}"#,
            r#"{"value":[{"Name":"\udc00x"}]}"#,
            r#"{"value":[{"Name":"\ud800\u0041"}]}"#,
            r#"{"value":["\ud83d"]}"#,
        ] {
            let e = parse_success(bad.as_bytes()).unwrap_err();
            assert!(e.message.contains("surrogate"), "{bad}: {}", e.message);
        }
        let deep = format!(r#"{{"value":[{}{}]}}"#, "[".repeat(100), "]".repeat(100));
        assert!(parse_success(deep.as_bytes())
            .unwrap_err()
            .message
            .contains("nested"));
        let ok = format!(r#"{{"value":[{}{}]}}"#, "[".repeat(99), "]".repeat(99));
        assert!(parse_success(ok.as_bytes()).is_ok());
        let p = parse_success(br#"{"value":[{"E":"\ud83d\ude00 \\ \" \u00e9 [{"}]}"#).unwrap();
        assert_eq!(p.value_json, r#"[{"E":"\ud83d\ude00 \\ \" \u00e9 [{"}]"#);
    }

    #[test]
    fn best_message_order() {
        let e = exo_err(404, "Ex|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The object 'x' couldn't be found.");
        assert_eq!(
            e.exception_type.as_deref(),
            Some("ManagementObjectNotFoundException")
        );
        assert_eq!(e.message, "The object 'x' couldn't be found.");
        let err = e.into_error("Get-Mailbox", false);
        assert_eq!(err.reason, Reason::NotFound);
        assert_eq!(err.category, Category::ObjectNotFound);
        assert_eq!(err.code, ExoResult::ExchangeError);
        assert!(err.message.starts_with("Get-Mailbox: The object 'x'"));
        // No details → internal exception → message.
        let body = br#"{"error":{"code":"X","message":"top","innererror":{"internalexception":{"message":"deep"}}}}"#;
        assert_eq!(parse_error(500, body, None).message, "deep");
        let body = br#"{"error":{"code":"X","message":"top"}}"#;
        assert_eq!(parse_error(500, body, None).message, "top");
        // Header type when the body has none; non-JSON body.
        let e = parse_error(
            500,
            b"<html>oops</html>",
            Some("Microsoft.Exchange.Data.Directory.ADTransientException"),
        );
        assert!(e.is_transient_exception());
        assert!(e.message.contains("non-JSON"));
    }

    #[test]
    fn reasons_for_exception_types() {
        let cases = [
            ("ParameterBindingException", "InvalidParameter"),
            ("CommandNotFoundException", "UnknownCmdlet"),
            ("ManagementObjectAmbiguousException", "Ambiguous"),
            ("ADServerSettingsChangedException", "Transient"),
            (
                "UserAlreadyExistsInPermissionEntryException",
                "AlreadyExists",
            ),
            ("UserNotFoundInPermissionEntryException", "NotFound"),
            ("DataValidationException", "InvalidParameter"),
        ];
        for (t, reason) in cases {
            let e = exo_err(400, &format!("Ex|Microsoft.Exchange.{t}|text"));
            assert_eq!(
                e.into_error("Get-Mailbox", false).reason.as_str(),
                reason,
                "{t}"
            );
        }
    }

    #[test]
    fn inner_error_keys_in_any_case_and_details_target() {
        for (inner, internal) in [
            ("innererror", "internalexception"),
            ("innerError", "internalException"),
            ("InnerError", "InternalException"),
        ] {
            let body = format!(
                r#"{{"error":{{"code":"X","message":"top","{inner}":{{"message":"inner","type":"A.B.OuterException","{internal}":{{"message":"deep","type":"A.B.DeepException"}}}}}}}}"#
            );
            let e = parse_error(500, body.as_bytes(), None);
            assert_eq!(e.message, "deep", "{inner}");
            assert_eq!(
                e.exception_type.as_deref(),
                Some("DeepException"),
                "{inner}"
            );
        }
        let body =
            br#"{"error":{"code":"X","message":"top","InnerError":{"Message":"inner only"}}}"#;
        assert_eq!(parse_error(500, body, None).message, "inner only");
        let body = br#"{"error":{"code":"BadRequest","message":"m","details":[{"code":"c","target":"","message":"first"},{"code":"c","target":"ForwardingSmtpAddress","message":"x"}]}}"#;
        let e = parse_error(400, body, None);
        assert_eq!(e.target.as_deref(), Some("ForwardingSmtpAddress"));
        let err = e.into_error("Set-Mailbox", false);
        assert!(
            err.message.contains("(target: ForwardingSmtpAddress)"),
            "{}",
            err.message
        );
    }

    fn response(status: u16, challenge: Option<&str>, body: &[u8]) -> HttpResponse {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(c) = challenge {
            headers.insert("www-authenticate", c.parse().unwrap());
        }
        HttpResponse {
            status,
            headers,
            body: body.to_vec(),
        }
    }

    #[test]
    fn a_401_is_a_token_problem_only_when_it_says_so() {
        let denial = br#"{"error":{"code":"Unauthorized","message":"User is not allowed to call Get-Mailbox."}}"#;
        let bearer =
            r#"Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="x""#;
        assert!(token_refused(&response(
            401,
            Some(&format!(r#"{bearer}, error="invalid_token""#)),
            br#"{"error":{"code":"Unauthorized","message":"expired"}}"#
        )));
        assert!(token_refused(&response(401, None, b"")));
        assert!(token_refused(&response(401, Some(bearer), b"  ")));
        assert!(!token_refused(&response(401, None, denial)));
        assert!(!token_refused(&response(401, Some(bearer), denial)));
        let err = parse_error(401, denial, None).into_error("Get-Mailbox", false);
        assert_eq!(err.reason, Reason::AccessDenied);
        assert_eq!(err.code, ExoResult::ExchangeError);
        assert!(err
            .message
            .contains("User is not allowed to call Get-Mailbox."));
        let triple = br#"{"error":{"code":"Unauthorized","message":"m","details":[{"code":"Context","target":"","message":"Ex2E1F44|Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException|User is not allowed to call Get-Mailbox."}]}}"#;
        let err = parse_error(401, triple, None).into_error("Get-Mailbox", false);
        assert_eq!(err.reason, Reason::AccessDenied);
        assert_eq!(
            err.exception_type.as_deref(),
            Some("CmdletAccessDeniedException")
        );
    }

    #[test]
    fn classification() {
        let c = parse_error(
            429,
            br#"{"error":{"code":"TooManyRequests","message":"You have reached the maximum number of concurrent requests per tenant. Please wait and try again."}}"#,
            None,
        );
        assert_eq!(c.failure(false), Failure::ConcurrencyLimit);
        assert_eq!(
            parse_error(429, b"", None).failure(false),
            Failure::Throttled
        );
        let busy = exo_err(
            429,
            "Ex|Microsoft.Exchange.Data.Storage.ServerBusyException|slow down",
        );
        assert_eq!(busy.failure(false), Failure::Throttled);
        assert_eq!(
            busy.into_error("Set-Mailbox", false).code,
            ExoResult::Throttled
        );
        assert_eq!(
            parse_error(503, b"", None).failure(false),
            Failure::ServiceUnavailable
        );
        let t = exo_err(
            500,
            "Ex|Microsoft.Exchange.Data.Directory.ADTransientException|try later",
        );
        assert_eq!(t.failure(false), Failure::TransientException);
        let exp = parse_error(
            400,
            br#"{"error":{"code":"BadRequest","message":"Expired or Invalid pagination request. Default Expiry time is 00:30:00"}}"#,
            None,
        );
        assert_eq!(exp.failure(true), Failure::Permanent);
        assert_eq!(
            exp.clone().into_error("Get-Mailbox", true).code,
            ExoResult::PageExpired
        );
        assert_eq!(
            exp.into_error("Get-Mailbox", false).code,
            ExoResult::ExchangeError
        );
    }

    #[test]
    fn exchange_categories() {
        let cat = |status: u16, t: &str| {
            exo_err(status, &format!("Ex|Microsoft.Exchange.{t}|text"))
                .into_error("Set-Mailbox", false)
                .category
        };
        assert_eq!(
            cat(404, "ManagementObjectNotFoundException"),
            Category::ObjectNotFound
        );
        assert_eq!(
            cat(400, "ParameterBindingException"),
            Category::InvalidArgument
        );
        assert_eq!(
            cat(400, "InvalidOperationException"),
            Category::InvalidArgument
        );
        assert_eq!(
            cat(400, "AccessDeniedException"),
            Category::PermissionDenied
        );
        assert_eq!(
            cat(400, "ProxyAddressExistsException"),
            Category::ResourceExists
        );
        assert_eq!(
            cat(409, "UserAlreadyExistsException"),
            Category::ResourceExists
        );
        assert_eq!(
            cat(400, "ManagementObjectAmbiguousException"),
            Category::InvalidArgument
        );
        // Unmapped types: the words in the type decide.
        assert_eq!(
            cat(400, "SomeThingNotFoundHereException"),
            Category::ObjectNotFound
        );
        assert_eq!(
            cat(400, "DuplicateEntryException"),
            Category::ResourceExists
        );
        let plain = parse_error(409, br#"{"error":{"code":"Conflict","message":"m"}}"#, None)
            .into_error("Set-Mailbox", false);
        assert_eq!(
            (plain.reason, plain.category),
            (Reason::ExchangeError, Category::InvalidOperation)
        );
        assert!(!plain.fatal && !plain.retryable);
        // Not Exchange errors: the code's category.
        assert_eq!(
            parse_error(429, b"", None).into_error("x", false).category,
            Category::ResourceBusy
        );
        assert_eq!(
            parse_error(403, b"", None).into_error("x", false).category,
            Category::PermissionDenied
        );
        let nf = exo_err(
            404,
            "Ex|Microsoft.Exchange.ManagementObjectNotFoundException|gone",
        )
        .into_error("Get-Mailbox", false);
        assert!(nf.recommended_action.unwrap().contains("identity"));
    }
}
