//! A secret string (refresh token, client secret, access token) that is
//! zeroized when dropped and never printed.

use std::fmt;
use zeroize::Zeroize;

/// Owned secret text. `Debug` and `Display` print a placeholder; the only
/// way to the text is `expose`, so every use is greppable.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: String) -> Self {
        Secret(text)
    }

    /// Decode UTF-16 (what PowerShell's SecureString holds) without ever
    /// building an unzeroized intermediate.
    pub(crate) fn from_utf16(units: &[u16]) -> Option<Self> {
        let mut text = String::with_capacity(units.len());
        for c in char::decode_utf16(units.iter().copied()) {
            match c {
                Ok(c) => text.push(c),
                Err(_) => {
                    text.zeroize();
                    return None;
                }
            }
        }
        Some(Secret(text))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Length in UTF-16 code units, for callers that copy it into a UTF-16 buffer.
    pub(crate) fn utf16_len(&self) -> usize {
        self.0.encode_utf16().count()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts() {
        let s = Secret::from("canary-123");
        assert!(!format!("{s:?}").contains("canary"));
    }

    #[test]
    fn utf16_roundtrip_and_lone_surrogate_rejected() {
        let units: Vec<u16> = "tök€n".encode_utf16().collect();
        assert_eq!(Secret::from_utf16(&units).unwrap().expose(), "tök€n");
        assert!(Secret::from_utf16(&[0xD800]).is_none());
    }
}
