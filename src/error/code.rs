//! The stable result codes of the C ABI, and the two facts the rest of the
//! library decides on them: which failures are transient, and which would
//! repeat for every item of a pipeline.

use serde::Serialize;

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
    /// The one transient set: the service was busy or unreachable, so the same call may
    /// succeed later. Token requests, the token cache, the paging cursor and device code
    /// polling all decide on this.
    pub(crate) fn is_transient(self) -> bool {
        matches!(
            self,
            ExoResult::Throttled | ExoResult::Transient | ExoResult::Network | ExoResult::Timeout
        )
    }

    /// The failure would repeat for every item of a pipeline (bad arguments, a closed
    /// handle, refused credentials, a cancel, an insecure endpoint, a panic), so a
    /// PowerShell command stops instead of reporting it once per item.
    pub(crate) fn is_fatal(self) -> bool {
        matches!(
            self,
            ExoResult::NullParameter
                | ExoResult::InvalidUtf8
                | ExoResult::InvalidArgument
                | ExoResult::Panic
                | ExoResult::InvalidHandle
                | ExoResult::Cancelled
                | ExoResult::InsecureEndpoint
                | ExoResult::AuthFailed
                | ExoResult::Unauthorized
        )
    }
}
