//! The panic boundary every exported function runs inside. Knows nothing of
//! the error object: `abi::error::call` adds the `exo_error **` out-parameter.

use crate::error::{Error, ExoResult, Reason};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

static QUIET_PANICS: Once = Once::new();

/// Replace the default panic hook once: its message could echo data the
/// library handles, and the host's stderr is not ours to write to.
fn install_quiet_panic_hook() {
    QUIET_PANICS.call_once(|| {
        std::panic::set_hook(Box::new(|_| {}));
    });
}

/// Run `body` so that no panic escapes; a panic becomes an `EXO_RESULT_PANIC` error.
pub(crate) fn catch<F>(fn_name: &'static str, body: F) -> Result<(), Error>
where
    F: FnOnce() -> Result<(), Error>,
{
    install_quiet_panic_hook();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(r) => r,
        // The payload is dropped unread: it may hold anything.
        Err(_) => Err(Error::new(
            ExoResult::Panic,
            Reason::Panic,
            format!("internal error in {fn_name}; please report it (no data was logged)"),
        )),
    }
}

/// For functions that return a value instead of `exo_result`: run `body`,
/// and return `fallback` if it panics.
pub(crate) fn call_or<T, F>(fallback: T, body: F) -> T
where
    F: FnOnce() -> T,
{
    install_quiet_panic_hook();
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Write `value` through an out-pointer that was checked non-NULL.
pub(crate) fn write_out<T>(out: *mut T, value: T) {
    // SAFETY: callers check `out` for NULL before doing any work.
    unsafe { out.write(value) };
}
