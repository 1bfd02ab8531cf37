//! Endpoint URLs: validation of base URLs (https, or http to loopback only)
//! and the same-origin check that keeps the bearer token at home.

use crate::error::{Error, ExoResult, Reason};
use reqwest::Url;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A validated base URL such as `https://outlook.office365.com` or
/// `http://127.0.0.1:8080/prefix`, kept without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    url: Url,
    text: String,
}

impl BaseUrl {
    /// Parse and check a base URL given for `what` (an option name, for messages).
    pub fn parse(input: &str, what: &str) -> Result<BaseUrl, Error> {
        let url = Url::parse(input.trim()).map_err(|_| {
            Error::invalid_argument(format!(
                "option '{what}' must be an absolute URL such as https://host (got an unparsable value)"
            ))
        })?;
        match url.scheme() {
            "https" => {}
            "http" => {
                if !is_loopback(&url) {
                    return Err(insecure(format!(
                        "option '{what}' uses http:// with a host that is not loopback; \
                         only https:// is allowed, except for 127.0.0.0/8, ::1 and localhost"
                    )));
                }
            }
            _ => {
                return Err(insecure(format!("option '{what}' must use https://")));
            }
        }
        if url.host().is_none() {
            return Err(Error::invalid_argument(format!(
                "option '{what}' has no host"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid_argument(format!(
                "option '{what}' must not contain a user name or password"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::invalid_argument(format!(
                "option '{what}' must not contain a query or fragment"
            )));
        }
        let text = url.as_str().trim_end_matches('/').to_string();
        Ok(BaseUrl { url, text })
    }

    /// The URL as text, without a trailing slash: `https://host[:port][/path]`.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// `{base}/{path}` as a URL. `path` is built by this crate from checked parts.
    pub(crate) fn join(&self, path: &str) -> Result<Url, Error> {
        Url::parse(&format!("{}/{}", self.text, path.trim_start_matches('/')))
            .map_err(|_| Error::internal("could not build a request URL"))
    }

    /// True when `other` has the same scheme, host and port as this base.
    pub(crate) fn same_origin(&self, other: &Url) -> bool {
        same_origin(&self.url, other)
    }
}

/// Scheme, host and (effective) port equal.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme().eq_ignore_ascii_case(b.scheme())
        && match (a.host_str(), b.host_str()) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            _ => false,
        }
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Where a refused link points, for a message: `scheme://host` for http(s), whose hosts the
/// URL parser normalises (lowercase, punycode); only the scheme otherwise, since the "host" of
/// another scheme is any text the peer chose, a token it echoed included.
pub(crate) fn origin_for_message(u: &Url) -> String {
    match u.scheme() {
        "http" | "https" => format!("{}://{}", u.scheme(), u.host_str().unwrap_or("?")),
        other => format!("a '{other}:' link"),
    }
}

/// A page link a service returned (`@odata.nextLink`), checked against the service's endpoint
/// `base`: only the same scheme, host and port pass, else `InsecureEndpoint`, so the bearer
/// token is never sent anywhere else. `service` names it in the messages ("Exchange", ...).
pub(crate) fn check_page_link(base: &BaseUrl, link: &str, service: &str) -> Result<Url, Error> {
    let u = Url::parse(link).map_err(|_| {
        Error::internal(format!(
            "{service} returned a page link that is not a valid URL"
        ))
    })?;
    if !base.same_origin(&u) {
        return Err(Error::new(
            ExoResult::InsecureEndpoint,
            Reason::ForeignNextLink,
            format!(
                "{service} returned a page link to another endpoint ({}); it was refused so the \
                 access token is never sent anywhere but {}.",
                origin_for_message(&u),
                base.as_str()
            ),
        ));
    }
    Ok(u)
}

/// Host is `localhost`, in 127.0.0.0/8, or `::1` (also as `::ffff:127.x.y.z`).
pub(crate) fn is_loopback(url: &Url) -> bool {
    let host = match url.host_str() {
        Some(h) => h,
        None => return false,
    };
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return match v6.parse::<Ipv6Addr>() {
            Ok(ip) => ip.is_loopback() || ip.to_ipv4_mapped().map_or(false, |v4| v4.is_loopback()),
            Err(_) => false,
        };
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return ip.is_loopback();
    }
    host.eq_ignore_ascii_case("localhost")
}

fn insecure(message: String) -> Error {
    Error::new(
        ExoResult::InsecureEndpoint,
        Reason::InsecureEndpoint,
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_loopback() {
        assert!(BaseUrl::parse("https://outlook.office365.com", "exchangeHost").is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.9.8.7",
            "http://[::1]:99",
            "http://localhost:1/",
            "http://LOCALHOST",
        ] {
            assert!(BaseUrl::parse(ok, "x").is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1",
            "http://example.com",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.evil.com",
            "ftp://127.0.0.1",
        ] {
            let e = BaseUrl::parse(bad, "x").unwrap_err();
            assert_eq!(e.code, ExoResult::InsecureEndpoint, "{bad}");
        }
        for bad in [
            "",
            "not a url",
            "https://u:p@host",
            "https://host/?q=1",
            "https://host/#f",
            "mailto:a@b",
        ] {
            assert!(BaseUrl::parse(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn trailing_slash_dropped_and_join() {
        let b = BaseUrl::parse("http://127.0.0.1:5/", "x").unwrap();
        assert_eq!(b.as_str(), "http://127.0.0.1:5");
        assert_eq!(
            b.join("/t/oauth2/v2.0/token").unwrap().as_str(),
            "http://127.0.0.1:5/t/oauth2/v2.0/token"
        );
    }

    #[test]
    fn same_origin_checks_scheme_host_port() {
        let b = BaseUrl::parse("https://outlook.office365.com", "x").unwrap();
        assert!(
            b.same_origin(&Url::parse("https://outlook.office365.com:443/adminapi?x=1").unwrap())
        );
        assert!(b.same_origin(&Url::parse("https://OUTLOOK.office365.com/a").unwrap()));
        assert!(!b.same_origin(&Url::parse("http://outlook.office365.com/a").unwrap()));
        assert!(!b.same_origin(&Url::parse("https://outlook.office365.com:444/a").unwrap()));
        assert!(!b.same_origin(&Url::parse("https://evil.example/a").unwrap()));
    }
}
