//! Version of the native library, as a string and as header macros.

use std::os::raw::c_char;

/// Major version; the header's `EXO_VERSION_MAJOR`. Tied to Cargo.toml by a test.
pub const EXO_VERSION_MAJOR: u32 = 0;
/// Minor version; the header's `EXO_VERSION_MINOR`.
pub const EXO_VERSION_MINOR: u32 = 1;
/// Patch version; the header's `EXO_VERSION_PATCH`.
pub const EXO_VERSION_PATCH: u32 = 0;

static VERSION_C: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version ("0.1.0"), static and NUL-terminated. Never free it.
#[no_mangle]
pub extern "C" fn exo_version() -> *const c_char {
    VERSION_C.as_ptr() as *const c_char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_macros_match_cargo_toml() {
        assert_eq!(
            EXO_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            EXO_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            EXO_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
    }

    #[test]
    fn version_string_is_nul_terminated_cargo_version() {
        let s = unsafe { std::ffi::CStr::from_ptr(exo_version()) };
        assert_eq!(s.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
