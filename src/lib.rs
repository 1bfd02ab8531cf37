//! exo-bridge: the native core of the ExoDelegated PowerShell module.
//!
//! The crate is split in two layers, after rustls-ffi:
//! - plain Rust modules (`error`, `secret`, ...) that know nothing of pointers;
//! - `abi`, a thin C ABI over them (`exo_*` functions, see `src/exo_bridge.h`).

pub mod error;
pub mod secret;

pub mod cancel;
pub mod endpoint;
pub mod exchange;
pub mod http;
pub mod identity;
pub mod options;
pub mod util;

pub mod abi;

pub use error::{Error, ExoResult};
pub use secret::Secret;

/// The library's version, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
