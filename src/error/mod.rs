//! The library's error type and the stable result codes it maps to.
//!
//! An `Error` carries what a caller needs to act: a stable code, a reason
//! (PowerShell turns it into the ErrorId `ExoDelegated.<Reason>`), one
//! actionable sentence, the service's own identifiers (AADSTS number,
//! correlation id, client-request-id), and the policy PowerShell applies
//! (category, recommended action, retryable, fatal). It never carries a secret.

pub(crate) mod category;
pub(crate) mod code;
pub(crate) mod reason;

pub use crate::error::category::Category;
pub use crate::error::code::ExoResult;
pub use crate::error::reason::Reason;
use serde::Serialize;
use std::fmt;

/// A failure with everything a caller needs to act on it. No secrets, ever.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    /// Stable result code.
    pub code: ExoResult,
    /// Why, finer than the code: `MfaRequired`, `NotFound`, `InvalidArgument`, ...
    pub reason: Reason,
    /// One actionable sentence (plus the service's own text where it helps).
    pub message: String,
    /// The AADSTS number for identity errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aadsts: Option<u32>,
    /// The service's error code: OAuth `error` or Exchange `error.code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service_code: Option<String>,
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
    pub(crate) http_status: Option<u16>,
    /// Retries done before giving up.
    pub retries: u32,
    /// The `System.Management.Automation.ErrorCategory` member PowerShell reports.
    pub(crate) category: Category,
    /// One sentence telling the user what to do, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) recommended_action: Option<&'static str>,
    /// The same call may succeed if made again later: the failure was transient and
    /// retrying it cannot apply a change twice.
    pub(crate) retryable: bool,
    /// The failure would repeat for every item of a pipeline (authentication, a closed
    /// handle, an invalid argument): PowerShell stops instead of failing item by item.
    pub(crate) fatal: bool,
    /// Whom a sign-in failure concerns in a run over many tenants: `Credential`
    /// (the partner's token or secret: every tenant will fail, stop the run) or
    /// `Tenant` (consent, relationship, policy of this customer: skip it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scope: Option<&'static str>,
}

impl Error {
    /// An error with the category, action and flags its code implies.
    pub(crate) fn new(code: ExoResult, reason: Reason, message: impl Into<String>) -> Self {
        Error {
            code,
            reason,
            message: message.into(),
            aadsts: None,
            service_code: None,
            exception_type: None,
            correlation_id: None,
            request_id: None,
            http_status: None,
            retries: 0,
            category: category::for_code(code),
            recommended_action: category::action_for(code, reason),
            retryable: code.is_transient(),
            fatal: code.is_fatal(),
            scope: None,
        }
    }

    /// A category finer than the code's (identity and Exchange errors).
    pub(crate) fn with_category(mut self, category: Category) -> Self {
        self.category = category;
        self
    }

    /// A recommended action finer than the code's (identity errors).
    pub(crate) fn with_action(mut self, action: &'static str) -> Self {
        self.recommended_action = Some(action);
        self
    }

    pub(crate) fn null_parameter(name: &str) -> Self {
        Error::new(
            ExoResult::NullParameter,
            Reason::NullParameter,
            format!("argument '{name}' must not be NULL"),
        )
    }

    pub(crate) fn invalid_utf8(name: &str) -> Self {
        Error::new(
            ExoResult::InvalidUtf8,
            Reason::InvalidUtf8,
            format!("argument '{name}' is not valid UTF-8"),
        )
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ExoResult::InvalidArgument, Reason::InvalidArgument, message)
    }

    pub(crate) fn invalid_handle(what: &str) -> Self {
        Error::new(
            ExoResult::InvalidHandle,
            Reason::InvalidHandle,
            format!("the {what} is closed or invalid; connect again"),
        )
    }

    pub(crate) fn cancelled() -> Self {
        Error::new(
            ExoResult::Cancelled,
            Reason::Cancelled,
            "the operation was cancelled",
        )
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Error::new(ExoResult::Internal, Reason::Internal, message)
    }

    /// A service answer the library refuses to read (not the JSON it should be, records
    /// no strict reader accepts, far more records than asked for).
    pub(crate) fn malformed_response(message: impl Into<String>) -> Self {
        Error::new(ExoResult::Internal, Reason::MalformedResponse, message)
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
        let mut e = Error::new(
            ExoResult::AuthFailed,
            Reason::MfaRequired,
            "re-consent with MFA",
        );
        e.aadsts = Some(50076);
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["code"], "AuthFailed");
        assert_eq!(v["reason"], "MfaRequired");
        assert_eq!(v["aadsts"], 50076);
        assert!(v.get("correlationId").is_none());
        assert_eq!(v["category"], "AuthenticationError");
        assert_eq!(v["retryable"], false);
        assert_eq!(v["fatal"], true);
        assert!(v.get("recommendedAction").is_none());
    }

    #[test]
    fn json_carries_the_policy() {
        let e = Error::new(ExoResult::Throttled, Reason::Throttled, "slow down");
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["category"], "ResourceBusy");
        assert_eq!(v["retryable"], true);
        assert_eq!(v["fatal"], false);
        assert!(v["recommendedAction"]
            .as_str()
            .unwrap()
            .contains("-MaximumRetryCount"));
        let e = Error::invalid_handle("connection");
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["reason"], "InvalidHandle");
        assert_eq!(v["category"], "InvalidOperation");
        assert_eq!(v["fatal"], true);
        let e = Error::cancelled().with_category(Category::NotSpecified);
        assert_eq!(e.category, Category::NotSpecified);
    }

    #[test]
    fn result_numbers_are_stable() {
        assert_eq!(ExoResult::Ok as u32, 0);
        assert_eq!(ExoResult::Panic as u32, 4);
        assert_eq!(ExoResult::Internal as u32, 18);
    }
}
