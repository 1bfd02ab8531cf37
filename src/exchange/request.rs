//! InvokeCommand requests: the caller's request JSON, the body envelope with
//! Exchange's parameter encoding, the URL and the headers (docs/PROTOCOL.md §3).

use crate::endpoint::BaseUrl;
use crate::error::Error;
use crate::options::check_anchor;
use reqwest::header::{HeaderName, ACCEPT, ACCEPT_ENCODING, AUTHORIZATION};
use reqwest::Url;
use serde_json::{Map, Value};

/// The tag Exchange needs on hashtable parameters (add/remove and friends).
pub(crate) const HASHTABLE_TYPE: &str = "#Exchange.GenericHashTable";

/// A checked invoke request.
#[derive(Debug, Clone)]
pub struct InvokeRequest {
    pub(crate) cmdlet: String,
    /// Encoded parameters (hashtables tagged, ResultSize normalised).
    pub(crate) parameters: Map<String, Value>,
    pub(crate) select: Vec<String>,
    pub(crate) page_size: Option<u32>,
    pub(crate) anchor_mailbox: Option<String>,
}

const KNOWN_KEYS: [&str; 5] = [
    "cmdlet",
    "parameters",
    "select",
    "pageSize",
    "anchorMailbox",
];

impl InvokeRequest {
    /// Parse `request_json`:
    /// `{"cmdlet":"Get-Mailbox","parameters":{...},"select":["Name"],"pageSize":1000,"anchorMailbox":"..."}`.
    pub fn from_json(json: &str) -> Result<InvokeRequest, Error> {
        let v: Value = serde_json::from_str(json).map_err(|e| {
            Error::invalid_argument(format!(
                "the request is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        Self::from_value(v)
    }

    /// As `from_json`, from parsed JSON (a batch's invocations).
    pub fn from_value(v: Value) -> Result<InvokeRequest, Error> {
        let map = match v {
            Value::Object(m) => m,
            _ => return Err(Error::invalid_argument("the request must be a JSON object")),
        };
        for k in map.keys() {
            if !KNOWN_KEYS.contains(&k.as_str()) {
                return Err(Error::invalid_argument(format!(
                    "unknown request field '{}'; known fields: {}",
                    crate::util::clean_text(k, 64),
                    KNOWN_KEYS.join(", ")
                )));
            }
        }
        let cmdlet = match map.get("cmdlet") {
            Some(Value::String(s)) if is_cmdlet_name(s) => s.clone(),
            Some(Value::String(_)) => {
                return Err(Error::invalid_argument(
                    "request field 'cmdlet' must be a cmdlet name such as Get-Mailbox",
                ))
            }
            _ => {
                return Err(Error::invalid_argument(
                    "request field 'cmdlet' is required (e.g. \"Get-Mailbox\")",
                ))
            }
        };
        let parameters = match map.get("parameters") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(p)) => encode_parameters(p)?,
            Some(_) => {
                return Err(Error::invalid_argument(
                    "request field 'parameters' must be an object",
                ))
            }
        };
        let select = match map.get("select") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    match it {
                        Value::String(s) if is_property_name(s) => out.push(s.clone()),
                        _ => {
                            return Err(Error::invalid_argument(
                                "request field 'select' must be an array of property names",
                            ))
                        }
                    }
                }
                out
            }
            Some(_) => {
                return Err(Error::invalid_argument(
                    "request field 'select' must be an array of property names",
                ))
            }
        };
        let page_size = match map.get("pageSize") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) if (1..=1000).contains(&v) => Some(v as u32),
                _ => {
                    return Err(Error::invalid_argument(
                        "request field 'pageSize' must be an integer from 1 to 1000",
                    ))
                }
            },
            Some(_) => {
                return Err(Error::invalid_argument(
                    "request field 'pageSize' must be an integer from 1 to 1000",
                ))
            }
        };
        let anchor_mailbox = match map.get("anchorMailbox") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                check_anchor(s, "anchorMailbox")?;
                Some(s.clone())
            }
            Some(_) => {
                return Err(Error::invalid_argument(
                    "request field 'anchorMailbox' must be a string",
                ))
            }
        };
        Ok(InvokeRequest {
            cmdlet,
            parameters,
            select,
            page_size,
            anchor_mailbox,
        })
    }

    /// Get-* and Test-* cmdlets are reads; everything else is a write.
    pub(crate) fn is_read(&self) -> bool {
        is_read_cmdlet(&self.cmdlet)
    }

    /// `{"CmdletInput":{"CmdletName":"…","Parameters":{…}}}`.
    pub(crate) fn body(&self) -> Vec<u8> {
        let body = serde_json::json!({
            "CmdletInput": { "CmdletName": self.cmdlet, "Parameters": self.parameters }
        });
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

pub(crate) fn is_read_cmdlet(cmdlet: &str) -> bool {
    let verb = cmdlet.split('-').next().unwrap_or("");
    verb.eq_ignore_ascii_case("Get") || verb.eq_ignore_ascii_case("Test")
}

fn is_cmdlet_name(s: &str) -> bool {
    let mut parts = s.splitn(2, '-');
    let (verb, noun) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    s.len() <= 128
        && !verb.is_empty()
        && !noun.is_empty()
        && verb.bytes().all(|b| b.is_ascii_alphabetic())
        && noun.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_parameter_name(s: &str) -> bool {
    s.len() <= 128
        && s.bytes().next().map_or(false, |b| b.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_property_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// Exchange's parameter encoding: strings, numbers, arrays and switches
/// (`true`/`false`) as JSON; `ResultSize` as `"Unlimited"` or a number;
/// every object (hashtable), at any depth, tagged `#Exchange.GenericHashTable`.
pub(crate) fn encode_parameters(params: &Map<String, Value>) -> Result<Map<String, Value>, Error> {
    let mut out = Map::new();
    for (name, value) in params {
        if !is_parameter_name(name) {
            return Err(Error::invalid_argument(format!(
                "parameter name '{}' is not valid",
                crate::util::clean_text(name, 64)
            )));
        }
        let encoded = if name.eq_ignore_ascii_case("ResultSize") {
            result_size(value)?
        } else {
            tag_hashtables(value.clone())
        };
        out.insert(name.clone(), encoded);
    }
    Ok(out)
}

fn result_size(v: &Value) -> Result<Value, Error> {
    let bad = || {
        Error::invalid_argument(
            "parameter 'ResultSize' must be \"Unlimited\" or a positive integer",
        )
    };
    match v {
        Value::String(s) if s.trim().eq_ignore_ascii_case("unlimited") => {
            Ok(Value::String("Unlimited".into()))
        }
        Value::String(s) => match s.trim().parse::<u64>() {
            Ok(n) if n >= 1 => Ok(Value::from(n)),
            _ => Err(bad()),
        },
        Value::Number(n) => match n.as_u64() {
            Some(n) if n >= 1 => Ok(Value::from(n)),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

fn tag_hashtables(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            if !m.contains_key("@odata.type") {
                out.insert("@odata.type".into(), Value::String(HASHTABLE_TYPE.into()));
            }
            for (k, v) in m {
                out.insert(k, tag_hashtables(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(tag_hashtables).collect()),
        other => other,
    }
}

/// `{exchange}/adminapi/beta/{tenant}/InvokeCommand[?$select=A,B]`.
pub(crate) fn invoke_url(
    exchange: &BaseUrl,
    tenant: &str,
    select: &[String],
) -> Result<Url, Error> {
    let mut path = format!("adminapi/beta/{tenant}/InvokeCommand");
    if !select.is_empty() {
        path.push_str("?$select=");
        path.push_str(&select.join(","));
    }
    exchange.join(&path)
}

/// `{exchange}/adminapi/beta/{tenant}/$batch` (PROTOCOL §4).
pub fn batch_url(exchange: &BaseUrl, tenant: &str) -> Result<Url, Error> {
    exchange.join(&format!("adminapi/beta/{tenant}/$batch"))
}

/// The headers of a `$batch` request: as `headers` without a cmdlet name, and asking the
/// service to run every sub-request even when one fails.
pub fn batch_headers(h: &HeaderInput<'_>) -> Vec<(HeaderName, String)> {
    let mut out: Vec<(HeaderName, String)> = headers(h)
        .into_iter()
        .filter(|(k, _)| k.as_str() != "x-cmdletname" && k.as_str() != "prefer")
        .collect();
    out.push((
        HeaderName::from_static("prefer"),
        format!("odata.maxpagesize={};odata.continue-on-error", h.page_size),
    ));
    out
}

/// What goes into the headers of one attempt.
pub(crate) struct HeaderInput<'a> {
    pub(crate) token: &'a str,
    pub(crate) cmdlet: &'a str,
    pub(crate) anchor_mailbox: &'a str,
    pub(crate) client_application: &'a str,
    pub(crate) page_size: u32,
    pub(crate) request_id: &'a str,
}

/// The headers real clients send; Authorization is marked sensitive by the caller.
pub(crate) fn headers(h: &HeaderInput<'_>) -> Vec<(HeaderName, String)> {
    vec![
        (AUTHORIZATION, format!("Bearer {}", h.token)),
        (
            HeaderName::from_static("x-anchormailbox"),
            h.anchor_mailbox.to_string(),
        ),
        (
            HeaderName::from_static("x-cmdletname"),
            h.cmdlet.to_string(),
        ),
        (
            HeaderName::from_static("x-responseformat"),
            "json".to_string(),
        ),
        (
            HeaderName::from_static("x-clientapplication"),
            h.client_application.to_string(),
        ),
        (
            HeaderName::from_static("x-serializationlevel"),
            "Partial".to_string(),
        ),
        (
            HeaderName::from_static("client-request-id"),
            h.request_id.to_string(),
        ),
        (
            HeaderName::from_static("prefer"),
            format!("odata.maxpagesize={}", h.page_size),
        ),
        (
            ACCEPT,
            "application/json; odata.metadata=minimal".to_string(),
        ),
        // Pages are large and compress well (PROTOCOL §5); the http layer decompresses, bounded.
        (ACCEPT_ENCODING, "gzip".to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ExoResult;

    #[test]
    fn envelope_and_encoding() {
        let r = InvokeRequest::from_json(
            r#"{"cmdlet":"Set-Mailbox","parameters":{"Identity":"a@b.c","HiddenFromAddressListsEnabled":true,
                "EmailAddresses":{"Add":["smtp:x@b.c"],"Remove":[]},"ResultSize":"unlimited",
                "Nested":[{"A":1}]}}"#,
        )
        .unwrap();
        assert!(!r.is_read());
        let body: Value = serde_json::from_slice(&r.body()).unwrap();
        let p = &body["CmdletInput"]["Parameters"];
        assert_eq!(body["CmdletInput"]["CmdletName"], "Set-Mailbox");
        assert_eq!(p["HiddenFromAddressListsEnabled"], true);
        assert_eq!(p["EmailAddresses"]["@odata.type"], HASHTABLE_TYPE);
        assert_eq!(p["EmailAddresses"]["Add"][0], "smtp:x@b.c");
        assert_eq!(p["ResultSize"], "Unlimited");
        assert_eq!(p["Nested"][0]["@odata.type"], HASHTABLE_TYPE);
    }

    #[test]
    fn result_size_numbers() {
        let r = InvokeRequest::from_json(
            r#"{"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"25"}}"#,
        )
        .unwrap();
        assert_eq!(r.parameters["ResultSize"], 25);
        assert!(r.is_read());
        for bad in [r#""0""#, "0", "-1", r#""lots""#, "true"] {
            let j = format!(r#"{{"cmdlet":"Get-Mailbox","parameters":{{"ResultSize":{bad}}}}}"#);
            assert_eq!(
                InvokeRequest::from_json(&j).unwrap_err().code,
                ExoResult::InvalidArgument,
                "{bad}"
            );
        }
    }

    #[test]
    fn reads_and_writes() {
        assert!(is_read_cmdlet("Get-Mailbox"));
        assert!(is_read_cmdlet("test-MailboxServerThing"));
        assert!(!is_read_cmdlet("Add-MailboxFolderPermission"));
        assert!(!is_read_cmdlet("Getter-Thing"));
    }

    #[test]
    fn bad_requests() {
        for j in [
            "",
            "[]",
            "{}",
            r#"{"cmdlet":"Get Mailbox"}"#,
            r#"{"cmdlet":"Get-Mailbox;rm"}"#,
            r#"{"cmdlet":"Get-Mailbox","parameters":[]}"#,
            r#"{"cmdlet":"Get-Mailbox","parameters":{"bad name":1}}"#,
            r#"{"cmdlet":"Get-Mailbox","select":"Name"}"#,
            r#"{"cmdlet":"Get-Mailbox","select":["Na me"]}"#,
            r#"{"cmdlet":"Get-Mailbox","pageSize":0}"#,
            r#"{"cmdlet":"Get-Mailbox","extra":1}"#,
            r#"{"cmdlet":"Get-Mailbox","anchorMailbox":"a\nb"}"#,
        ] {
            assert_eq!(
                InvokeRequest::from_json(j).unwrap_err().code,
                ExoResult::InvalidArgument,
                "{j}"
            );
        }
    }

    #[test]
    fn url_and_headers() {
        let b = BaseUrl::parse("https://outlook.office365.com", "x").unwrap();
        let u = invoke_url(
            &b,
            "contoso.onmicrosoft.com",
            &["Name".into(), "Guid".into()],
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://outlook.office365.com/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$select=Name,Guid"
        );
        let h = headers(&HeaderInput {
            token: "t",
            cmdlet: "Get-Mailbox",
            anchor_mailbox: "APP:x@y",
            client_application: "ExoDelegated",
            page_size: 500,
            request_id: "rid",
        });
        let get = |n: &str| {
            h.iter()
                .find(|(k, _)| k.as_str() == n)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("authorization"), Some("Bearer t"));
        assert_eq!(get("prefer"), Some("odata.maxpagesize=500"));
        assert_eq!(get("x-serializationlevel"), Some("Partial"));
        assert_eq!(get("client-request-id"), Some("rid"));
        assert_eq!(get("accept-encoding"), Some("gzip"));
    }
}
