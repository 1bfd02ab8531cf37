//! The library's error type and the stable result codes it maps to.
//!
//! An `Error` carries what a caller needs to act: a stable code, a reason
//! (PowerShell turns it into the ErrorId `ExoDelegated.<Reason>`), one
//! actionable sentence, and the service's own identifiers (AADSTS number,
//! correlation id, client-request-id). It never carries a secret.

use serde::Serialize;
use std::fmt;

/// Result of every `exo_*` call. The numbers are stable and never reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ExoResult {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullParameter = 1,
    /// A string argument was not valid UTF-8 (or UTF-16 for secrets).
    InvalidUtf8 = 2,
    /// An argument was malformed or out of range (bad JSON, unknown option, ...).
    InvalidArgument = 3,
    /// The library panicked; the call had no effect that can be relied on.
    Panic = 4,
    /// A handle was used after it was disconnected, or is of the wrong kind.
    InvalidHandle = 5,
    /// A caller-provided buffer was too small; the needed size was reported.
    BufferTooSmall = 6,
    /// The operation was cancelled by the caller.
    Cancelled = 7,
    /// Device code sign-in: the user has not finished yet; poll again.
    Pending = 8,
    /// An endpoint was refused: `http://` to a non-loopback host, or a
    /// nextLink pointing away from the connection's Exchange endpoint.
    InsecureEndpoint = 9,
    /// The identity platform refused to issue a token (see the reason).
    AuthFailed = 10,
    /// Exchange ran the cmdlet and reported an error (not found, bad parameter, ...).
    ExchangeError = 11,
    /// Throttled, and the bounded retries ran out.
    Throttled = 12,
    /// A transient service failure, and the bounded retries ran out.
    Transient = 13,
    /// The network failed (connection refused, reset, DNS).
    Network = 14,
    /// A connect or read timeout expired.
    Timeout = 15,
    /// A page link expired (Exchange keeps them 30 minutes); start the enumeration again.
    PageExpired = 16,
    /// Exchange refused the token (401/403) even after one refresh.
    Unauthorized = 17,
    /// An unexpected response or internal inconsistency.
    Internal = 18,
}

impl ExoResult {
    /// The name used in messages and in the error JSON.
    pub fn name(self) -> &'static str {
        match self {
            ExoResult::Ok => "Ok",
            ExoResult::NullParameter => "NullParameter",
            ExoResult::InvalidUtf8 => "InvalidUtf8",
            ExoResult::InvalidArgument => "InvalidArgument",
            ExoResult::Panic => "Panic",
            ExoResult::InvalidHandle => "InvalidHandle",
            ExoResult::BufferTooSmall => "BufferTooSmall",
            ExoResult::Cancelled => "Cancelled",
            ExoResult::Pending => "Pending",
            ExoResult::InsecureEndpoint => "InsecureEndpoint",
            ExoResult::AuthFailed => "AuthFailed",
            ExoResult::ExchangeError => "ExchangeError",
            ExoResult::Throttled => "Throttled",
            ExoResult::Transient => "Transient",
            ExoResult::Network => "Network",
            ExoResult::Timeout => "Timeout",
            ExoResult::PageExpired => "PageExpired",
            ExoResult::Unauthorized => "Unauthorized",
            ExoResult::Internal => "Internal",
        }
    }
}

/// A failure with everything a caller needs to act on it. No secrets, ever.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    /// Stable result code.
    pub code: ExoResult,
    /// Short PascalCase reason, e.g. `MfaRequired`, `NotFound`, `InvalidArgument`.
    pub reason: String,
    /// One actionable sentence (plus the service's own text where it helps).
    pub message: String,
    /// The AADSTS number for identity errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aadsts: Option<u32>,
    /// The service's error code: OAuth `error` or Exchange `error.code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// Exchange exception type, e.g. `ManagementObjectNotFoundException`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception_type: Option<String>,
    /// Entra ID correlation id, for the customer's sign-in logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The client-request-id of the failing Exchange request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// HTTP status of the failing response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Retries done before giving up.
    pub retries: u32,
}

impl Error {
    pub fn new(code: ExoResult, reason: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            code,
            reason: reason.into(),
            message: message.into(),
            aadsts: None,
            service_code: None,
            exception_type: None,
            correlation_id: None,
            request_id: None,
            http_status: None,
            retries: 0,
        }
    }

    pub fn null_parameter(name: &str) -> Self {
        Error::new(
            ExoResult::NullParameter,
            "NullParameter",
            format!("argument '{name}' must not be NULL"),
        )
    }

    pub fn invalid_utf8(name: &str) -> Self {
        Error::new(
            ExoResult::InvalidUtf8,
            "InvalidUtf8",
            format!("argument '{name}' is not valid UTF-8"),
        )
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ExoResult::InvalidArgument, "InvalidArgument", message)
    }

    pub fn invalid_handle(what: &str) -> Self {
        Error::new(
            ExoResult::InvalidHandle,
            "InvalidHandle",
            format!("the {what} is closed or invalid; connect again"),
        )
    }

    pub fn cancelled() -> Self {
        Error::new(
            ExoResult::Cancelled,
            "Cancelled",
            "the operation was cancelled",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ExoResult::Internal, "Internal", message)
    }

    /// The error as one JSON object (camelCase fields), for callers that
    /// want every detail in one read.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_code_name_and_skips_absent_fields() {
        let mut e = Error::new(ExoResult::AuthFailed, "MfaRequired", "re-consent with MFA");
        e.aadsts = Some(50076);
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["code"], "AuthFailed");
        assert_eq!(v["reason"], "MfaRequired");
        assert_eq!(v["aadsts"], 50076);
        assert!(v.get("correlationId").is_none());
    }

    #[test]
    fn result_numbers_are_stable() {
        assert_eq!(ExoResult::Ok as u32, 0);
        assert_eq!(ExoResult::Panic as u32, 4);
        assert_eq!(ExoResult::Internal as u32, 18);
    }
}
