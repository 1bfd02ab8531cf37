//! The panic boundary every exported function runs inside.

use crate::abi::error::ExoError;
use crate::error::{Error, ExoResult};
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

/// Run `body` so that no panic escapes; on failure store an owned error in
/// `*err` (if `err` is not NULL) and return its code.
///
/// `err` is reset to NULL first, so callers can always free what they get.
pub fn call<F>(fn_name: &'static str, err: *mut *mut ExoError, body: F) -> ExoResult
where
    F: FnOnce() -> Result<(), Error>,
{
    install_quiet_panic_hook();
    if !err.is_null() {
        // SAFETY: the caller passes a writable `exo_error **` or NULL.
        unsafe { *err = std::ptr::null_mut() };
    }
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let error = match outcome {
        Ok(Ok(())) => return ExoResult::Ok,
        Ok(Err(e)) => e,
        // The payload is dropped unread: it may hold anything.
        Err(_) => Error::new(
            ExoResult::Panic,
            "Panic",
            format!("internal error in {fn_name}; please report it (no data was logged)"),
        ),
    };
    let code = error.code;
    if !err.is_null() {
        // SAFETY: as above.
        unsafe { *err = ExoError::boxed(error) };
    }
    code
}

/// For functions that return a value instead of `exo_result`: run `body`,
/// and return `fallback` if it panics.
pub fn call_or<T, F>(fallback: T, body: F) -> T
where
    F: FnOnce() -> T,
{
    install_quiet_panic_hook();
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Write `value` through an out-pointer that was checked non-NULL.
pub fn write_out<T>(out: *mut T, value: T) {
    // SAFETY: callers check `out` for NULL before doing any work.
    unsafe { out.write(value) };
}
