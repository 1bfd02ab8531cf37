//! Small helpers shared by the core modules: lock without poisoning panics,
//! GUIDs, UTC timestamps, base64url, form encoding, header-safe text.

use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Lock a mutex; a poisoned lock (a panic elsewhere) is still usable because
/// every critical section here leaves its data consistent.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A new random (version 4) GUID, lower case, as Exchange's client-request-id wants.
pub(crate) fn new_guid() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000; // variant 10
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000; // version 4
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// A duration in seconds from a JSON field that the identity platform sends as a
/// number or as a numeric string (`expires_in`, `interval`, ...).
pub(crate) fn json_seconds(v: &Option<serde_json::Value>) -> Option<u64> {
    match v {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

/// True for `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex, any case).
pub(crate) fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `SystemTime` as ISO 8601 UTC with seconds, e.g. `2024-05-01T12:00:00Z`.
pub(crate) fn format_utc(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day); Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parse an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the HTTP-date form
/// of Retry-After. Returns seconds since the epoch.
pub(crate) fn parse_http_date(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    let day: u32 = parts[1].parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[2])? as u32
        + 1;
    let year: i64 = parts[3].parse().ok()?;
    if !(1970..=9999).contains(&year) {
        return None; // four digits in an IMF-fixdate; more would overflow below
    }
    let hms: Vec<u64> = parts[4]
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if hms.len() != 3 || day == 0 || day > 31 || hms[0] > 23 || hms[1] > 59 || hms[2] > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if days < 0 {
        return None;
    }
    Some(days as u64 * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2])
}

/// Decode base64url (with or without padding). `None` on bad input.
pub(crate) fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Append `application/x-www-form-urlencoded` `key=value` (with `&` when needed).
pub(crate) fn form_append(out: &mut String, key: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    form_escape(out, key);
    out.push('=');
    form_escape(out, value);
}

/// Replaced for a secret in service text.
pub(crate) const REDACTED: &str = "<redacted>";

/// `text` with every secret (of 4 characters or more) replaced by `<redacted>` in each form a
/// peer may echo it: raw, form-encoded (as a token request sends it; either hex case, `+` or
/// `%20` for a space) and JSON-escaped (with or without `\/`); and whatever follows `Bearer `
/// (an echoed `Authorization` header, whatever token it holds). Run it before cutting text
/// short: a cut could leave most of a secret behind the cut-off point's reach.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.chars().count() >= 4) {
        // Every form is at least as long as the secret: text shorter than it (a display name
        // against a token) cannot hold it, and is not searched.
        if s.len() > out.len() {
            continue;
        }
        let mut form = String::new();
        form_escape(&mut form, s);
        let json = serde_json::to_string(s).unwrap_or_default();
        let json = json.trim_matches('"').to_string();
        let forms = [
            s.to_string(),
            form.replace('+', "%20"),
            lowercase_escapes(&form),
            json.replace('/', "\\/"),
            form,
            json,
        ];
        for f in forms.iter().filter(|f| !f.is_empty()) {
            if out.contains(f.as_str()) {
                out = out.replace(f.as_str(), REDACTED);
            }
        }
    }
    redact_bearer(&out)
}

/// `Bearer <anything up to a blank, quote or comma>` → `Bearer <redacted>`, in any case.
fn redact_bearer(text: &str) -> String {
    const WORD: &str = "bearer";
    let lower = text.to_ascii_lowercase();
    if !lower.contains(WORD) {
        return text.to_string();
    }
    let (b, mut out, mut i) = (text.as_bytes(), String::with_capacity(text.len()), 0usize);
    while let Some(at) = lower[i..].find(WORD).map(|p| p + i) {
        let mut j = at + WORD.len();
        let blanks = b[j..]
            .iter()
            .take_while(|c| **c == b' ' || **c == b'\t')
            .count();
        let start = j + blanks;
        let end = start
            + b[start..]
                .iter()
                .take_while(|c| {
                    !matches!(
                        **c,
                        b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b',' | b'\\' | b'<'
                    )
                })
                .count();
        // Only a token-sized word: "bearer token" in prose stays.
        if blanks > 0 && end - start >= 16 {
            out.push_str(&text[i..start]);
            out.push_str(REDACTED);
            j = end;
        } else {
            out.push_str(&text[i..j]);
        }
        i = j;
    }
    out.push_str(&text[i..]);
    out
}

