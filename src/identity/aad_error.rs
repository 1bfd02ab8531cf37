//! Entra ID token-endpoint errors → library errors with a reason and an
//! actionable sentence. Decided on `error` and `error_codes` only, never on
//! the description text (PROTOCOL §1).

use crate::error::{Error, ExoResult};
use serde::Deserialize;

/// The error body of the token endpoint.
#[derive(Debug, Default, Deserialize)]
pub struct AadErrorBody {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default)]
    pub error_codes: Vec<u64>,
    #[serde(default)]
    pub correlation_id: Option<String>,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(default)]
    pub suberror: Option<String>,
}

impl AadErrorBody {
    pub fn parse(body: &[u8]) -> Option<AadErrorBody> {
        serde_json::from_slice::<AadErrorBody>(body)
            .ok()
            .filter(|b| !b.error.is_empty())
    }

    fn has(&self, code: u64) -> bool {
        self.error_codes.contains(&code)
    }
}

/// What a caller is told, per category.
struct Mapped {
    code: ExoResult,
    reason: &'static str,
    sentence: String,
}

/// Context for the sentences.
pub struct AadContext<'a> {
    pub tenant: &'a str,
    pub client_id: &'a str,
}

fn map(b: &AadErrorBody, status: u16, ctx: &AadContext<'_>) -> Mapped {
    let auth = |reason: &'static str, sentence: String| Mapped {
        code: ExoResult::AuthFailed,
        reason,
        sentence,
    };
    let t = ctx.tenant;
    let err = b.error.as_str();
    // RFC 8628 device-flow states come first: their `error` is definitive
    // (the service pairs some of them with generic codes such as 70000).
    match err {
        "authorization_pending" => {
            return Mapped {
                code: ExoResult::Pending,
                reason: "AuthorizationPending",
                sentence: "The user has not finished signing in yet.".into(),
            }
        }
        "slow_down" => {
            return Mapped {
                code: ExoResult::Pending,
                reason: "SlowDown",
                sentence: "Polling too fast; waiting longer between polls.".into(),
            }
        }
        "authorization_declined" => {
            return auth("AuthorizationDeclined", "The user declined the sign-in request.".into())
        }
        "expired_token" => {
            return auth(
                "DeviceCodeExpired",
                "The device code expired before the sign-in finished: start a new device code sign-in.".into(),
            )
        }
        "bad_verification_code" => {
            return auth(
                "BadVerificationCode",
                "The identity platform does not know this device code: start a new device code sign-in.".into(),
            )
        }
        _ => {}
    }
    if b.has(50076)
        || b.has(50079)
        || err == "interaction_required" && !b.has(65001) && !b.has(53003)
    {
        return auth(
            "MfaRequired",
            "The stored refresh token lacks an MFA claim: create it again by signing in interactively with MFA \
             (device code sign-in or the partner consent flow), then store the new token."
                .into(),
        );
    }
    if b.has(700082) {
        return auth(
            "RefreshTokenExpired",
            "The refresh token expired after 90 days without use: create a new one, and store the rotated token \
             after every run so it never goes stale."
                .into(),
        );
    }
    if b.has(65001) {
        return auth(
            "ReconsentRequired",
            format!(
                "The application is not consented in tenant '{t}': grant consent there (partner pre-consent or \
                 GDAP application consent), then try again."
            ),
        );
    }
    if b.has(70000) || b.has(70008) {
        return auth(
            "ReconsentRequired",
            "The refresh token is invalid, expired or revoked: re-consent and create a new refresh token.".into(),
        );
    }
    if b.has(7000215) || b.has(7000222) {
        return auth(
            "SecretInvalid",
            "The client secret is invalid or expired: create a new secret for the application and pass its value \
             (not its secret id)."
                .into(),
        );
    }
    if b.has(7000218) {
        return auth(
            "SecretRequired",
            "The application is confidential: pass its client secret (-ClientSecret) with the refresh token.".into(),
        );
    }
    if b.has(700025) {
        return auth(
            "PublicClientSecret",
            "The application is a public client and must not send a secret: drop -ClientSecret, or make the \
             application confidential."
                .into(),
        );
    }
    if b.has(700007) {
        return auth(
            "WrongClient",
            format!(
                "The refresh token was issued to a different application than '{}': use the application id the \
                 refresh token was issued to.",
                ctx.client_id
            ),
        );
    }
    if b.has(53003) {
        return auth(
            "ConditionalAccess",
            format!(
                "Conditional Access in tenant '{t}' blocked the sign-in: check that tenant's sign-in logs with the \
                 correlation id."
            ),
        );
    }
    if b.has(90002) {
        return auth(
            "TenantNotFound",
            format!(
                "Tenant '{t}' was not found: check the tenant id and -Environment (the tenant may be in another cloud)."
            ),
        );
    }
    if b.has(700016) {
        return auth(
            "AppNotInTenant",
            format!(
                "Application '{}' has no service principal in tenant '{t}': check the tenant id, and that the \
                 customer has a GDAP relationship and consented the application.",
                ctx.client_id
            ),
        );
    }
    if b.has(500011) || err == "invalid_resource" {
        return auth(
            "ExchangeNotProvisioned",
            format!(
                "Exchange Online is not available in tenant '{t}' (not provisioned, or the wrong tenant or cloud): \
                 check the tenant id, its Exchange licences and -Environment."
            ),
        );
    }
    if err == "invalid_scope" || b.has(70011) {
        return auth(
            "InvalidScope",
            "The token scope was refused: check -ExchangeHost / -Environment.".into(),
        );
    }
    if status == 429 {
        return Mapped {
            code: ExoResult::Throttled,
            reason: "Throttled",
            sentence:
                "The identity platform is throttling token requests: wait a minute and try again."
                    .into(),
        };
    }
    if err == "temporarily_unavailable" || status >= 500 {
        return Mapped {
            code: ExoResult::Transient,
            reason: "Transient",
            sentence:
                "The identity platform is temporarily unavailable: try again in a few minutes."
                    .into(),
        };
    }
    auth("AuthFailed", String::new())
}

