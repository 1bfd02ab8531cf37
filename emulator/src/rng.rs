//! Small deterministic helpers: a SplitMix64 PRNG, stable hashes, GUIDs, base64url, dates.
//! No external crates: the estate must be reproducible from `--seed` alone.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, good enough for seeded test data.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        finalize(self.0)
    }

    /// A float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The SplitMix64 output function (a bijection on u64).
#[inline]
pub fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Stable hash of a list of integers (order matters).
#[inline]
pub fn h(parts: &[u64]) -> u64 {
    let mut acc = 0x243F_6A88_85A3_08D3u64;
    for p in parts {
        acc = finalize(
            acc ^ p
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(0x632B_E59B_D9B4_E019),
        );
    }
    acc
}

/// FNV-1a 64 of a string: stable across runs and platforms.
pub fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

pub fn hash_bytes(b: &[u8]) -> u64 {
    let mut x = 0xcbf2_9ce4_8422_2325u64;
    for c in b {
        x ^= *c as u64;
        x = x.wrapping_mul(0x0000_0100_0000_01B3);
    }
    finalize(x)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A version-4-shaped GUID string derived from two hashes.
pub fn guid(a: u64, b: u64) -> String {
    let a = finalize(a);
    let b = finalize(b ^ 0x5851_F42D_4C95_7F2D);
    let a = (a & !0xf000) | 0x4000; // version nibble (bits 12..16 of the low 16 bits)
    let b = (b & !(0xc000u64 << 48)) | (0x8000u64 << 48); // variant
    fn put(out: &mut [u8; 36], at: usize, v: u64, digits: usize) {
        for d in 0..digits {
            out[at + d] = HEX[((v >> ((digits - 1 - d) * 4)) & 0xf) as usize];
        }
    }
    let mut out = [b'-'; 36];
    put(&mut out, 0, a >> 32, 8);
    put(&mut out, 9, (a >> 16) & 0xffff, 4);
    put(&mut out, 14, a & 0xffff, 4);
    put(&mut out, 19, b >> 48, 4);
    put(&mut out, 24, b & 0xffff_ffff_ffff, 12);
    String::from_utf8(out.to_vec()).unwrap()
}

/// A random (non-seeded) GUID, for trace ids and the like.
pub fn random_guid() -> String {
    guid(fastrand::u64(..), fastrand::u64(..))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn b64url(data: &[u8]) -> String {
    let mut out = String::with_capacity((data.len() + 2) / 3 * 4);
    for chunk in data.chunks(3) {
        let n = match chunk.len() {
            3 => (chunk[0] as u32) << 16 | (chunk[1] as u32) << 8 | chunk[2] as u32,
            2 => (chunk[0] as u32) << 16 | (chunk[1] as u32) << 8,
            _ => (chunk[0] as u32) << 16,
        };
        out.push(B64[(n >> 18) as usize & 63] as char);
        out.push(B64[(n >> 12) as usize & 63] as char);
        if chunk.len() > 1 {
            out.push(B64[(n >> 6) as usize & 63] as char);
        }
        if chunk.len() > 2 {
            out.push(B64[n as usize & 63] as char);
        }
    }
    out
}

pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes: Vec<u8> = s.bytes().filter(|c| *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (k, c) in chunk.iter().enumerate() {
            n |= val(*c)? << (18 - 6 * k);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    Some(out)
}

/// `n` random bytes (not seeded: tokens must not be guessable from the seed).
pub fn random_bytes(n: usize) -> Vec<u8> {
    (0..n).map(|_| fastrand::u8(..)).collect()
}

/// Seeded string of `n` characters from the base64url alphabet.
pub fn seeded_chars(rng: &mut SplitMix64, n: usize) -> String {
    (0..n)
        .map(|_| B64[(rng.next_u64() % 64) as usize] as char)
        .collect()
}

pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// (year, month, day, hour, minute, second) of a unix time, UTC.
pub fn civil(t: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (t / 86400) as i64;
    let secs = t % 86400;
    // Howard Hinnant's civil_from_days
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        ((secs % 3600) / 60) as u32,
        (secs % 60) as u32,
    )
}

fn iso(t: u64, sep: u8, suffix: &str) -> String {
    let (y, mo, d, h, mi, sec) = civil(t);
    let mut b = Vec::with_capacity(25);
    let y = y.clamp(0, 9999) as u32;
    for v in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
        b.push(b'0' + v as u8);
    }
    let two = |b: &mut Vec<u8>, v: u32| {
        b.push(b'0' + (v / 10) as u8);
        b.push(b'0' + (v % 10) as u8);
    };
    b.push(b'-');
    two(&mut b, mo);
    b.push(b'-');
    two(&mut b, d);
    b.push(sep);
    two(&mut b, h);
    b.push(b':');
    two(&mut b, mi);
    b.push(b':');
    two(&mut b, sec);
    b.extend_from_slice(suffix.as_bytes());
    String::from_utf8(b).unwrap()
}

/// `2023-04-05T06:07:08+00:00` (how Exchange's REST API renders DateTime values).
pub fn iso_offset(t: u64) -> String {
    iso(t, b'T', "+00:00")
}

/// `2023-04-05T06:07:08Z`.
pub fn iso_z(t: u64) -> String {
    iso(t, b'T', "Z")
}

/// `2023-04-05 06:07:08Z` (Entra ID error timestamps).
pub fn aad_timestamp(t: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(t);
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z", y, mo, d, h, mi, s)
}

/// Unix time of a civil UTC date (Howard Hinnant's days_from_civil).
pub fn unix_of(y: i64, m: u32, d: u32, hh: u32, mi: u32, ss: u32) -> Option<u64> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mi > 59 || ss > 60 {
        return None;
    }
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = if y2 >= 0 { y2 } else { y2 - 399 } / 400;
    let yoe = y2 - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let t = days * 86400 + (hh * 3600 + mi * 60 + ss) as i64;
    u64::try_from(t).ok()
}

