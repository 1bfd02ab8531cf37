//! A tiny record model and a fast JSON writer for cmdlet output.
//!
//! Cmdlet output objects are `Vec<(&'static str, V)>` (Exchange PascalCase names in the order the
//! real service tends to use). Writing them by hand avoids building `serde_json::Value` trees for
//! 1000-record pages.

#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Null,
    Bool(bool),
    Int(i64),
    S(&'static str),
    Str(String),
    Arr(Vec<V>),
}

pub type Record = Vec<(&'static str, V)>;

impl V {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            V::S(s) => Some(s),
            V::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// Text used by -Filter comparisons.
    pub fn text(&self) -> String {
        match self {
            V::Null => String::new(),
            V::Bool(b) => {
                if *b {
                    "True".into()
                } else {
                    "False".into()
                }
            }
            V::Int(i) => i.to_string(),
            V::S(s) => s.to_string(),
            V::Str(s) => s.clone(),
            V::Arr(a) => a.iter().map(|v| v.text()).collect::<Vec<_>>().join(" "),
        }
    }
}

impl From<&'static str> for V {
    fn from(s: &'static str) -> V {
        V::S(s)
    }
}
impl From<String> for V {
    fn from(s: String) -> V {
        V::Str(s)
    }
}
impl From<bool> for V {
    fn from(b: bool) -> V {
        V::Bool(b)
    }
}
impl From<i64> for V {
    fn from(i: i64) -> V {
        V::Int(i)
    }
}
impl From<Option<String>> for V {
    fn from(s: Option<String>) -> V {
        match s {
            Some(s) => V::Str(s),
            None => V::Null,
        }
    }
}
impl From<Vec<String>> for V {
    fn from(a: Vec<String>) -> V {
        V::Arr(a.into_iter().map(V::Str).collect())
    }
}

/// Case-insensitive property lookup.
pub fn get<'a>(rec: &'a Record, name: &str) -> Option<&'a V> {
    rec.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// True when any byte is a control character, '"' or '\\' (8 bytes at a time).
#[inline]
fn needs_escape(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let lt20 = x.wrapping_sub(LO * 0x20) & !x;
        let q = x ^ (LO * b'"' as u64);
        let bs = x ^ (LO * b'\\' as u64);
        let zq = q.wrapping_sub(LO) & !q;
        let zb = bs.wrapping_sub(LO) & !bs;
        if (lt20 | zq | zb) & HI != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Fast path: most strings need no escaping (this scan vectorizes).
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(format!("\\u{:04x}", b).as_bytes());
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

pub fn write_v(out: &mut Vec<u8>, v: &V) {
    match v {
        V::Null => out.extend_from_slice(b"null"),
        V::Bool(true) => out.extend_from_slice(b"true"),
        V::Bool(false) => out.extend_from_slice(b"false"),
        V::Int(i) => {
            use std::io::Write;
            let _ = write!(out, "{}", i);
        }
        V::S(s) => write_str(out, s),
        V::Str(s) => write_str(out, s),
        V::Arr(a) => {
            out.push(b'[');
            for (k, x) in a.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                write_v(out, x);
            }
            out.push(b']');
        }
    }
}

/// The OData annotations the real service writes before a value: (`@odata.type`, `@data.type`).
/// Guids get both, dates `System.DateTime`, integers `System.Int32` (or `#Int64` +
/// `System.Int64`), Booleans `System.Boolean`, arrays `#Collection(String)`; nulls and plain
/// strings none. Decided from the property name and the value's shape (cheap, no allocation).
pub fn annotation(name: &str, v: &V) -> (Option<&'static str>, Option<&'static str>) {
    match v {
        V::Null => (None, None),
        V::Arr(_) => (Some("#Collection(String)"), None),
        V::Bool(_) => (None, Some("System.Boolean")),
        V::Int(i) => {
            if *i > i32::MAX as i64 || *i < i32::MIN as i64 || INT64.contains(&name) {
                (Some("#Int64"), Some("System.Int64"))
            } else {
                (None, Some("System.Int32"))
            }
        }
        V::S(s) => text_annotation(name, s),
        V::Str(s) => text_annotation(name, s),
    }
}

