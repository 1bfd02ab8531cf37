//! What an Exchange attempt ended with, as far as retrying goes
//! (docs/PROTOCOL.md §3 "Transient"):
//!
//! - 429 and the per-tenant concurrency refusal: the service did not run the
//!   cmdlet, so reads and writes are retried, honouring Retry-After.
//! - 503/504/408, the transient exception types, timeouts and broken
//!   connections: reads only (the write may have run).
//! - Connection refused before sending: reads and writes.
//! - A 401 gets one extra attempt after one token refresh (in the cursor).

use crate::http::HttpFailure;

/// What an Exchange attempt ended with, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// HTTP 429 (the service did not run the request).
    Throttled,
    /// "maximum number of concurrent requests per tenant" (not run).
    ConcurrencyLimit,
    /// HTTP 503.
    ServiceUnavailable,
    /// HTTP 504.
    GatewayTimeout,
    /// HTTP 408.
    RequestTimeout,
    /// One of the transient exception types.
    TransientException,
    /// Could not connect: not sent.
    ConnectFailed,
    /// Client-side timeout after sending (or while connecting: `NotSent`).
    Timeout { sent: bool },
    /// Connection broke after sending.
    ConnectionBroken,
    /// Anything else: not retried.
    Permanent,
}

impl Failure {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Failure::Throttled => "Throttled",
            Failure::ConcurrencyLimit => "ConcurrencyLimit",
            Failure::ServiceUnavailable => "ServiceUnavailable",
            Failure::GatewayTimeout => "GatewayTimeout",
            Failure::RequestTimeout => "RequestTimeout",
            Failure::TransientException => "TransientException",
            Failure::ConnectFailed => "ConnectFailed",
            Failure::Timeout { .. } => "Timeout",
            Failure::ConnectionBroken => "ConnectionBroken",
            Failure::Permanent => "Permanent",
        }
    }

    /// The service provably did not run the request.
    pub(crate) fn not_run(self) -> bool {
        matches!(
            self,
            Failure::Throttled
                | Failure::ConcurrencyLimit
                | Failure::ConnectFailed
                | Failure::Timeout { sent: false }
        )
    }

    /// May this failure be retried for a read (`is_read`) or a write?
    pub(crate) fn retryable(self, is_read: bool) -> bool {
        match self {
            Failure::Permanent => false,
            _ if self.not_run() => true,
            _ => is_read,
        }
    }

    pub(crate) fn from_http(f: &HttpFailure) -> Failure {
        match f {
            HttpFailure::NotSent(_) => Failure::ConnectFailed,
            HttpFailure::Timeout { sent, .. } => Failure::Timeout { sent: *sent },
            HttpFailure::Broken(_) => Failure::ConnectionBroken,
            HttpFailure::Cancelled => Failure::Permanent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_retried_only_when_not_run() {
        for f in [
            Failure::Throttled,
            Failure::ConcurrencyLimit,
            Failure::ConnectFailed,
            Failure::Timeout { sent: false },
        ] {
            assert!(f.retryable(false), "{f:?}");
            assert!(f.retryable(true));
        }
        for f in [
            Failure::ServiceUnavailable,
            Failure::GatewayTimeout,
            Failure::RequestTimeout,
            Failure::TransientException,
            Failure::Timeout { sent: true },
            Failure::ConnectionBroken,
        ] {
            assert!(!f.retryable(false), "{f:?}");
            assert!(f.retryable(true), "{f:?}");
        }
        assert!(!Failure::Permanent.retryable(true));
    }
}
