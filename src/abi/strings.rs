//! Strings across the ABI: checked input, owned output, one free function.

use crate::abi::boundary;
use crate::error::{Error, ExoResult, Reason};
use crate::secret::Secret;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use zeroize::Zeroize;

/// Largest string argument accepted (64 MiB): bounds work done on garbage pointers' behalf.
pub(crate) const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Borrow a NUL-terminated UTF-8 argument. NULL and invalid UTF-8 are errors.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn borrow_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::null_parameter(name));
    }
    let bytes = CStr::from_ptr(ptr).to_bytes();
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(Error::invalid_argument(format!(
            "argument '{name}' is longer than {MAX_INPUT_BYTES} bytes"
        )));
    }
    std::str::from_utf8(bytes).map_err(|_| Error::invalid_utf8(name))
}

/// Copy an optional UTF-16 secret (pointer + length in code units).
/// NULL with length 0 means "absent"; NULL with a length is an error.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable `u16`s.
pub(crate) unsafe fn secret_from_utf16(
    ptr: *const u16,
    len: usize,
    name: &str,
) -> Result<Option<Secret>, Error> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(None)
        } else {
            Err(Error::null_parameter(name))
        };
    }
    if len > MAX_INPUT_BYTES / 2 {
        return Err(Error::invalid_argument(format!(
            "argument '{name}' is too long"
        )));
    }
    let units = std::slice::from_raw_parts(ptr, len);
    match Secret::from_utf16(units) {
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => Ok(Some(s)),
        None => Err(Error::new(
            ExoResult::InvalidUtf8,
            Reason::InvalidUtf8,
            format!("argument '{name}' is not valid UTF-16"),
        )),
    }
}

/// The one conversion of library text to a C string. Interior NULs cannot come
/// from our own text, but service text could hold one: it becomes a space.
/// Takes the text by value: a page's JSON (megabytes) is not copied.
pub(crate) fn c_string(s: String) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let mut bytes = e.into_vec();
        for b in bytes.iter_mut().filter(|b| **b == 0) {
            *b = b' ';
        }
        CString::new(bytes).unwrap_or_default()
    })
}

/// Hand a string to the caller; they free it with `exo_string_free`.
pub(crate) fn to_owned_c(s: String) -> *mut c_char {
    c_string(s).into_raw()
}

/// Free a string returned by this library. The bytes are zeroed first (some
/// strings, such as page JSON, may hold personal data). NULL is ignored.
#[no_mangle]
pub extern "C" fn exo_string_free(s: *mut c_char) {
    boundary::call_or((), || {
        if !s.is_null() {
            // SAFETY: a pointer from `CString::into_raw` in `to_owned_c`, freed once by contract.
            let owned = unsafe { CString::from_raw(s) };
            let mut bytes = owned.into_bytes_with_nul();
            bytes.zeroize();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interior_nul_becomes_a_space() {
        assert_eq!(c_string("a\0b".into()).to_str().unwrap(), "a b");
        assert_eq!(c_string("plain".into()).to_str().unwrap(), "plain");
    }
}
