//! Token requests to the v2 endpoint: `POST {authority}/{tenant}/oauth2/v2.0/token`
//! (and `/devicecode`), with the bounded retry docs/PROTOCOL.md §1 asks for: once on
//! 5xx / `temporarily_unavailable` / timeouts / network failures, and on 429
//! up to `maxRetries` times; every wait honours Retry-After (capped at
//! `maxRetryWaitMs`), else exponential backoff with jitter.

use crate::cancel::CancelToken;
use crate::endpoint::BaseUrl;
use crate::error::Error;
use crate::http::{self, HttpFailure, HttpRequest, HttpResponse};
use crate::identity::aad_error::{self, AadContext};
use crate::options::ConnectionOptions;
use crate::retry::{RetryPolicy, RetryRecord};
use crate::secret::Secret;
use crate::util::{base64url_decode, form_append, json_seconds};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroize;

/// Where and for what tokens are requested.
#[derive(Debug, Clone)]
pub struct TokenEndpoint {
    pub(crate) authority: BaseUrl,
    pub(crate) tenant: String,
    pub(crate) client_id: String,
    pub(crate) scope: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) policy: RetryPolicy,
}

/// Token requests never take longer than this, whatever readTimeoutMs says.
const TOKEN_TIMEOUT_CAP: Duration = Duration::from_secs(60);

impl TokenEndpoint {
    pub fn from_options(o: &ConnectionOptions, scope: String) -> TokenEndpoint {
        TokenEndpoint {
            authority: o.authority.clone(),
            tenant: o.tenant_id.clone(),
            client_id: o.application_id.clone(),
            scope,
            connect_timeout: o.connect_timeout,
            timeout: o.read_timeout.min(TOKEN_TIMEOUT_CAP),
            policy: RetryPolicy::new(o.max_retries, o.max_retry_wait),
        }
    }

    fn ctx(&self) -> AadContext<'_> {
        AadContext {
            tenant: &self.tenant,
            client_id: &self.client_id,
        }
    }
}

/// The grant to redeem.
pub enum Grant<'a> {
    RefreshToken {
        refresh_token: &'a Secret,
        client_secret: Option<&'a Secret>,
    },
    ClientCredentials {
        client_secret: &'a Secret,
    },
    DeviceCode {
        device_code: &'a Secret,
    },
}

/// A successful token response.
pub struct TokenResponse {
    pub access_token: Secret,
    pub expires_in: Duration,
    pub refresh_in: Option<Duration>,
    pub refresh_token: Option<Secret>,
}

#[derive(Deserialize)]
struct RawToken {
    access_token: String,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    refresh_in: Option<Value>,
    #[serde(default)]
    refresh_token: Option<String>,
}

/// Redeem `grant` for an access token.
pub fn redeem(
    ep: &TokenEndpoint,
    grant: &Grant<'_>,
    cancel: &Arc<CancelToken>,
    retries: &mut Vec<RetryRecord>,
) -> Result<TokenResponse, Error> {
    let mut form = String::new();
    let mut secrets: Vec<&str> = Vec::new();
    match grant {
        Grant::RefreshToken {
            refresh_token,
            client_secret,
        } => {
            form_append(&mut form, "grant_type", "refresh_token");
            form_append(&mut form, "client_id", &ep.client_id);
            form_append(&mut form, "refresh_token", refresh_token.expose());
            // offline_access: ask for the rotated refresh token back.
            if ep.scope.split(' ').any(|s| s == "offline_access") {
                form_append(&mut form, "scope", &ep.scope);
            } else {
                form_append(&mut form, "scope", &format!("{} offline_access", ep.scope));
            }
            secrets.push(refresh_token.expose());
            if let Some(s) = client_secret {
                form_append(&mut form, "client_secret", s.expose());
                secrets.push(s.expose());
            }
        }
        Grant::ClientCredentials { client_secret } => {
            form_append(&mut form, "grant_type", "client_credentials");
            form_append(&mut form, "client_id", &ep.client_id);
            form_append(&mut form, "client_secret", client_secret.expose());
            form_append(&mut form, "scope", &ep.scope);
            secrets.push(client_secret.expose());
        }
        Grant::DeviceCode { device_code } => {
            form_append(
                &mut form,
                "grant_type",
                "urn:ietf:params:oauth:grant-type:device_code",
            );
            form_append(&mut form, "client_id", &ep.client_id);
            form_append(&mut form, "device_code", device_code.expose());
            secrets.push(device_code.expose());
        }
    }
    let form = Secret::new(form);
    let mut resp = post_form(ep, "oauth2/v2.0/token", &form, cancel, retries, &secrets)?;
    let parsed = parse_token_response(&resp.body);
    resp.body.zeroize();
    parsed
}

/// Longest lifetime taken from a token response (`expires_in`, `refresh_in`).
const MAX_TOKEN_LIFETIME_SECS: u64 = 86_400;

/// A 200 answer of the token endpoint, read.
pub fn parse_token_response(body: &[u8]) -> Result<TokenResponse, Error> {
    let raw = serde_json::from_slice::<RawToken>(body)
        .map_err(|_| Error::internal("the token endpoint answered 200 with an unreadable body"))?;
    let access_token = Secret::new(raw.access_token);
    let refresh_token = raw.refresh_token.filter(|s| !s.is_empty()).map(Secret::new);
    if access_token.is_empty() {
        return Err(Error::internal(
            "the token endpoint answered 200 without an access token",
        ));
    }
    // Clamped: the cache adds them to the clock (u64::MAX would overflow it),
    // and no access token lives longer than a day.
    let expires_in = Duration::from_secs(
        json_seconds(&raw.expires_in)
            .unwrap_or(3600)
            .clamp(1, MAX_TOKEN_LIFETIME_SECS),
    );
    let refresh_in =
        json_seconds(&raw.refresh_in).map(|s| Duration::from_secs(s.min(MAX_TOKEN_LIFETIME_SECS)));
    Ok(TokenResponse {
        access_token,
        expires_in,
        refresh_in,
        refresh_token,
    })
}

