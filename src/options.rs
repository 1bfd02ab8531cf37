//! Connection options: parsed from the JSON the caller passes to connect and
//! device-code start, checked, and resolved to endpoints (docs/PROTOCOL.md §2).

use crate::endpoint::BaseUrl;
use crate::error::Error;
use crate::util::{is_guid, is_header_safe};
use serde_json::{Map, Value};
use std::time::Duration;

/// The well-known anchor mailbox of the app-only / delegated-admin REST calls.
pub(crate) const SYSTEM_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";

/// Microsoft 365 clouds (`-Environment`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Environment {
    O365Default,
    O365USGovGCCHigh,
    O365USGovDoD,
    O365China,
}

impl Environment {
    pub(crate) const ALL: [Environment; 4] = [
        Environment::O365Default,
        Environment::O365USGovGCCHigh,
        Environment::O365USGovDoD,
        Environment::O365China,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Environment::O365Default => "O365Default",
            Environment::O365USGovGCCHigh => "O365USGovGCCHigh",
            Environment::O365USGovDoD => "O365USGovDoD",
            Environment::O365China => "O365China",
        }
    }

    /// Entra ID authority for this cloud.
    pub(crate) fn authority_host(self) -> &'static str {
        match self {
            Environment::O365Default => "https://login.microsoftonline.com",
            Environment::O365USGovGCCHigh | Environment::O365USGovDoD => {
                "https://login.microsoftonline.us"
            }
            Environment::O365China => "https://login.partner.microsoftonline.cn",
        }
    }

    /// Exchange Online host for this cloud (also the token scope host).
    pub(crate) fn exchange_host(self) -> &'static str {
        match self {
            Environment::O365Default => "https://outlook.office365.com",
            Environment::O365USGovGCCHigh => "https://outlook.office365.us",
            Environment::O365USGovDoD => "https://outlook-dod.office365.us",
            // Sources disagree (outlook.office365.cn); use exchangeHost to override.
            Environment::O365China => "https://partner.outlook.cn",
        }
    }

    /// Microsoft Graph for this cloud: the host of GDAP customer discovery, and the token
    /// scope's resource even when `graphHost` points elsewhere (the emulator).
    pub(crate) fn graph_host(self) -> &'static str {
        match self {
            Environment::O365Default => "https://graph.microsoft.com",
            Environment::O365USGovGCCHigh => "https://graph.microsoft.us",
            Environment::O365USGovDoD => "https://dod-graph.microsoft.us",
            Environment::O365China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    fn parse(s: &str) -> Option<Environment> {
        // "O365GCC" is the Default cloud as far as these endpoints go.
        if s.eq_ignore_ascii_case("O365GCC") {
            return Some(Environment::O365Default);
        }
        Environment::ALL
            .iter()
            .copied()
            .find(|e| e.name().eq_ignore_ascii_case(s))
    }
}

/// Which credential the connection uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CredentialKind {
    /// Partner refresh token (public client, or confidential with client secret).
    RefreshToken,
    /// App-only client credentials (client secret).
    AppSecret,
    /// A ready access token: used as is, never refreshed.
    AccessToken,
    /// Device code sign-in (only through device-code start).
    DeviceCode,
}

impl CredentialKind {
    pub(crate) const ALL: [CredentialKind; 4] = [
        CredentialKind::RefreshToken,
        CredentialKind::AppSecret,
        CredentialKind::AccessToken,
        CredentialKind::DeviceCode,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            CredentialKind::RefreshToken => "RefreshToken",
            CredentialKind::AppSecret => "AppSecret",
            CredentialKind::AccessToken => "AccessToken",
            CredentialKind::DeviceCode => "DeviceCode",
        }
    }

    fn parse(s: &str) -> Option<CredentialKind> {
        CredentialKind::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(s))
    }
}