/// Parses the date forms PowerShell binds to DateTime from JSON: ISO 8601
/// (`2026-11-29`, `2026-11-29T08:00:00[.fff][Z|+01:00]`) and US `11/29/2026[ 8:00[:00][ AM|PM]]`.
/// Times without an offset are taken as UTC.
pub fn parse_date(s: &str) -> Option<u64> {
    let s = s.trim();
    let nums = |x: &str| -> Option<Vec<u32>> {
        x.split(|c| c == ':' || c == '.')
            .take(3)
            .map(|p| p.parse::<u32>().ok())
            .collect()
    };
    if s.len() >= 10 && s.as_bytes()[4] == b'-' {
        let y: i64 = s[0..4].parse().ok()?;
        let m: u32 = s[5..7].parse().ok()?;
        let d: u32 = s[8..10].parse().ok()?;
        let rest = &s[10..];
        if rest.is_empty() {
            return unix_of(y, m, d, 0, 0, 0);
        }
        let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
        let (time, off) = match rest.find(|c| c == 'Z' || c == '+' || c == '-') {
            Some(k) => (&rest[..k], &rest[k..]),
            None => (rest, ""),
        };
        let time = time.split('.').next().unwrap_or("");
        let t = nums(time)?;
        let base = unix_of(
            y,
            m,
            d,
            t[0],
            *t.get(1).unwrap_or(&0),
            *t.get(2).unwrap_or(&0),
        )? as i64;
        let shift = if off.is_empty() || off == "Z" {
            0
        } else {
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let hm = nums(&off[1..].replace(':', ":"))?;
            let (oh, om) = if hm.len() == 1 && off.len() == 5 {
                (hm[0] / 100, hm[0] % 100)
            } else {
                (hm[0], *hm.get(1).unwrap_or(&0))
            };
            sign * (oh as i64 * 3600 + om as i64 * 60)
        };
        return u64::try_from(base - shift).ok();
    }
    let mut parts = s.split_whitespace();
    let date: Vec<u32> = parts
        .next()?
        .split('/')
        .map(|p| p.parse::<u32>().ok())
        .collect::<Option<_>>()?;
    if date.len() != 3 {
        return None;
    }
    let (mut hh, mut mi, mut ss) = (0, 0, 0);
    if let Some(time) = parts.next() {
        let t = nums(time)?;
        hh = t[0];
        mi = *t.get(1).unwrap_or(&0);
        ss = *t.get(2).unwrap_or(&0);
        match parts.next().map(|x| x.to_ascii_uppercase()) {
            Some(ap) if ap == "PM" && hh < 12 => hh += 12,
            Some(ap) if ap == "AM" && hh == 12 => hh = 0,
            Some(ap) if ap != "AM" && ap != "PM" => return None,
            _ => {}
        }
    }
    unix_of(date[2] as i64, date[0], date[1], hh, mi, ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64_roundtrip() {
        for n in 0..20 {
            let v: Vec<u8> = (0..n as u8).collect();
            assert_eq!(b64url_decode(&b64url(&v)).unwrap(), v);
        }
    }

    #[test]
    fn civil_epoch() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(iso_z(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_offset(951_782_400), "2000-02-29T00:00:00+00:00");
        assert_eq!(aad_timestamp(1_700_000_000), "2023-11-14 22:13:20Z");
    }

    #[test]
    fn guid_shape() {
        let g = guid(1, 2);
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(guid(1, 2), guid(1, 3));
    }

    #[test]
    fn dates_round_trip() {
        let t = 1_796_000_000;
        assert_eq!(parse_date(&iso_z(t)), Some(t));
        assert_eq!(parse_date(&iso_offset(t)), Some(t));
        assert_eq!(
            parse_date("2026-11-29T09:00:00+01:00"),
            parse_date("2026-11-29T08:00:00Z")
        );
        assert_eq!(
            parse_date("11/29/2026 8:00 PM"),
            parse_date("2026-11-29T20:00:00")
        );
        assert_eq!(parse_date("2026-11-29"), parse_date("11/29/2026"));
        assert_eq!(parse_date("yesterday"), None);
    }
}
