//! Entra ID: token requests, the process-wide token cache, device code
//! sign-in, and the mapping of AADSTS errors to actionable ones.

pub(crate) mod aad_error;
pub(crate) mod device_code;
pub(crate) mod grant;
pub(crate) mod token_cache;
