//! What PowerShell should make of a failure: the ErrorCategory and the
//! recommended action. Decided here (defaults per result code) and where an
//! error is made (identity and Exchange errors refine them), never again in
//! C# or PowerShell, which only display them.

use crate::error::code::ExoResult;
use crate::error::reason::Reason;
use serde::{Serialize, Serializer};

macro_rules! categories {
    ($($name:ident,)*) => {
        /// The members of `System.Management.Automation.ErrorCategory` the library uses.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Category {
            $($name,)*
        }

        impl Category {
            /// The ErrorCategory member's name.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $(Category::$name => stringify!($name),)*
                }
            }
        }
    };
}

categories! {
    NotSpecified,
    InvalidArgument,
    InvalidOperation,
    InvalidResult,
    OperationStopped,
    OperationTimeout,
    SecurityError,
    AuthenticationError,
    PermissionDenied,
    ObjectNotFound,
    ResourceExists,
    ResourceBusy,
    ResourceUnavailable,
    ConnectionError,
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The category a result code implies. Identity errors (`AuthFailed`) and
/// Exchange errors (`ExchangeError`) are refined where they are made.
pub(crate) fn for_code(code: ExoResult) -> Category {
    match code {
        ExoResult::NullParameter | ExoResult::InvalidUtf8 | ExoResult::InvalidArgument => {
            Category::InvalidArgument
        }
        ExoResult::InvalidHandle | ExoResult::ExchangeError | ExoResult::PageExpired => {
            Category::InvalidOperation
        }
        ExoResult::Cancelled => Category::OperationStopped,
        ExoResult::InsecureEndpoint => Category::SecurityError,
        ExoResult::AuthFailed => Category::AuthenticationError,
        ExoResult::Throttled => Category::ResourceBusy,
        ExoResult::Transient => Category::ResourceUnavailable,
        ExoResult::Network => Category::ConnectionError,
        ExoResult::Timeout => Category::OperationTimeout,
        ExoResult::Unauthorized => Category::PermissionDenied,
        ExoResult::Panic | ExoResult::Internal => Category::InvalidResult,
        ExoResult::Ok | ExoResult::BufferTooSmall | ExoResult::Pending => Category::NotSpecified,
    }
}

/// The recommended action a result code implies, if any. Identity errors
/// bring their own (per AADSTS code, in `identity::aad_error`).
pub(crate) fn action_for(code: ExoResult, reason: Reason) -> Option<&'static str> {
    Some(match code {
        ExoResult::InvalidHandle => "Connect again with Connect-ExoDelegated.",
        ExoResult::InsecureEndpoint => {
            "Use https:// endpoints (http:// is allowed only for localhost, e.g. exo-emulator)."
        }
        ExoResult::Throttled => {
            "Exchange is throttling this tenant: retry later, run fewer commands at once against it, \
             or raise -MaximumRetryCount."
        }
        ExoResult::Transient => "Exchange reported a transient failure: retry the command.",
        ExoResult::Network => {
            "Check the network connection and the -AuthorityHost/-ExchangeHost addresses."
        }
        ExoResult::Timeout => "The service did not answer in time: retry, or raise -TimeoutSec.",
        ExoResult::PageExpired => {
            "The enumeration took longer than Exchange keeps page links (30 minutes): run the \
             command again, with a -Filter if possible."
        }
        ExoResult::Unauthorized => {
            "Exchange refused the token: check the admin roles granted through GDAP for this \
             tenant, then connect again."
        }
        ExoResult::ExchangeError if reason == Reason::NotFound => {
            "Check the identity (user principal name, email address or GUID) and that the object \
             exists in this tenant."
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_defaults() {
        assert_eq!(for_code(ExoResult::Throttled), Category::ResourceBusy);
        assert_eq!(for_code(ExoResult::InvalidUtf8), Category::InvalidArgument);
        assert_eq!(for_code(ExoResult::Panic), Category::InvalidResult);
        assert_eq!(for_code(ExoResult::Pending), Category::NotSpecified);
        assert_eq!(
            for_code(ExoResult::InsecureEndpoint).as_str(),
            "SecurityError"
        );
        assert!(action_for(ExoResult::ExchangeError, Reason::NotFound).is_some());
        assert!(action_for(ExoResult::ExchangeError, Reason::BadRequest).is_none());
        assert!(action_for(ExoResult::AuthFailed, Reason::AuthFailed).is_none());
        assert!(action_for(ExoResult::Timeout, Reason::Timeout)
            .unwrap()
            .contains("-TimeoutSec"));
    }
}