/// Properties typed Int64 even when their value is small.
const INT64: &[&str] = &[
    "UsnCreated",
    "UsnChanged",
    "MailboxMoveFlagsValue",
    "RecipientLimitsValue",
];

fn text_annotation(name: &str, s: &str) -> (Option<&'static str>, Option<&'static str>) {
    let b = s.as_bytes();
    let guid_name = name == "Guid" || name.ends_with("Guid") || name == "ExchangeObjectId";
    if guid_name && b.len() == 36 && b[8] == b'-' && b[13] == b'-' && b[18] == b'-' && b[23] == b'-'
    {
        return (Some("#Guid"), Some("System.Guid"));
    }
    let date_name = name.starts_with("When")
        || name.ends_with("Time")
        || name.ends_with("Date")
        || name.ends_with("TimeUTC")
        || name == "Expires"
        || name == "Received"
        || name == "StsRefreshTokensValidFrom";
    if date_name && b.len() >= 19 && b[4] == b'-' && b[10] == b'T' {
        return (None, Some("System.DateTime"));
    }
    (None, None)
}

/// Writes a record with the real service's per-property annotations before each value.
pub fn write_record_annotated(out: &mut Vec<u8>, rec: &Record, select: Option<&[String]>) {
    out.push(b'{');
    let mut first = true;
    for (k, v) in rec {
        if let Some(sel) = select {
            if !sel.iter().any(|s| s.eq_ignore_ascii_case(k)) {
                continue;
            }
        }
        if !first {
            out.push(b',');
        }
        first = false;
        let (odata, data) = annotation(k, v);
        for (suffix, ann) in [("@odata.type", odata), ("@data.type", data)] {
            if let Some(a) = ann {
                out.push(b'"');
                out.extend_from_slice(k.as_bytes());
                out.extend_from_slice(suffix.as_bytes());
                out.extend_from_slice(b"\":\"");
                out.extend_from_slice(a.as_bytes());
                out.extend_from_slice(b"\",");
            }
        }
        out.push(b'"');
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"\":");
        write_v(out, v);
    }
    out.push(b'}');
}

/// Writes a record; with `select` (lower-cased names), only those properties, in record order.
pub fn write_record(out: &mut Vec<u8>, rec: &Record, select: Option<&[String]>) {
    out.push(b'{');
    let mut first = true;
    for (k, v) in rec {
        if let Some(sel) = select {
            if !sel.iter().any(|s| s.eq_ignore_ascii_case(k)) {
                continue;
            }
        }
        if !first {
            out.push(b',');
        }
        first = false;
        // Keys are static PascalCase identifiers: no escaping needed.
        out.push(b'"');
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"\":");
        write_v(out, v);
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_follow_the_value_type() {
        let rec: Record = vec![
            ("Guid", V::S("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")),
            ("EmailAddresses", V::Arr(vec![V::S("SMTP:a@b.c")])),
            ("WhenCreated", V::S("2024-01-02T03:04:05+00:00")),
            ("RecipientSoftDeletedStatus", V::Int(0)),
            ("Name", V::S("a")),
            ("Office", V::Null),
        ];
        let mut out = Vec::new();
        write_record_annotated(&mut out, &rec, None);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["Guid@odata.type"], "#Guid");
        assert_eq!(v["Guid@data.type"], "System.Guid");
        assert_eq!(v["EmailAddresses@odata.type"], "#Collection(String)");
        assert_eq!(v["WhenCreated@data.type"], "System.DateTime");
        assert_eq!(v["RecipientSoftDeletedStatus@data.type"], "System.Int32");
        assert!(v.get("Name@data.type").is_none() && v.get("Office@data.type").is_none());
        let mut out = Vec::new();
        write_record_annotated(&mut out, &rec, Some(&["name".to_string()]));
        assert_eq!(String::from_utf8(out).unwrap(), "{\"Name\":\"a\"}");
    }

    #[test]
    fn escapes_like_serde() {
        for s in [
            "plain",
            "q\"uote",
            "back\\slash",
            "ctl\u{1}x\ny",
            "日历 Kalender",
            "",
        ] {
            let mut out = Vec::new();
            write_str(&mut out, s);
            let back: String = serde_json::from_slice(&out).unwrap();
            assert_eq!(back, s);
        }
    }
}
