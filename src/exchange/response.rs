//! InvokeCommand responses: pages (`value`, `@odata.nextLink`,
//! `@adminapi.warnings`) and errors (`details[].message` triples, inner
//! exceptions, `X-ExceptionType`), classified for retry and for the caller.

use crate::error::{Category, Error, ExoResult, Reason};
use crate::exchange::failure::Failure;
use crate::http::HttpResponse;
use crate::util::{clean_text, quote_redacted};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A successful page. `value_json` is the service's `value` array, verbatim.
#[derive(Debug)]
pub(crate) struct SuccessPage {
    pub(crate) value_json: String,
    /// How many records `value_json` holds.
    pub(crate) records: usize,
    pub(crate) next_link: Option<String>,
    /// `@adminapi.warnings`, cleaned for a terminal (`crate::util::clean_text`).
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

/// The most records a page may hold when `page_size` were asked for. Exchange never sends
/// more than asked; the margin (up to its own maximum of 1000, twice) tolerates a service that
/// ignores a small page size, and still bounds what one answer costs: every record becomes an
/// object in PowerShell, so a hostile page of millions of `{}` would take gigabytes.
pub(crate) fn max_records(page_size: u32) -> usize {
    (page_size as usize).max(1000) * 2
}

/// Longest warning kept (Exchange's are one sentence).
const MAX_WARNING_CHARS: usize = 2000;
/// Most warnings kept from one page.
const MAX_WARNINGS: usize = 100;

/// Parse a 2xx body holding at most `max_records` records. An empty body (some writes) is an
/// empty page. Failures are `MalformedResponse` errors saying what was wrong. `secrets` (the
/// bearer token sent) are redacted from the warnings.
pub(crate) fn parse_success(
    body: &[u8],
    max_records: usize,
    secrets: &[&str],
) -> Result<SuccessPage, Error> {
    let (mut page, value) = parse_page(body, max_records, secrets)?;
    if let Some(v) = value {
        page.value_json = as_array(v);
    }
    Ok(page)
}

/// As `parse_success`, taking the body: its `value` array becomes `value_json` in the body's
/// own block (moved to its start), so a page of megabytes is not copied into a new one.
pub(crate) fn parse_success_owned(
    mut body: Vec<u8>,
    max_records: usize,
    secrets: &[&str],
) -> Result<SuccessPage, Error> {
    let (mut page, value) = parse_page(&body, max_records, secrets)?;
    let array = match value {
        None => return Ok(page),
        Some(v) if !v.trim_start().starts_with('[') => {
            page.value_json = as_array(v);
            return Ok(page);
        }
        // Where the array lies in the body (`v` borrows from it).
        Some(v) => {
            (v.as_ptr() as usize - body.as_ptr() as usize)
                ..(v.as_ptr() as usize - body.as_ptr() as usize + v.len())
        }
    };
    let len = array.len();
    body.copy_within(array, 0);
    body.truncate(len);
    // Valid UTF-8 (it was a `&str`), so this cannot fail; checked anyway, never assumed.
    page.value_json = String::from_utf8(body).map_err(|_| {
        Error::malformed_response("Exchange answered with records that are not UTF-8 text")
    })?;
    Ok(page)
}

/// `value` as an array: a lone record is wrapped in one.
fn as_array(v: &str) -> String {
    if v.trim_start().starts_with('[') {
        v.to_string()
    } else {
        format!("[{v}]")
    }
}

/// The page without its `value_json` ("[]"), and the `value` text (borrowed from `body`).
fn parse_page<'a>(
    body: &'a [u8],
    max_records: usize,
    secrets: &[&str],
) -> Result<(SuccessPage, Option<&'a str>), Error> {
    let mut page = SuccessPage {
        value_json: "[]".into(),
        records: 0,
        next_link: None,
        warnings: Vec::new(),
    };
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok((page, None));
    }
    let raw: RawPage<'a> = serde_json::from_slice(body).map_err(|e| {
        Error::malformed_response(format!(
            "Exchange answered with a body that is not the expected JSON ({})",
            json_problem(&e)
        ))
    })?;
    let value = raw.value.map(|v| v.get());
    if let Some(v) = value {
        page.records = scan_records(v, max_records).map_err(|problem| {
            Error::malformed_response(format!(
                "Exchange answered with records no JSON reader should accept: {problem}"
            ))
        })?;
    }
    page.warnings = raw
        .warnings
        .unwrap_or_default()
        .into_iter()
        .take(MAX_WARNINGS)
        .map(|w| match w {
            Value::String(s) => quote_redacted(&s, MAX_WARNING_CHARS, secrets),
            other => quote_redacted(&other.to_string(), MAX_WARNING_CHARS, secrets),
        })
        .filter(|w| !w.is_empty())
        .collect();
    page.next_link = raw.next_link.filter(|s| !s.is_empty());
    Ok((page, value))
}