/// Checked connection options with every default applied.
#[derive(Debug, Clone)]
pub struct ConnectionOptions {
    /// Customer tenant: GUID or domain, as given.
    pub(crate) tenant_id: String,
    /// Application (client) id, a GUID.
    pub(crate) application_id: String,
    /// `None` when not given: connect infers it from the secrets passed.
    pub(crate) credential: Option<CredentialKind>,
    pub(crate) environment: Environment,
    pub(crate) authority: BaseUrl,
    pub(crate) exchange: BaseUrl,
    /// `X-AnchorMailbox` the caller chose; `None`: the tenant's system mailbox
    /// (`Connection::anchor_mailbox`, with the tenant GUID once it is known).
    pub(crate) anchor_mailbox: Option<String>,
    pub(crate) page_size: u32,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) max_retry_wait: Duration,
    pub(crate) client_application: String,
    /// Requests of this connection in flight at once, at most (the request window).
    pub(crate) throttle_limit: u32,
}

/// Every key `options_json` may hold.
pub(crate) const KNOWN_KEYS: [&str; 14] = [
    "tenantId",
    "applicationId",
    "credential",
    "environment",
    "authorityHost",
    "exchangeHost",
    "anchorMailbox",
    "pageSize",
    "connectTimeoutMs",
    "readTimeoutMs",
    "maxRetries",
    "maxRetryWaitMs",
    "clientApplication",
    "throttleLimit",
];

pub(crate) const DEFAULT_PAGE_SIZE: u32 = 1000;
pub(crate) const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 10_000;
/// A REST cmdlet may run 15 minutes on the server (docs/PROTOCOL.md §3): a request is
/// given that long plus a margin for the answer to arrive, so a long write is not
/// reported as "may or may not have been applied" while the server still works on it.
/// Connecting has its own short timeout; token requests are capped separately.
pub(crate) const DEFAULT_READ_TIMEOUT_MS: u64 = 930_000;
pub(crate) const DEFAULT_MAX_RETRIES: u32 = 5;
pub(crate) const DEFAULT_MAX_RETRY_WAIT_MS: u64 = 60_000;
/// No per-tenant number is published; the old remote-PowerShell limit was 3 sessions, and CIPP
/// sends a few concurrent requests per tenant.
pub(crate) const DEFAULT_THROTTLE_LIMIT: u32 = 4;
pub(crate) const DEFAULT_CLIENT_APPLICATION: &str = "ExoDelegated";

impl ConnectionOptions {
    /// Parse `options_json`. Unknown keys, wrong types and out-of-range values
    /// are `InvalidArgument` errors naming the key; `http://` to a
    /// non-loopback host is `InsecureEndpoint`. Values are not echoed back
    /// (a misplaced secret must not end up in a message).
    pub fn from_json(json: &str) -> Result<ConnectionOptions, Error> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            Error::invalid_argument(format!(
                "options are not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let map = match value {
            Value::Object(m) => m,
            _ => return Err(Error::invalid_argument("options must be a JSON object")),
        };
        Self::from_map(&map)
    }

