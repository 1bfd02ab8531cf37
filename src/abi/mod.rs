//! The C ABI. Thin by design: check pointers and strings, call the plain Rust
//! modules, hand results back. Conventions (see `src/exo_bridge.h`):
//! - every function that can fail returns `exo_result` and, on failure, an
//!   owned `exo_error` through its last out-parameter (when that is not NULL);
//! - out-parameters are written only on success;
//! - no panic crosses the boundary (`boundary::call`);
//! - every string the library hands out is freed with `exo_string_free`.

pub(crate) mod batch;
pub(crate) mod boundary;
pub(crate) mod connection;
pub(crate) mod cursor;
pub(crate) mod customers;
pub(crate) mod device_code;
pub(crate) mod error;
pub(crate) mod fanout;
pub(crate) mod strings;
pub(crate) mod version;