/// What serde_json found wrong, without quoting the body (it may hold anything).
fn json_problem(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "it ends too early",
        serde_json::error::Category::Syntax => "a syntax error",
        serde_json::error::Category::Data => "a field of the wrong type",
        serde_json::error::Category::Io => "unreadable",
    };
    let text = e.to_string();
    if text.contains("surrogate") {
        return format!(
            "a string holds an unpaired UTF-16 surrogate escape, at line {} column {}",
            e.line(),
            e.column()
        );
    }
    if text.contains("recursion limit") {
        return format!(
            "it is nested too deeply, at line {} column {}",
            e.line(),
            e.column()
        );
    }
    format!("{what} at line {} column {}", e.line(), e.column())
}

/// Deepest nesting of the records handed on (the caller's reader stops at 256
/// levels for the whole page; real records are a few levels deep).
const MAX_VALUE_DEPTH: usize = 100;

/// Count the records of `json` (valid JSON: an array of records, or one record), refusing
/// what a strict JSON reader refuses and serde_json's `RawValue` lets through (it checks
/// neither): nesting deeper than `MAX_VALUE_DEPTH`, and `\u` escapes that are not whole
/// UTF-16 surrogate pairs; and more than `max_records` records (stops there: the cost of a
/// refused page does not grow with its length).
fn scan_records(json: &str, max_records: usize) -> Result<usize, String> {
    const LONE: &str = "a string holds an unpaired UTF-16 surrogate escape (such as \\ud800)";
    let b = json.as_bytes();
    let (mut depth, mut i, mut in_string, mut high_surrogate) = (0usize, 0usize, false, false);
    let array = json.trim_start().starts_with('[');
    // Commas between the records of the outer array, and whether it holds any.
    let (mut commas, mut any) = (0usize, !array);
    while i < b.len() {
        let c = b[i];
        if !in_string {
            match c {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_VALUE_DEPTH {
                        return Err("records nested deeper than 100 levels".into());
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                b',' if depth == 1 && array => {
                    commas += 1;
                    if commas + 1 > max_records {
                        return Err(format!(
                            "the page holds more than {max_records} records, more than the page \
                             size asked for allows; it was refused"
                        ));
                    }
                }
                _ => {}
            }
            // Anything but blanks and the outer array's own brackets is a record.
            if array && depth >= 1 && !c.is_ascii_whitespace() && !(c == b'[' && depth == 1) {
                any = true;
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
            return Err(LONE.into());
        }
        high_surrogate = matches!(unit, Some(0xD800..=0xDBFF));
    }
    Ok(if any { commas + 1 } else { 0 })
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

/// The last part of a .NET type name, redacted of `secrets` before it is cut.
fn short_type(t: &str, secrets: &[&str]) -> String {
    let t = quote_redacted(t, usize::MAX, secrets);
    clean_text(t.rsplit('.').next().unwrap_or(&t).trim(), 128)
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

/// Parse an error response. `exception_header` is `X-ExceptionType`, if any. `secrets` (the
/// bearer token sent) are redacted from the whole body before anything is taken from it: a
/// hostile or broken server may echo the request's `Authorization` header anywhere; and again
/// from every field once parsed and cleaned, where a JSON escape (`\u0043`) or a bidi control
/// inside the secret no longer hides it.
pub(crate) fn parse_error(
    status: u16,
    body: &[u8],
    exception_header: Option<&str>,
    secrets: &[&str],
) -> ServiceError {
    let text = crate::util::redact(&String::from_utf8_lossy(body), secrets);
    let body = text.as_bytes();
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
            .map(|s| quote_redacted(s, 64, secrets));
        if let Some(details) = e.get("details").and_then(|d| d.as_array()) {
            for d in details {
                if target.is_none() {
                    target =
                        text_field(Some(d), "target").map(|t| quote_redacted(&t, 256, secrets));
                }
                if let Some(m) = d.get("message").and_then(|m| m.as_str()) {
                    let parts: Vec<&str> = m.splitn(3, '|').collect();
                    if parts.len() == 3 {
                        if exception_type.is_none() && !parts[1].trim().is_empty() {
                            exception_type = Some(short_type(parts[1], secrets));
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
                .map(|t| short_type(&t, secrets));
        }
    }
    if exception_type.is_none() {
        exception_type = exception_header
            .filter(|h| !h.trim().is_empty())
            .map(|h| short_type(h, secrets));
    }
    let json = v.is_some();
    let message = match message {
        Some(m) => quote_redacted(&m, 1000, secrets),
        None if !json && !text.trim().is_empty() => {
            format!(
                "HTTP {status} with a non-JSON body: {}",
                quote_redacted(&text, 200, secrets)
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

    /// Without secrets to redact (the glob import of `super::parse_error` is shadowed).
    fn parse_error(status: u16, body: &[u8], header: Option<&str>) -> ServiceError {
        crate::exchange::response::parse_error(status, body, header, &[])
    }

    #[test]
    fn an_echoed_bearer_token_is_redacted_from_error_text() {
        let token = "eyJ0eXAi.secret-token.sig";
        for body in [
            format!("<html>Authorization: Bearer {token}</html>"),
            format!(r#"{{"error":{{"code":"X","message":"you sent {token}"}}}}"#),
            format!(
                r#"{{"error":{{"code":"X","message":"m","details":[{{"message":"E|T|header Bearer {token}"}}]}}}}"#
            ),
            // JSON-escaped inside the secret, or split by a bidi control cleaning drops: the
            // whole-body redaction cannot see it, the per-field one does.
            r#"{"error":{"code":"X","message":"you sent eyJ0eXAi.\u0073ecret-token.sig"}}"#.into(),
            r#"{"error":{"code":"X","message":"you sent eyJ0eXAi.secret\u202e-token.sig"}}"#.into(),
            r#"{"error":{"code":"eyJ0eXAi.secret-\u0074oken.sig","message":"m","details":[{"target":"eyJ0eXAi.secret-\u2066token.sig"}]}}"#.into(),
        ] {
            let se =
                crate::exchange::response::parse_error(400, body.as_bytes(), Some(token), &[token]);
            let e = se.into_error("Get-Mailbox", false);
            let all = format!("{} {}", e.message, e.to_json());
            assert!(!all.contains("secret-token"), "{all}");
        }
        let p = parse_success(
            format!(r#"{{"value":[],"@adminapi.warnings":["token {token}"]}}"#).as_bytes(),
            10,
            &[token],
        )
        .unwrap();
        assert_eq!(p.warnings, vec!["token <redacted>"]);
        let p = parse_success(
            r#"{"value":[],"@adminapi.warnings":["token eyJ0eXAi.secret\u202e-token.sig"]}"#
                .as_bytes(),
            10,
            &[token],
        )
        .unwrap();
        assert_eq!(p.warnings, vec!["token <redacted>"]);
    }

    fn page(body: &[u8]) -> Result<SuccessPage, Error> {
        parse_success(body, 2000, &[])
    }

    #[test]
    fn records_are_counted_and_capped() {
        for (body, n) in [
            (r#"{"value":[]}"#, 0),
            (r#"{"value":[ ]}"#, 0),
            (r#"{"value":[{}]}"#, 1),
            (r#"{"value":[{"a":[1,2,3],"b":{"c":","}},"x,y",3]}"#, 3),
            (r#"{"value":[[],[[]]]}"#, 2),
            (r#"{"value":{"a":1}}"#, 1),
            (r#"{}"#, 0),
        ] {
            assert_eq!(page(body.as_bytes()).unwrap().records, n, "{body}");
        }
        let many = format!(r#"{{"value":[{}{{}}]}}"#, "{},".repeat(4));
        assert_eq!(parse_success(many.as_bytes(), 5, &[]).unwrap().records, 5);
        let e = parse_success(many.as_bytes(), 4, &[]).unwrap_err();
        assert_eq!(e.reason, Reason::MalformedResponse);
        assert!(e.message.contains("more than 4 records"), "{}", e.message);
        assert_eq!(max_records(5), 2000);
        assert_eq!(max_records(1000), 2000);
    }

    #[test]
    fn warnings_are_cleaned_for_the_terminal() {
        let p = page(
            br#"{"value":[],"@adminapi.warnings":["\u001b]0;pwned\u0007fake\r\nWARNING: x\u202Etxt.exe",{"a":"\u001b[2J"},""]}"#,
        )
        .unwrap();
        assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
        for w in &p.warnings {
            assert!(!w.chars().any(crate::util::is_unsafe_for_terminal), "{w:?}");
        }
        assert!(p.warnings[0].contains("fake") && p.warnings[0].contains("txt.exe"));
    }

    fn exo_err(status: u16, details_msg: &str) -> ServiceError {
        let body = serde_json::json!({"error":{"code":"BadRequest","message":"top message",
            "details":[{"code":"Ex","message": details_msg}],
            "innererror":{"message":"inner","type":"Some.Type","internalexception":{"message":"internal text"}}}});
        parse_error(status, body.to_string().as_bytes(), None)
    }

    #[test]
    fn page_parsing_keeps_value_verbatim() {
        let p = page(
            br#"{"@odata.context":"c","value":[{"Name":"a"},{"Name":"b"}],"@odata.nextLink":"https://h/x?$skiptoken=1","@adminapi.warnings":["careful"]}"#,
        )
        .unwrap();
        assert_eq!(p.value_json, r#"[{"Name":"a"},{"Name":"b"}]"#);
        assert_eq!(p.next_link.as_deref(), Some("https://h/x?$skiptoken=1"));
        assert_eq!(p.warnings, vec!["careful"]);
        let p = page(b"{}").unwrap();
        assert_eq!(p.value_json, "[]");
        assert!(page(b"").unwrap().next_link.is_none());
        assert!(page(b"<html>").is_err());
    }

    #[test]
    fn a_taken_body_gives_the_same_page() {
        for body in [
            r#"{"@odata.context":"c","value":[{"Name":"a"},{"Name":"b"}],"@odata.nextLink":"https://h/x?$skiptoken=1","@adminapi.warnings":["w"]}"#,
            r#"{"value":  [ {"E":"\ud83d\ude00 \u00e9 [{"} ] }"#,
            r#"{"value":{"a":1}}"#,
            r#"{"value":[]}"#,
            r#"{}"#,
            "  ",
        ] {
            let want = page(body.as_bytes()).unwrap();
            let got = parse_success_owned(body.as_bytes().to_vec(), 2000, &[]).unwrap();
            assert_eq!(got.value_json, want.value_json, "{body}");
            assert_eq!(got.records, want.records, "{body}");
            assert_eq!(got.next_link, want.next_link, "{body}");
            assert_eq!(got.warnings, want.warnings, "{body}");
        }
        // The records stay in the body's block.
        let body = br#"{"@odata.context":"c","value":[{"Name":"a"}]}"#.to_vec();
        let block = body.as_ptr();
        let p = parse_success_owned(body, 2000, &[]).unwrap();
        assert_eq!(p.value_json.as_ptr(), block);
        for bad in [
            r#"{"value":[{"Name":"\ud800"}]}"#,
            "<html>",
            r#"{"value":[{},{}]}"#,
        ] {
            let e = parse_success_owned(bad.as_bytes().to_vec(), 1, &[]).unwrap_err();
            assert_eq!(e.reason, Reason::MalformedResponse, "{bad}");
        }
    }

    #[test]
    fn pages_a_strict_reader_would_refuse_are_errors() {
        for bad in [
            r#"{"value":[{"Name":"\ud800"}]}"#,
            r#"{"value":[{"Name":"\udc00x"}]}"#,
            r#"{"value":[{"Name":"\ud800\u0041"}]}"#,
            r#"{"value":["\ud83d"]}"#,
        ] {
            let e = page(bad.as_bytes()).unwrap_err();
            assert!(e.message.contains("surrogate"), "{bad}: {}", e.message);
        }
        let deep = format!(r#"{{"value":[{}{}]}}"#, "[".repeat(100), "]".repeat(100));
        assert!(page(deep.as_bytes())
            .unwrap_err()
            .message
            .contains("nested"));
        let ok = format!(r#"{{"value":[{}{}]}}"#, "[".repeat(99), "]".repeat(99));
        assert!(page(ok.as_bytes()).is_ok());
        let p = page(br#"{"value":[{"E":"\ud83d\ude00 \\ \" \u00e9 [{"}]}"#).unwrap();
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