    pub(crate) fn from_map(map: &Map<String, Value>) -> Result<ConnectionOptions, Error> {
        for key in map.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                let hint = KNOWN_KEYS
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(key))
                    .map(|k| format!(" (did you mean '{k}'?)"))
                    .unwrap_or_default();
                return Err(Error::invalid_argument(format!(
                    "unknown option '{}'{hint}; known options: {}",
                    crate::util::clean_text(key, 64),
                    KNOWN_KEYS.join(", ")
                )));
            }
        }

        let tenant_id = req_str(map, "tenantId")?;
        check_tenant(&tenant_id)?;
        let application_id = req_str(map, "applicationId")?;
        if !is_guid(&application_id) {
            return Err(Error::invalid_argument(
                "option 'applicationId' must be the application (client) id, a GUID",
            ));
        }
        let credential = match opt_str(map, "credential")? {
            None => None,
            Some(s) => Some(CredentialKind::parse(&s).ok_or_else(|| {
                Error::invalid_argument(format!(
                    "option 'credential' must be one of {}",
                    CredentialKind::ALL.map(|k| k.name()).join(", ")
                ))
            })?),
        };
        let environment = match opt_str(map, "environment")? {
            None => Environment::O365Default,
            Some(s) => Environment::parse(&s).ok_or_else(|| {
                Error::invalid_argument(format!(
                    "option 'environment' must be one of {}",
                    Environment::ALL.map(|e| e.name()).join(", ")
                ))
            })?,
        };
        let authority = match opt_str(map, "authorityHost")? {
            Some(s) => BaseUrl::parse(&s, "authorityHost")?,
            None => BaseUrl::parse(environment.authority_host(), "authorityHost")?,
        };
        let exchange = match opt_str(map, "exchangeHost")? {
            Some(s) => BaseUrl::parse(&s, "exchangeHost")?,
            None => BaseUrl::parse(environment.exchange_host(), "exchangeHost")?,
        };
        let anchor_mailbox = match opt_str(map, "anchorMailbox")? {
            Some(s) => {
                check_anchor(&s, "anchorMailbox")?;
                Some(s)
            }
            None => None,
        };
        let page_size = opt_u64(map, "pageSize", 1, 1000)?
            .map(|v| v as u32)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let connect_timeout =
            opt_u64(map, "connectTimeoutMs", 1, 600_000)?.unwrap_or(DEFAULT_CONNECT_TIMEOUT_MS);
        let read_timeout =
            opt_u64(map, "readTimeoutMs", 1, 3_600_000)?.unwrap_or(DEFAULT_READ_TIMEOUT_MS);
        let max_retries = opt_u64(map, "maxRetries", 0, 20)?
            .map(|v| v as u32)
            .unwrap_or(DEFAULT_MAX_RETRIES);
        let max_retry_wait =
            opt_u64(map, "maxRetryWaitMs", 0, 600_000)?.unwrap_or(DEFAULT_MAX_RETRY_WAIT_MS);
        let throttle_limit = opt_u64(map, "throttleLimit", 1, 64)?
            .map(|v| v as u32)
            .unwrap_or(DEFAULT_THROTTLE_LIMIT);
        let client_application = match opt_str(map, "clientApplication")? {
            Some(s) => {
                if s.is_empty() || s.len() > 128 || !is_header_safe(&s) {
                    return Err(Error::invalid_argument(
                        "option 'clientApplication' must be 1-128 printable ASCII characters",
                    ));
                }
                s
            }
            None => DEFAULT_CLIENT_APPLICATION.to_string(),
        };
        Ok(ConnectionOptions {
            tenant_id,
            application_id,
            credential,
            environment,
            authority,
            exchange,
            anchor_mailbox,
            page_size,
            connect_timeout: Duration::from_millis(connect_timeout),
            read_timeout: Duration::from_millis(read_timeout),
            max_retries,
            max_retry_wait: Duration::from_millis(max_retry_wait),
            client_application,
            throttle_limit,
        })
    }

    /// The token scope: `{exchangeHost}/.default`.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.exchange.as_str())
    }
}

/// `APP:SystemMailbox{bb558c35-…}@{tenant}`.
pub(crate) fn default_anchor(tenant: &str) -> String {
    format!("APP:{SYSTEM_MAILBOX}@{tenant}")
}

/// An anchor mailbox goes into a header: printable ASCII, bounded.
pub(crate) fn check_anchor(s: &str, what: &str) -> Result<(), Error> {
    if s.is_empty() || s.len() > 512 || !is_header_safe(s) {
        return Err(Error::invalid_argument(format!(
            "option '{what}' must be 1-512 printable ASCII characters, e.g. APP:{SYSTEM_MAILBOX}@contoso.onmicrosoft.com"
        )));
    }
    Ok(())
}

/// A tenant is a GUID or a DNS name; it goes into URL paths, so nothing else.
fn check_tenant(t: &str) -> Result<(), Error> {
    let dns_ok = !t.is_empty()
        && t.len() <= 253
        && t.contains('.')
        && t.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if is_guid(t) || dns_ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            "option 'tenantId' must be the customer tenant's GUID or domain (e.g. contoso.onmicrosoft.com)",
        ))
    }
}

fn opt_str(map: &Map<String, Value>, key: &str) -> Result<Option<String>, Error> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(Error::invalid_argument(format!(
            "option '{key}' must be a string"
        ))),
    }
}

fn req_str(map: &Map<String, Value>, key: &str) -> Result<String, Error> {
    match opt_str(map, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(Error::invalid_argument(format!(
            "option '{key}' is required"
        ))),
    }
}

