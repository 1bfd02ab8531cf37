//! `exo_error`: the owned error object, its accessors, and `call`, which runs
//! an exported function inside the panic boundary and hands its error out.

use crate::abi::boundary;
use crate::abi::strings::c_string;
use crate::error::{Error, ExoResult};
use std::ffi::CString;
use std::os::raw::c_char;

/// An error returned by the library. Owned by the caller; free it with
/// `exo_error_free`. Its strings are borrowed from it and valid until then.
pub struct ExoError {
    error: Error,
    message: CString,
    json: CString,
}

impl ExoError {
    fn boxed(error: Error) -> *mut ExoError {
        let message = c_string(error.message.clone());
        let json = c_string(error.to_json());
        Box::into_raw(Box::new(ExoError {
            error,
            message,
            json,
        }))
    }
}

/// Run an exported function's `body` so that no panic escapes; on failure
/// store an owned error in `*err` (if `err` is not NULL) and return its code.
///
/// `err` is reset to NULL first, so callers can always free what they get.
pub(crate) fn call<F>(fn_name: &'static str, err: *mut *mut ExoError, body: F) -> ExoResult
where
    F: FnOnce() -> Result<(), Error>,
{
    if !err.is_null() {
        // SAFETY: the caller passes a writable `exo_error **` or NULL.
        unsafe { *err = std::ptr::null_mut() };
    }
    match boundary::catch(fn_name, body) {
        Ok(()) => ExoResult::Ok,
        Err(error) => {
            let code = error.code;
            if !err.is_null() {
                // SAFETY: as above.
                unsafe { *err = ExoError::boxed(error) };
            }
            code
        }
    }
}

/// The result code of `err`; `EXO_RESULT_NULL_PARAMETER` when `err` is NULL.
#[no_mangle]
pub extern "C" fn exo_error_code(err: *const ExoError) -> ExoResult {
    boundary::call_or(ExoResult::Panic, || {
        // SAFETY: NULL or a pointer returned by this library and not yet freed.
        match unsafe { err.as_ref() } {
            Some(e) => e.error.code,
            None => ExoResult::NullParameter,
        }
    })
}

/// The error's message: one actionable sentence, UTF-8, NUL-terminated.
/// Borrowed from `err`: valid until `exo_error_free(err)`. NULL when `err` is NULL.
#[no_mangle]
pub extern "C" fn exo_error_message(err: *const ExoError) -> *const c_char {
    boundary::call_or(std::ptr::null(), || {
        // SAFETY: as in `exo_error_code`.
        match unsafe { err.as_ref() } {
            Some(e) => e.message.as_ptr(),
            None => std::ptr::null(),
        }
    })
}

/// Every detail of the error as one JSON object: `code`, `reason`, `message`,
/// `retries`, the policy PowerShell applies (`category`, an ErrorCategory
/// name; `recommendedAction`, when there is one; `retryable`; `fatal`), and
/// when known `aadsts`, `serviceCode`, `exceptionType`, `correlationId`,
/// `requestId`, `httpStatus`. Borrowed like `exo_error_message`.
#[no_mangle]
pub extern "C" fn exo_error_json(err: *const ExoError) -> *const c_char {
    boundary::call_or(std::ptr::null(), || {
        // SAFETY: as in `exo_error_code`.
        match unsafe { err.as_ref() } {
            Some(e) => e.json.as_ptr(),
            None => std::ptr::null(),
        }
    })
}

/// The AADSTS number of an identity error, or 0.
#[no_mangle]
pub extern "C" fn exo_error_aadsts(err: *const ExoError) -> u32 {
    boundary::call_or(0, || {
        // SAFETY: as in `exo_error_code`.
        unsafe { err.as_ref() }
            .and_then(|e| e.error.aadsts)
            .unwrap_or(0)
    })
}

/// Free an error. NULL is accepted and ignored.
#[no_mangle]
pub extern "C" fn exo_error_free(err: *mut ExoError) {
    boundary::call_or((), || {
        if !err.is_null() {
            // SAFETY: a pointer from `ExoError::boxed`, freed once by contract.
            drop(unsafe { Box::from_raw(err) });
        }
    })
}

/// A static, NUL-terminated name for a result code ("Ok", "NullParameter", ...);
/// "Unknown" for numbers this version does not define. Never free it.
#[no_mangle]
pub extern "C" fn exo_result_name(code: u32) -> *const c_char {
    macro_rules! names {
        ($($v:ident),*) => {
            match code {
                $(x if x == ExoResult::$v as u32 => concat!(stringify!($v), "\0"),)*
                _ => "Unknown\0",
            }
        };
    }
    let s: &'static str = names!(
        Ok,
        NullParameter,
        InvalidUtf8,
        InvalidArgument,
        Panic,
        InvalidHandle,
        BufferTooSmall,
        Cancelled,
        Pending,
        InsecureEndpoint,
        AuthFailed,
        ExchangeError,
        Throttled,
        Transient,
        Network,
        Timeout,
        PageExpired,
        Unauthorized,
        Internal
    );
    s.as_ptr() as *const c_char
}
