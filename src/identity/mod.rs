//! Entra ID: token requests, the process-wide token cache, device code
//! sign-in, and the mapping of AADSTS errors to actionable ones.

pub mod aad_error;
pub mod device_code;
pub mod grant;
pub mod token_cache;
