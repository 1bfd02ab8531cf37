//! The HTTP types handlers and the wire share: a parsed request, a response, URL and form
//! decoding, and the per-thread buffer pool for big bodies. Imports nothing from the crate, so
//! every layer may use it.

use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;

pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Sent before `body` (lets large pages avoid one copy).
    pub prefix: Vec<u8>,
    pub body: Vec<u8>,
    /// Drop the connection after sending this fraction of the response body (the `reset` fault).
    pub reset: Option<f64>,
    /// Held until the response is written (per-tenant in-flight accounting).
    pub guard: Option<Box<dyn Send>>,
}

impl Resp {
    pub fn json(status: u16, v: &Value) -> Resp {
        Resp::raw(
            status,
            "application/json; charset=utf-8",
            serde_json::to_vec(v).unwrap(),
        )
    }
    pub fn raw(status: u16, content_type: &str, body: Vec<u8>) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            prefix: vec![],
            body,
            reset: None,
            guard: None,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

pub fn pct_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b'%' if k + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[k + 1..k + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        k += 3;
                    }
                    None => {
                        out.push(b'%');
                        k += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                k += 1;
            }
            c => {
                out.push(c);
                k += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `application/x-www-form-urlencoded` into a map (later keys win).
pub fn parse_form(body: &[u8]) -> HashMap<String, String> {
    let s = String::from_utf8_lossy(body);
    let mut m = HashMap::new();
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        m.insert(pct_decode(k, true), pct_decode(v, true));
    }
    m
}

thread_local! {
    static POOL: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::new());
}

/// An empty buffer with at least `cap` bytes, reused per thread (big pages are ~3 MB).
pub fn take_buffer(cap: usize) -> Vec<u8> {
    let mut b = POOL.with(|p| std::mem::take(&mut *p.borrow_mut()));
    b.clear();
    b.reserve(cap);
    b
}

pub fn give_buffer(b: Vec<u8>) {
    if b.capacity() >= 64 * 1024 && b.capacity() <= 6 * 1024 * 1024 {
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.capacity() < b.capacity() {
                *p = b;
            }
        });
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (for query values in links).
pub fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{:02X}", b));
        }
    }
    out
}

/// A request target (origin-form `/p?q` or absolute-form `https://host/p?q`) into the
/// origin-form URL, the decoded path and the decoded query pairs.
pub fn split_target(target: &str) -> (String, String, Vec<(String, String)>) {
    let mut url = target.to_string();
    if let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    {
        url = match rest.find('/') {
            Some(k) => rest[k..].to_string(),
            None => "/".to_string(),
        };
    }
    let (path, qs) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let query = qs
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (pct_decode(k, false), pct_decode(v, false))
        })
        .collect();
    let path = pct_decode(path, false);
    (url, path, query)
}

/// Whether `Accept-Encoding` allows gzip (`gzip`, `x-gzip` or `*`, unless `q=0`).
pub fn accepts_gzip(req: &Req) -> bool {
    let v = match req.header("Accept-Encoding") {
        Some(v) => v,
        None => return false,
    };
    v.split(',').any(|item| {
        let mut parts = item.split(';').map(|p| p.trim());
        let name = parts.next().unwrap_or("");
        let named = ["gzip", "x-gzip", "*"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n));
        let refused = parts.any(|p| {
            p.split_once('=').map_or(false, |(k, q)| {
                k.trim().eq_ignore_ascii_case("q")
                    && q.trim().parse::<f64>().map_or(false, |q| q <= 0.0)
            })
        });
        named && !refused
    })
}

/// Compresses the body (prefix included) with gzip and sets `Content-Encoding: gzip`. Returns
/// the response and the body size before and after, or `None` sizes when left as it was
/// (empty body, or already encoded).
pub fn gzip(mut resp: Resp) -> (Resp, Option<(u64, u64)>) {
    let before = resp.prefix.len() + resp.body.len();
    let encoded = resp
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("Content-Encoding"));
    if before == 0 || encoded {
        return (resp, None);
    }
    // Level 1: pages are large and repetitive; the fast level keeps the handler cheap and
    // still shrinks a Get-Mailbox page more than tenfold.
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(before / 8 + 64),
        flate2::Compression::fast(),
    );
    let ok = enc.write_all(&resp.prefix).is_ok() && enc.write_all(&resp.body).is_ok();
    let out = match enc.finish() {
        Ok(out) if ok => out,
        _ => return (resp, None),
    };
    let after = out.len();
    give_buffer(std::mem::replace(&mut resp.body, out));
    resp.prefix = Vec::new();
    resp.headers
        .push(("Content-Encoding".into(), "gzip".into()));
    resp.headers.push(("Vary".into(), "Accept-Encoding".into()));
    (resp, Some((before as u64, after as u64)))
}

/// A body part compressed on its own as a finished raw deflate stream, with the CRC-32 and
/// length of its uncompressed bytes: [`gzip_spliced`] puts a freshly compressed prefix before it
/// without compressing it again.
pub struct Deflated {
    pub data: Vec<u8>,
    pub crc: flate2::Crc,
    pub raw_len: usize,
}

/// Compresses `raw` (at gzip's level) into a finished raw deflate stream.
pub fn deflate(raw: &[u8]) -> Deflated {
    let mut enc = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(raw.len() / 8 + 64),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(raw);
    let data = enc.finish().unwrap_or_default();
    let mut crc = flate2::Crc::new();
    crc.update(raw);
    Deflated {
        data,
        crc,
        raw_len: raw.len(),
    }
}

/// One gzip member whose uncompressed content is `prefix` followed by `tail`'s bytes: the
/// prefix is compressed and sync-flushed (ending on a byte boundary, not final), then `tail`'s
/// finished deflate stream follows (its back-references never reach before its own start), so
/// together they are one valid deflate stream; the trailer's CRC is combined, not recomputed.
pub fn gzip_spliced(prefix: &[u8], tail: &Deflated) -> Vec<u8> {
    let mut out = Vec::with_capacity(tail.data.len() + prefix.len() / 2 + 64);
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=4 (fastest) OS=255 (unknown), as flate2 writes it.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255]);
    let mut enc = flate2::write::DeflateEncoder::new(out, flate2::Compression::fast());
    let _ = enc.write_all(prefix);
    let _ = enc.flush();
    let mut out = std::mem::take(enc.get_mut());
    drop(enc);
    out.extend_from_slice(&tail.data);
    let mut crc = flate2::Crc::new();
    crc.update(prefix);
    crc.combine(&tail.crc);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&((prefix.len() + tail.raw_len) as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(b)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn a_spliced_gzip_body_decodes_to_prefix_then_tail() {
        let prefix = b"{\"@odata.context\":\"http://x/$metadata\",\"@odata.nextLink\":\"abc\",";
        let tail: Vec<u8> = (0..20_000)
            .flat_map(|k| format!("{{\"Alias\":\"user{}\",\"N\":{}}},", k, k % 7).into_bytes())
            .collect();
        let spliced = gzip_spliced(prefix, &deflate(&tail));
        let mut want = prefix.to_vec();
        want.extend_from_slice(&tail);
        assert_eq!(gunzip(&spliced), want);
        // The same through flate2's strict single-member decoder with an empty tail.
        assert_eq!(
            gunzip(&gzip_spliced(prefix, &deflate(b""))),
            prefix.to_vec()
        );
    }
}
