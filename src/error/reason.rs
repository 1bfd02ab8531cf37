//! Why an operation failed, finer than the result code. PowerShell shows it as
//! the ErrorId `ExoDelegated.<Reason>`; its string form is made here, once.

use serde::{Serialize, Serializer};

macro_rules! reasons {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// The reason of an [`Error`](crate::error::Error).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Reason {
            $($(#[$doc])* $name,)*
        }

        impl Reason {
            /// Every reason, for tests that check the string forms.
            #[cfg(test)]
            pub(crate) const ALL: &'static [Reason] = &[$(Reason::$name,)*];

            /// The ErrorId suffix, e.g. `MfaRequired`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Reason::$name => stringify!($name),)*
                }
            }
        }
    };
}

reasons! {
    // Arguments and handles.
    NullParameter,
    InvalidUtf8,
    InvalidArgument,
    InvalidHandle,
    BufferTooSmall,
    /// An AppSecret or AccessToken connection has no refresh token to export.
    NoRefreshToken,
    /// `http://` to a non-loopback host.
    InsecureEndpoint,
    /// A page link pointing away from the connection's Exchange endpoint.
    ForeignNextLink,
    Cancelled,
    Panic,
    Internal,
    /// A service answer that cannot be read safely (bad JSON, lone surrogates, nesting,
    /// far more records than the page size asked for).
    MalformedResponse,
    // Transport.
    ConnectFailed,
    ConnectionBroken,
    Timeout,
    // Identity platform (docs/PROTOCOL.md §1).
    AuthFailed,
    AuthorizationPending,
    SlowDown,
    AuthorizationDeclined,
    DeviceCodeExpired,
    BadVerificationCode,
    MfaRequired,
    RefreshTokenExpired,
    /// AADSTS70000/70008: the refresh token is invalid, expired or revoked.
    RefreshTokenInvalid,
    ReconsentRequired,
    SecretInvalid,
    /// AADSTS7000222: the client secret has expired.
    SecretExpired,
    SecretRequired,
    PublicClientSecret,
    WrongClient,
    ConditionalAccess,
    TenantNotFound,
    AppNotInTenant,
    ExchangeNotProvisioned,
    InvalidScope,
    /// A ready access token expired or was refused; it cannot be refreshed.
    AccessTokenExpired,
    // Exchange (docs/PROTOCOL.md §3).
    Throttled,
    ConcurrencyLimit,
    Transient,
    ServiceUnavailable,
    PageExpired,
    Unauthorized,
    Forbidden,
    NotFound,
    Ambiguous,
    InvalidParameter,
    InvalidOperation,
    UnknownCmdlet,
    AccessDenied,
    AlreadyExists,
    BadRequest,
    ExchangeError,
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_forms_are_distinct_pascal_case_ids() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            let s = r.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.chars().next().unwrap().is_ascii_uppercase(), "{s}");
            assert!(s.chars().all(|c| c.is_ascii_alphanumeric()), "{s}");
        }
        assert_eq!(Reason::MfaRequired.as_str(), "MfaRequired");
        assert_eq!(
            serde_json::to_string(&Reason::SlowDown).unwrap(),
            "\"SlowDown\""
        );
    }
}
