//! Options of a Graph customer listing: the connection options that apply
//! (application, cloud, authority, timeouts, retries) plus the Graph host.

use crate::endpoint::BaseUrl;
use crate::error::Error;
use crate::options::ConnectionOptions;
use serde_json::{Map, Value};

/// Keys a listing takes from the connection options.
const SHARED_KEYS: [&str; 9] = [
    "tenantId",
    "applicationId",
    "environment",
    "authorityHost",
    "connectTimeoutMs",
    "readTimeoutMs",
    "maxRetries",
    "maxRetryWaitMs",
    "clientApplication",
];
/// Keys of its own.
const GRAPH_KEYS: [&str; 2] = ["graphHost", "includeInactive"];

/// The partner's own tenant: a partner refresh token redeemed at `organizations`
/// yields a token for the user's home tenant (the partner's).
const PARTNER_TENANT: &str = "organizations";

/// Checked listing options.
#[derive(Debug, Clone)]
pub struct GraphOptions {
    /// Authority, application, timeouts and retries; `tenant_id` is the partner's.
    pub(crate) base: ConnectionOptions,
    /// Where requests go (`graphHost`, else the cloud's Graph).
    pub(crate) graph: BaseUrl,
    /// Also customers whose relationships are all expired or pending.
    pub(crate) include_inactive: bool,
}

impl GraphOptions {
    /// `{"applicationId","environment","authorityHost","graphHost","tenantId"?,
    /// "includeInactive"?, timeouts and retries}`; unknown keys are `InvalidArgument`.
    pub fn from_json(json: &str) -> Result<GraphOptions, Error> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            Error::invalid_argument(format!(
                "options are not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let Value::Object(mut map) = value else {
            return Err(Error::invalid_argument("options must be a JSON object"));
        };
        for key in map.keys() {
            if !SHARED_KEYS.contains(&key.as_str()) && !GRAPH_KEYS.contains(&key.as_str()) {
                return Err(Error::invalid_argument(format!(
                    "unknown option '{}' for a Graph customer listing; known options: {}, {}",
                    crate::util::clean_text(key, 64),
                    SHARED_KEYS.join(", "),
                    GRAPH_KEYS.join(", ")
                )));
            }
        }
        let graph_host = take_str(&mut map, "graphHost")?;
        let include_inactive = match map.remove("includeInactive") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(_) => {
                return Err(Error::invalid_argument(
                    "option 'includeInactive' must be true or false",
                ))
            }
        };
        let tenant = take_str(&mut map, "tenantId")?;
        // The partner tenant's GUID or domain, when given, is checked like a customer's.
        map.insert(
            "tenantId".into(),
            Value::String(tenant.clone().unwrap_or_else(|| "partner.invalid".into())),
        );
        let mut base = ConnectionOptions::from_map(&map)?;
        if tenant.is_none() {
            base.tenant_id = PARTNER_TENANT.into();
        }
        let graph = match graph_host {
            Some(h) => BaseUrl::parse(&h, "graphHost")?,
            None => BaseUrl::parse(base.environment.graph_host(), "graphHost")?,
        };
        Ok(GraphOptions {
            base,
            graph,
            include_inactive,
        })
    }

    /// The token scope: the cloud's Graph resource, wherever `graphHost` points.
    pub(crate) fn scope(&self) -> String {
        format!("{}/.default", self.base.environment.graph_host())
    }
}

fn take_str(map: &mut Map<String, Value>, key: &str) -> Result<Option<String>, Error> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::invalid_argument(format!(
            "option '{key}' must be a string"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ExoResult;

    const APP: &str = "11111111-2222-3333-4444-555555555555";

    #[test]
    fn defaults_to_the_clouds_graph_and_the_partner_tenant() {
        let o = GraphOptions::from_json(&format!(r#"{{"applicationId":"{APP}"}}"#)).unwrap();
        assert_eq!(o.graph.as_str(), "https://graph.microsoft.com");
        assert_eq!(o.base.tenant_id, "organizations");
        assert_eq!(o.scope(), "https://graph.microsoft.com/.default");
        assert!(!o.include_inactive);
        let o = GraphOptions::from_json(&format!(
            r#"{{"applicationId":"{APP}","environment":"O365USGovDoD","includeInactive":true}}"#
        ))
        .unwrap();
        assert_eq!(o.graph.as_str(), "https://dod-graph.microsoft.us");
        assert!(o.include_inactive);
    }

    #[test]
    fn graph_host_override_keeps_the_scope_and_refuses_plain_http_off_loopback() {
        let o = GraphOptions::from_json(&format!(
            r#"{{"applicationId":"{APP}","graphHost":"http://127.0.0.1:9/"}}"#
        ))
        .unwrap();
        assert_eq!(o.graph.as_str(), "http://127.0.0.1:9");
        assert_eq!(o.scope(), "https://graph.microsoft.com/.default");
        let e = GraphOptions::from_json(&format!(
            r#"{{"applicationId":"{APP}","graphHost":"http://graph.example"}}"#
        ))
        .unwrap_err();
        assert_eq!(e.code, ExoResult::InsecureEndpoint);
    }

    #[test]
    fn unknown_and_exchange_only_keys_are_refused() {
        for extra in [r#""exchangeHost":"https://x.example""#, r#""pageSize":5"#] {
            let e = GraphOptions::from_json(&format!(r#"{{"applicationId":"{APP}",{extra}}}"#))
                .unwrap_err();
            assert_eq!(e.code, ExoResult::InvalidArgument, "{extra}");
        }
    }
}