fn opt_u64(map: &Map<String, Value>, key: &str, min: u64, max: u64) -> Result<Option<u64>, Error> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if (min..=max).contains(&v) => Ok(Some(v)),
            _ => Err(Error::invalid_argument(format!(
                "option '{key}' must be an integer from {min} to {max}"
            ))),
        },
        Some(_) => Err(Error::invalid_argument(format!(
            "option '{key}' must be an integer from {min} to {max}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ExoResult;

    const APP: &str = "11111111-2222-3333-4444-555555555555";

    fn parse(extra: &str) -> Result<ConnectionOptions, Error> {
        ConnectionOptions::from_json(&format!(
            r#"{{"tenantId":"contoso.onmicrosoft.com","applicationId":"{APP}"{extra}}}"#
        ))
    }

    #[test]
    fn defaults() {
        let o = parse("").unwrap();
        assert_eq!(o.environment, Environment::O365Default);
        assert_eq!(o.authority.as_str(), "https://login.microsoftonline.com");
        assert_eq!(o.exchange.as_str(), "https://outlook.office365.com");
        assert_eq!(o.scope(), "https://outlook.office365.com/.default");
        assert_eq!(o.anchor_mailbox, None);
        assert_eq!(
            default_anchor("contoso.onmicrosoft.com"),
            "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com"
        );
        assert!(o.read_timeout >= Duration::from_secs(15 * 60));
        assert!(o.connect_timeout <= Duration::from_secs(10));
        assert_eq!(o.page_size, 1000);
        assert_eq!(o.max_retries, 5);
        assert_eq!(o.credential, None);
    }

    #[test]
    fn environments_map_to_hosts() {
        let cases = [
            (
                "O365USGovGCCHigh",
                "https://login.microsoftonline.us",
                "https://outlook.office365.us",
            ),
            (
                "O365USGovDoD",
                "https://login.microsoftonline.us",
                "https://outlook-dod.office365.us",
            ),
            (
                "O365China",
                "https://login.partner.microsoftonline.cn",
                "https://partner.outlook.cn",
            ),
            (
                "o365default",
                "https://login.microsoftonline.com",
                "https://outlook.office365.com",
            ),
        ];
        for (env, auth, exo) in cases {
            let o = parse(&format!(r#","environment":"{env}""#)).unwrap();
            assert_eq!(o.authority.as_str(), auth);
            assert_eq!(o.exchange.as_str(), exo);
        }
        assert!(parse(r#","environment":"Mars""#).is_err());
    }

    #[test]
    fn overrides_and_loopback_http() {
        let o =
            parse(r#","authorityHost":"http://127.0.0.1:9","exchangeHost":"http://localhost:9/""#)
                .unwrap();
        assert_eq!(o.authority.as_str(), "http://127.0.0.1:9");
        assert_eq!(o.scope(), "http://localhost:9/.default");
        let e = parse(r#","exchangeHost":"http://outlook.office365.com""#).unwrap_err();
        assert_eq!(e.code, ExoResult::InsecureEndpoint);
    }

    #[test]
    fn unknown_key_named_and_value_not_echoed() {
        let e = parse(r#","clientSecret":"canary-secret""#).unwrap_err();
        assert_eq!(e.code, ExoResult::InvalidArgument);
        assert!(e.message.contains("clientSecret"));
        assert!(!e.message.contains("canary"));
        let e = parse(r#","tenantid":"x""#).unwrap_err();
        assert!(e.message.contains("did you mean 'tenantId'"));
    }

    #[test]
    fn bad_values() {
        for extra in [
            r#","pageSize":0"#,
            r#","pageSize":1001"#,
            r#","pageSize":"10""#,
            r#","maxRetries":-1"#,
            r#","readTimeoutMs":1.5"#,
            r#","credential":"Password""#,
            r#","anchorMailbox":"a\r\nX-Evil: 1""#,
            r#","clientApplication":"""#,
        ] {
            assert_eq!(
                parse(extra).unwrap_err().code,
                ExoResult::InvalidArgument,
                "{extra}"
            );
        }
        for json in [
            "",
            "[]",
            "{",
            r#"{"applicationId":"11111111-2222-3333-4444-555555555555"}"#,
            r#"{"tenantId":"a/b","applicationId":"11111111-2222-3333-4444-555555555555"}"#,
            r#"{"tenantId":"contoso.com","applicationId":"not-a-guid"}"#,
        ] {
            assert_eq!(
                ConnectionOptions::from_json(json).unwrap_err().code,
                ExoResult::InvalidArgument,
                "{json}"
            );
        }
    }
}