/// POST a form to `{authority}/{tenant}/{path}` with the token endpoint's
/// retry rules. Non-2xx answers that are not retried become mapped errors.
pub(crate) fn post_form(
    ep: &TokenEndpoint,
    path: &str,
    form: &Secret,
    cancel: &Arc<CancelToken>,
    retries: &mut Vec<RetryRecord>,
    secrets: &[&str],
) -> Result<HttpResponse, Error> {
    let url = ep.authority.join(&format!("{}/{}", ep.tenant, path))?;
    let mut other_left = ep.policy.max_retries.min(1); // 5xx, temporarily_unavailable, timeouts, network
    let mut throttle_left = ep.policy.max_retries; // 429
    let mut retry_no = 0u32;
    loop {
        cancel.check()?;
        let req = HttpRequest {
            method: reqwest::Method::POST,
            url: url.clone(),
            headers: vec![(reqwest::header::ACCEPT, "application/json".to_string())],
            sensitive: vec![],
            content_type: "application/x-www-form-urlencoded",
            body: form.expose().as_bytes().to_vec(),
            max_body: http::MAX_TOKEN_BODY_BYTES,
            pooled: false,
            connect_timeout: ep.connect_timeout,
            timeout: ep.timeout,
        };
        let (reason, retry_after, throttled, error) = match http::execute(req, cancel) {
            Ok(resp) if (200..300).contains(&resp.status) => return Ok(resp),
            Ok(mut resp) => {
                let body_err = aad_error::AadErrorBody::parse(&resp.body);
                let temp = body_err
                    .as_ref()
                    .map_or(false, |b| b.error == "temporarily_unavailable");
                let retryable = resp.status == 429 || resp.status >= 500 || temp;
                let err = aad_error::to_error(resp.status, &resp.body, &ep.ctx(), secrets);
                resp.body.zeroize();
                if !retryable {
                    return Err(err);
                }
                let ra = resp.retry_after();
                let reason = if resp.status == 429 {
                    "TokenEndpointThrottled"
                } else {
                    "TokenEndpointUnavailable"
                };
                (reason, ra, resp.status == 429, err)
            }
            Err(HttpFailure::Cancelled) => return Err(Error::cancelled()),
            Err(f) => {
                let reason = match f {
                    HttpFailure::NotSent(_) => "TokenEndpointConnectFailed",
                    HttpFailure::Timeout { .. } => "TokenEndpointTimeout",
                    _ => "TokenEndpointConnectionBroken",
                };
                (reason, None, false, f.to_error("the identity platform"))
            }
        };
        let budget = if throttled {
            &mut throttle_left
        } else {
            &mut other_left
        };
        if *budget == 0 {
            let mut error = error;
            error.retries = retry_no;
            return Err(error);
        }
        *budget -= 1;
        retry_no += 1;
        let wait = ep.policy.wait(retry_no, retry_after);
        retries.push(RetryRecord {
            reason: reason.to_string(),
            attempt: retry_no,
            wait_ms: wait.as_millis() as u64,
            request_id: String::new(),
        });
        cancel.sleep(wait)?;
    }
}

/// Claims of a JWT-shaped token (no signature check: only for display and
/// expiry of tokens we were handed). `None` for opaque tokens.
pub(crate) fn jwt_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let mut bytes = base64url_decode(payload)?;
    let v = serde_json::from_slice::<Value>(&bytes).ok();
    bytes.zeroize();
    v.filter(|v| v.is_object())
}

/// The signed-in user's name from a delegated token's claims.
pub(crate) fn token_user(claims: &Value) -> Option<String> {
    ["upn", "preferred_username", "unique_name"]
        .iter()
        .find_map(|k| claims.get(*k).and_then(|v| v.as_str()))
        .map(|s| crate::util::clean_text(s, 256))
}

/// The `tid` claim when it is a GUID (lower case): the tenant the token was issued in.
pub(crate) fn token_tenant(claims: &Value) -> Option<String> {
    claims
        .get("tid")
        .and_then(|v| v.as_str())
        .filter(|t| crate::util::is_guid(t))
        .map(|t| t.to_ascii_lowercase())
}

/// `exp` claim as Unix seconds.
pub(crate) fn token_exp(claims: &Value) -> Option<u64> {
    claims.get("exp").and_then(|v| v.as_u64())
}

/// `exp` claim as a time; `None` when absent or beyond what the clock holds.
pub fn token_expiry(claims: &Value) -> Option<std::time::SystemTime> {
    std::time::UNIX_EPOCH.checked_add(Duration::from_secs(token_exp(claims)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_claims_read_payload() {
        // {"alg":"none"} . {"upn":"admin@partner.onmicrosoft.com","exp":2000000000}
        let t = "eyJhbGciOiJub25lIn0.eyJ1cG4iOiJhZG1pbkBwYXJ0bmVyLm9ubWljcm9zb2Z0LmNvbSIsImV4cCI6MjAwMDAwMDAwMH0.c2ln";
        let c = jwt_claims(t).unwrap();
        assert_eq!(
            token_user(&c).as_deref(),
            Some("admin@partner.onmicrosoft.com")
        );
        assert_eq!(token_exp(&c), Some(2_000_000_000));
        assert!(jwt_claims("opaque-token").is_none());
    }
}
