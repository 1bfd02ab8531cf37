//! exo-bridge: the native core of the ExoDelegated PowerShell module.
//!
//! The crate is split in layers that import downward only (docs/ARCHITECTURE.md;
//! `tests/layering.rs` enforces it):
//! - `abi`: a thin C ABI (`exo_*` functions, see `src/exo_bridge.h`);
//! - `exchange`: the Exchange admin API (connections, requests, paging);
//! - `identity`: Entra ID tokens (grants, the token cache, device code);
//! - `retry`, `http`, `endpoint`, `options`, `cancel`, `secret`: their tools;
//! - `error`, `util`, `wipe` (the allocator that wipes freed memory): at the bottom.
//!
//! Every module is private; the ABI's symbols are exported by `#[no_mangle]`,
//! and the few types the integration tests drive are re-exported below.

mod abi;
mod cancel;
mod endpoint;
mod error;
mod exchange;
mod graph;
mod http;
mod identity;
mod options;
mod retry;
mod secret;
mod util;
mod wipe;

/// Entry points of the fuzz targets (fuzz/) and their replay test (tests/fuzz_replay.rs).
#[doc(hidden)]
pub mod fuzzing;

pub use abi::connection::ExoConnection;
pub use abi::cursor::ExoCursor;
pub use abi::device_code::ExoDeviceFlow;
pub use abi::error::ExoError;
pub use abi::version::{EXO_VERSION_MAJOR, EXO_VERSION_MINOR, EXO_VERSION_PATCH};
pub use cancel::CancelToken;
pub use endpoint::BaseUrl;
pub use error::{Category, Error, ExoResult, Reason};
pub use exchange::connection::{Connection, Secrets};
pub use exchange::cursor::{check_next_link, Cursor, Page};
pub use exchange::fanout::{Event as FanoutEvent, Fanout};
pub use exchange::request::InvokeRequest;
pub use graph::client::GraphClient;
pub use graph::customers::{list as list_customers, Listing};
pub use graph::options::GraphOptions;
pub use identity::device_code::DeviceFlow;
pub use identity::grant::{redeem, Grant, TokenEndpoint, TokenResponse};
pub use options::ConnectionOptions;
pub use retry::RetryRecord;
pub use secret::Secret;