/// `%2F` → `%2f` (the escapes only).
fn lowercase_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut hex_left = 0;
    for c in s.chars() {
        if c == '%' {
            hex_left = 2;
            out.push(c);
        } else if hex_left > 0 {
            hex_left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn form_escape(out: &mut String, s: &str) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
}

/// True when `s` can go in an HTTP header value unchanged (visible ASCII and spaces).
pub(crate) fn is_header_safe(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Characters that must not reach a terminal from a peer: C0 and C1 controls (ESC and CSI
/// start the sequences that set the window title, clear the screen or plant hyperlinks; CR and
/// LF fake a second line), line and paragraph separators, and the Unicode bidi controls
/// (U+202A–U+202E, U+2066–U+2069, LRM, RLM, ALM) that make text read differently from what it is.
pub(crate) fn is_unsafe_for_terminal(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Peer text that may echo a secret, for a message, warning or output field: cleaned for a
/// terminal, then redacted of `secrets`, then cut to `max` characters. Cleaning comes first:
/// it drops bidi controls, and a secret split by one would pass the redaction and be joined
/// again by a later cleaning; the cut comes last, so no part of a secret survives it.
pub(crate) fn quote_redacted(text: &str, max: usize, secrets: &[&str]) -> String {
    clean_text(&redact(&clean_text(text, usize::MAX), secrets), max)
}

/// Service text made safe for a one-line message: the one place every text from a peer
/// (error messages, `@adminapi.warnings`, the device-code message) is cleaned before it can
/// reach a terminal. Controls and separators become spaces, bidi controls are dropped, and it
/// is cut to `max` characters.
pub(crate) fn clean_text(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| if is_unsafe_for_terminal(c) { ' ' } else { c })
        .take(max)
        .collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn guid_shape() {
        let g = new_guid();
        assert!(is_guid(&g), "{g}");
        assert_eq!(&g[14..15], "4");
        assert_ne!(new_guid(), g);
        assert!(!is_guid("not-a-guid"));
    }

    #[test]
    fn utc_format_and_http_date() {
        assert_eq!(format_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(format_utc(t), "1994-11-06T08:49:37Z");
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(
            parse_http_date("Wed, 21 Oct 9223372036854775807 07:28:00 GMT"),
            None
        );
        let t = UNIX_EPOCH + Duration::from_secs(1_709_251_200); // 2024-03-01 (leap year)
        assert_eq!(format_utc(t), "2024-03-01T00:00:00Z");
    }

    #[test]
    fn base64url() {
        assert_eq!(base64url_decode("eyJhIjoxfQ").unwrap(), br#"{"a":1}"#);
        assert_eq!(base64url_decode("eyJhIjoxfQ==").unwrap(), br#"{"a":1}"#);
        assert!(base64url_decode("a b").is_none());
    }

    #[test]
    fn seconds_as_number_or_string() {
        let v = |j: &str| Some(serde_json::from_str::<serde_json::Value>(j).unwrap());
        assert_eq!(json_seconds(&v("3599")), Some(3599));
        assert_eq!(json_seconds(&v("\"900\"")), Some(900));
        assert_eq!(json_seconds(&v("\"soon\"")), None);
        assert_eq!(json_seconds(&v("-1")), None);
        assert_eq!(json_seconds(&None), None);
    }

    #[test]
    fn form_encoding() {
        let mut s = String::new();
        form_append(&mut s, "scope", "https://x/.default offline_access");
        form_append(&mut s, "k", "a&b=c");
        assert_eq!(
            s,
            "scope=https%3A%2F%2Fx%2F.default+offline_access&k=a%26b%3Dc"
        );
    }

    #[test]
    fn secrets_are_redacted_in_every_form() {
        let secret = "s3cr~t/v+al ue\"x";
        let mut form = String::new();
        form_append(&mut form, "client_secret", secret);
        let json = serde_json::json!({ "echo": secret }).to_string();
        let text = format!(
            "raw {secret} | {form} | {json} | lower {} | slash {} | %20 {}",
            lowercase_escapes(&form),
            json.replace('/', "\\/"),
            form.replace('+', "%20")
        );
        let r = redact(&text, &[secret]);
        assert!(!r.contains("s3cr"), "{r}");
        assert_eq!(r.matches(REDACTED).count(), 6, "{r}");
        let r = redact(
            "got authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.x-y_z and BEARER\tabcdefghijklmnopq, bearer token",
            &[],
        );
        assert_eq!(
            r,
            "got authorization: Bearer <redacted> and BEARER\t<redacted>, bearer token"
        );
        assert_eq!(redact("short abc", &["abc"]), "short abc");
    }

    #[test]
    fn a_secret_split_by_what_cleaning_drops_is_still_redacted() {
        let s = "eyJ0eXAi.secret-token-0123456789";
        let (a, b) = s.split_at(12);
        for text in [
            format!("{a}\u{202e}{b}"),
            format!("x {a}\u{2066}\u{200f}{b} y"),
            format!("{s}{}", "z".repeat(500)),
        ] {
            let q = quote_redacted(&text, 40, &[s]);
            assert!(!q.contains(s) && q.contains(REDACTED), "{q:?}");
            // Cleaning alone would have joined it again.
            assert!(clean_text(&redact(&text, &[s]), 1000).contains(s) || text.contains(s));
        }
        assert_eq!(quote_redacted("\u{1b}[2Jplain", 100, &[s]), "[2Jplain");
    }

    #[test]
    fn clean_text_strips_controls_and_cuts() {
        assert_eq!(clean_text("a\r\nb", 10), "a  b");
        assert_eq!(clean_text("abcdef", 3), "abc…");
        // ESC/OSC/CSI, C1 (CSI as U+009B), DEL: no sequence survives to a terminal.
        let t = clean_text("\u{1b}]0;pwned\u{7}x\u{1b}[2Jy\u{9b}31mz\u{7f}", 100);
        assert!(!t.chars().any(is_unsafe_for_terminal), "{t:?}");
        assert!(t.contains("pwned") && t.contains('z'), "{t:?}");
        // Bidi controls are dropped, not replaced.
        assert_eq!(
            clean_text("ab\u{202E}cd\u{2066}e\u{2069}\u{200F}", 100),
            "abcde"
        );
        assert_eq!(clean_text("a\u{2028}b", 10), "a b");
    }
}