/// Build the error for a failed token response. `secrets` are redacted from
/// any service text that is quoted (only for unmapped errors).
pub fn to_error(status: u16, body: &[u8], ctx: &AadContext<'_>, secrets: &[&str]) -> Error {
    let b = match AadErrorBody::parse(body) {
        Some(b) => b,
        None => {
            let (code, reason) = if status == 429 {
                (ExoResult::Throttled, "Throttled")
            } else if status >= 500 {
                (ExoResult::Transient, "Transient")
            } else {
                (ExoResult::AuthFailed, "AuthFailed")
            };
            let mut e = Error::new(
                code,
                reason,
                format!(
                    "The identity platform answered HTTP {status} without an OAuth error body."
                ),
            );
            e.http_status = Some(status);
            return e;
        }
    };
    let m = map(&b, status, ctx);
    let aadsts = b.error_codes.first().and_then(|c| u32::try_from(*c).ok());
    let mut sentence = m.sentence;
    if sentence.is_empty() {
        // Unmapped: quote the service's own text, minus anything secret.
        let mut desc = b
            .error_description
            .as_deref()
            .map(|d| d.split("\r\n").next().unwrap_or(d))
            .unwrap_or("")
            .to_string();
        for s in secrets.iter().filter(|s| s.len() >= 4) {
            desc = desc.replace(s, "<redacted>");
        }
        sentence = format!(
            "The identity platform refused the token request ({}): {}",
            crate::util::clean_text(&b.error, 64),
            crate::util::clean_text(&desc, 300)
        );
    }
    let mut suffix = Vec::new();
    if let Some(n) = aadsts {
        suffix.push(format!("AADSTS{n}"));
    }
    if let Some(c) = b.correlation_id.as_deref().filter(|c| !c.is_empty()) {
        suffix.push(format!("correlation id {}", crate::util::clean_text(c, 64)));
    }
    if !suffix.is_empty() {
        sentence = format!("{sentence} [{}]", suffix.join("; "));
    }
    let mut e = Error::new(m.code, m.reason, sentence);
    e.aadsts = aadsts;
    e.service_code = Some(crate::util::clean_text(&b.error, 64));
    e.correlation_id = b.correlation_id.map(|c| crate::util::clean_text(&c, 64));
    e.http_status = Some(status);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, error: &str, code: u64) -> Error {
        let body = serde_json::json!({
            "error": error,
            "error_description": format!("AADSTS{code}: something SECRET-canary happened.\r\nTrace ID: x"),
            "error_codes": [code],
            "correlation_id": "c0ffee00-0000-0000-0000-000000000000",
        });
        to_error(
            status,
            body.to_string().as_bytes(),
            &AadContext {
                tenant: "contoso.onmicrosoft.com",
                client_id: "app",
            },
            &["SECRET-canary"],
        )
    }

    #[test]
    fn every_documented_code_maps_to_its_reason() {
        let cases = [
            ("invalid_grant", 50076, "MfaRequired"),
            ("interaction_required", 50079, "MfaRequired"),
            ("invalid_grant", 700082, "RefreshTokenExpired"),
            ("invalid_grant", 70000, "ReconsentRequired"),
            ("invalid_grant", 70008, "ReconsentRequired"),
            ("invalid_grant", 65001, "ReconsentRequired"),
            ("unauthorized_client", 700016, "AppNotInTenant"),
            ("invalid_client", 7000215, "SecretInvalid"),
            ("invalid_client", 7000222, "SecretInvalid"),
            ("invalid_client", 7000218, "SecretRequired"),
            ("invalid_client", 700025, "PublicClientSecret"),
            ("invalid_grant", 700007, "WrongClient"),
            ("invalid_grant", 53003, "ConditionalAccess"),
            ("invalid_request", 90002, "TenantNotFound"),
            ("invalid_resource", 500011, "ExchangeNotProvisioned"),
            ("invalid_scope", 70011, "InvalidScope"),
        ];
        for (error, code, reason) in cases {
            let e = err(400, error, code);
            assert_eq!(e.reason, reason, "{code}");
            assert_eq!(e.code, ExoResult::AuthFailed);
            assert_eq!(e.aadsts, Some(code as u32));
            assert!(
                e.message.contains(&format!("AADSTS{code}")),
                "{}",
                e.message
            );
            assert!(
                e.message.contains("correlation id c0ffee00"),
                "{}",
                e.message
            );
            assert!(
                !e.message.contains("something"),
                "description must not be used: {}",
                e.message
            );
        }
        assert!(err(400, "invalid_request", 90002)
            .message
            .contains("-Environment"));
    }

    #[test]
    fn transient_throttled_and_device_states() {
        assert_eq!(
            err(429, "temporarily_unavailable", 0).code,
            ExoResult::Throttled
        );
        assert_eq!(
            err(503, "temporarily_unavailable", 0).code,
            ExoResult::Transient
        );
        assert_eq!(
            err(400, "authorization_pending", 0).code,
            ExoResult::Pending
        );
        assert_eq!(err(400, "slow_down", 0).reason, "SlowDown");
        assert_eq!(err(400, "expired_token", 0).reason, "DeviceCodeExpired");
        assert_eq!(
            err(400, "authorization_declined", 0).reason,
            "AuthorizationDeclined"
        );
        assert_eq!(
            err(400, "bad_verification_code", 0).reason,
            "BadVerificationCode"
        );
        assert_eq!(
            err(400, "authorization_declined", 70000).reason,
            "AuthorizationDeclined"
        );
        assert_eq!(
            err(400, "bad_verification_code", 70000).reason,
            "BadVerificationCode"
        );
        assert_eq!(
            err(400, "authorization_pending", 70016).code,
            ExoResult::Pending
        );
    }

    #[test]
    fn unmapped_quotes_description_without_secrets() {
        let e = err(400, "invalid_request", 12345);
        assert_eq!(e.reason, "AuthFailed");
        assert!(e.message.contains("something"));
        assert!(!e.message.contains("SECRET-canary"));
        assert!(!e.message.contains("Trace ID"));
    }

    #[test]
    fn non_json_body() {
        let ctx = AadContext {
            tenant: "t",
            client_id: "c",
        };
        assert_eq!(
            to_error(502, b"<html>", &ctx, &[]).code,
            ExoResult::Transient
        );
        assert_eq!(to_error(400, b"", &ctx, &[]).code, ExoResult::AuthFailed);
    }
}
