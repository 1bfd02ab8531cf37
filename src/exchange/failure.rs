//! What an Exchange attempt ended with, as far as retrying goes
//! (docs/PROTOCOL.md §3 "Transient"):
//!
//! - 429 and the per-tenant concurrency refusal: the service did not run the
//!   cmdlet, so reads and writes are retried, honouring Retry-After.
//! - 503/504/408, the transient exception types, timeouts and broken
//!   connections: reads only (the write may have run).
//! - Connection refused before sending: reads and writes.
//! - A 401 gets one extra attempt after one token refresh (in the cursor).

use crate::error::Error;
use crate::http::HttpFailure;
use crate::retry::RetryPolicy;

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
    /// A batch sub-request answered 424: not executed because another one failed.
    NotExecuted,
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
            Failure::NotExecuted => "NotExecuted",
            Failure::Permanent => "Permanent",
        }
    }

    /// The service provably did not run the request.
    pub(crate) fn not_run(self) -> bool {
        matches!(
            self,
            Failure::Throttled
                | Failure::ConcurrencyLimit
                | Failure::NotExecuted
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

    /// Did the service refuse for load (what shrinks the request window)?
    pub(crate) fn is_load_refusal(self) -> bool {
        matches!(self, Failure::Throttled | Failure::ConcurrencyLimit)
    }

    /// Another attempt, after `retries_done` retries of this request?
    pub(crate) fn retry_again(
        self,
        is_read: bool,
        retries_done: u32,
        policy: &RetryPolicy,
    ) -> bool {
        self.retryable(is_read) && retries_done < policy.max_retries
    }

    /// The caller's error once no attempt is left: the single-call and the batch path both end
    /// here, so a write that may have run is reported the same way everywhere.
    pub(crate) fn finish_error(self, error: &mut Error, is_read: bool, retries_done: u32) {
        if !is_read && self != Failure::Permanent && !self.not_run() {
            error.message.push_str(
                " The change may or may not have been applied: check before running it again.",
            );
        }
        if !is_read && !self.not_run() {
            // The write may have run: running it again blindly could apply it twice.
            error.retryable = false;
        }
        if self.retryable(is_read) && retries_done > 0 {
            error
                .message
                .push_str(&format!(" (gave up after {retries_done} retries)"));
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
