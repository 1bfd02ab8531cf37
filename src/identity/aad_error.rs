//! Entra ID token-endpoint errors → library errors with a reason and an
//! actionable sentence, the PowerShell category and the recommended action.
//! Decided on `error` and `error_codes` only, never on the description text
//! (docs/PROTOCOL.md §1).

use crate::error::{Category, Error, ExoResult, Reason};
use serde::Deserialize;

/// The error body of the token endpoint.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AadErrorBody {
    #[serde(default)]
    pub(crate) error: String,
    #[serde(default)]
    pub(crate) error_description: Option<String>,
    #[serde(default)]
    pub(crate) error_codes: Vec<u64>,
    #[serde(default)]
    pub(crate) correlation_id: Option<String>,
}

impl AadErrorBody {
    pub(crate) fn parse(body: &[u8]) -> Option<AadErrorBody> {
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
    reason: Reason,
    sentence: String,
    /// `None`: the code's category.
    category: Option<Category>,
    action: Option<&'static str>,
    /// Whom the failure concerns in a run over many tenants (`Error::scope`).
    scope: Option<&'static str>,
}

impl Mapped {
    fn new(code: ExoResult, reason: Reason, sentence: impl Into<String>) -> Mapped {
        Mapped {
            code,
            reason,
            sentence: sentence.into(),
            category: None,
            action: None,
            scope: None,
        }
    }

    /// The partner's credential was refused: every tenant will fail the same way.
    fn credential(mut self) -> Mapped {
        self.scope = Some("Credential");
        self
    }

    /// Only this customer tenant is affected (consent, relationship, policy).
    fn tenant(mut self) -> Mapped {
        self.scope = Some("Tenant");
        self
    }

    fn category(mut self, c: Category) -> Mapped {
        self.category = Some(c);
        self
    }

    fn action(mut self, a: &'static str) -> Mapped {
        self.action = Some(a);
        self
    }
}

/// Context for the sentences.
pub(crate) struct AadContext<'a> {
    pub(crate) tenant: &'a str,
    pub(crate) client_id: &'a str,
}

// Recommended actions, per AADSTS code (the message says what happened; these say what to do).
const MFA: &str =
    "The refresh token lacks an MFA claim for this tenant: create a new one by signing in \
    interactively with MFA (Connect-ExoDelegated -DeviceCode), then store it.";
const RTEXP: &str =
    "Sign in again with Connect-ExoDelegated -DeviceCode (with MFA), store the new refresh token and \
    rotate it after every run (Export-ExoDelegatedRefreshToken); every tenant fails until then.";
const INVALID_GRANT: &str =
    "Sign in again with Connect-ExoDelegated -DeviceCode (with MFA) and store the new refresh token \
    (Export-ExoDelegatedRefreshToken); every tenant fails until then, so stop the run.";
const CONSENT: &str =
    "Consent the application in the customer tenant (partner pre-consent or GDAP app \
    consent), then retry.";
const APP: &str =
    "The application has no service principal in this tenant, or there is no delegated \
    (GDAP) relationship with it: check the tenant id and the partner relationship.";
const SECRET: &str =
    "Check the client secret: it is wrong, missing or expired. Create a new secret for \
    the application and store it.";
const SECRET_EXPIRED: &str =
    "The client secret has expired: create a new secret for the application and store it; every tenant \
    fails until then.";
const PUBLIC: &str =
    "The application is a public client: drop -ClientSecret, or make the application confidential.";
const WRONG: &str = "Use the application id the refresh token was issued to (-ApplicationId).";
const CA: &str =
    "Conditional Access blocked the sign-in: check the customer's sign-in logs with the \
    correlation id.";
const TENANT: &str =
    "Check the tenant id or domain, and -Environment (the tenant may live in another cloud).";
const EXO: &str = "Exchange Online is not provisioned in this tenant, or the tenant id is wrong.";

fn map(b: &AadErrorBody, status: u16, ctx: &AadContext<'_>) -> Mapped {
    let auth =
        |reason: Reason, sentence: String| Mapped::new(ExoResult::AuthFailed, reason, sentence);
    let t = ctx.tenant;
    let err = b.error.as_str();
    // RFC 8628 device-flow states come first: their `error` is definitive
    // (the service pairs some of them with generic codes such as 70000).
    match err {
        "authorization_pending" => {
            return Mapped::new(
                ExoResult::Pending,
                Reason::AuthorizationPending,
                "The user has not finished signing in yet.",
            )
        }
        "slow_down" => {
            return Mapped::new(
                ExoResult::Pending,
                Reason::SlowDown,
                "Polling too fast; waiting longer between polls.",
            )
        }
        "authorization_declined" => {
            return auth(Reason::AuthorizationDeclined, "The user declined the sign-in request.".into())
        }
        "expired_token" => {
            return auth(
                Reason::DeviceCodeExpired,
                "The device code expired before the sign-in finished: start a new device code sign-in.".into(),
            )
        }
        "bad_verification_code" => {
            return auth(
                Reason::BadVerificationCode,
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
            Reason::MfaRequired,
            "The stored refresh token lacks an MFA claim: create it again by signing in interactively with MFA \
             (device code sign-in or the partner consent flow), then store the new token."
                .into(),
        )
        .action(MFA)
        .credential();
    }
    if b.has(700082) {
        return auth(
            Reason::RefreshTokenExpired,
            "The refresh token expired after 90 days without use: sign in again with Connect-ExoDelegated \
             -DeviceCode and store the new token."
                .into(),
        )
        .action(RTEXP)
        .credential();
    }
    if b.has(65001) {
        return auth(
            Reason::ReconsentRequired,
            format!(
                "The application is not consented in tenant '{t}': grant consent there (partner pre-consent or \
                 GDAP application consent), then try again."
            ),
        )
        .category(Category::PermissionDenied)
        .action(CONSENT)
        .tenant();
    }
    if b.has(70000) || b.has(70008) {
        // Not consent (that is 65001): the token itself is bad, for every tenant.
        return auth(
            Reason::RefreshTokenInvalid,
            "The refresh token is invalid, expired or revoked: sign in again with Connect-ExoDelegated -DeviceCode \
             and store the new token."
                .into(),
        )
        .action(INVALID_GRANT)
        .credential();
    }
    if b.has(7000222) {
        return auth(
            Reason::SecretExpired,
            "The client secret has expired: create a new secret for the application, store it and pass its value."
                .into(),
        )
        .action(SECRET_EXPIRED)
        .credential();
    }
    if b.has(7000215) {
        return auth(
            Reason::SecretInvalid,
            "The client secret is wrong: pass the value (not the secret id) of a secret of the application given \
             with -ApplicationId."
                .into(),
        )
        .action(SECRET)
        .credential();
    }
    if b.has(7000218) {
        return auth(
            Reason::SecretRequired,
            "The application is confidential: pass its client secret (-ClientSecret) with the refresh token.".into(),
        )
        .action(SECRET)
        .credential();
    }
    if b.has(700025) {
        return auth(
            Reason::PublicClientSecret,
            "The application is a public client and must not send a secret: drop -ClientSecret, or make the \
             application confidential."
                .into(),
        )
        .category(Category::InvalidArgument)
        .action(PUBLIC)
        .credential();
    }
    if b.has(700007) {
        return auth(
            Reason::WrongClient,
            format!(
                "The refresh token was issued to a different application than '{}': use the application id the \
                 refresh token was issued to.",
                ctx.client_id
            ),
        )
        .category(Category::InvalidArgument)
        .action(WRONG)
        .credential();
    }
    if b.has(53003) {
        return auth(
            Reason::ConditionalAccess,
            format!(
                "Conditional Access in tenant '{t}' blocked the sign-in: check that tenant's sign-in logs with the \
                 correlation id."
            ),
        )
        .category(Category::PermissionDenied)
        .action(CA)
        .tenant();
    }
    if b.has(90002) {
        return auth(
            Reason::TenantNotFound,
            format!(
                "Tenant '{t}' was not found: check the tenant id and -Environment (the tenant may be in another cloud)."
            ),
        )
        .category(Category::ObjectNotFound)
        .action(TENANT)
        .tenant();
    }
    if b.has(700016) {
        return auth(
            Reason::AppNotInTenant,
            format!(
                "Application '{}' has no service principal in tenant '{t}': check the tenant id, and that the \
                 customer has a GDAP relationship and consented the application.",
                ctx.client_id
            ),
        )
        .category(Category::PermissionDenied)
        .action(APP)
        .tenant();
    }
    if b.has(500011) || err == "invalid_resource" {
        return auth(
            Reason::ExchangeNotProvisioned,
            format!(
                "Exchange Online is not available in tenant '{t}' (not provisioned, or the wrong tenant or cloud): \
                 check the tenant id, its Exchange licences and -Environment."
            ),
        )
        .category(Category::ObjectNotFound)
        .action(EXO)
        .tenant();
    }
    if err == "invalid_scope" || b.has(70011) {
        return auth(
            Reason::InvalidScope,
            "The token scope was refused: check -ExchangeHost / -Environment.".into(),
        )
        .category(Category::InvalidArgument);
    }
    if status == 429 {
        return Mapped::new(
            ExoResult::Throttled,
            Reason::Throttled,
            "The identity platform is throttling token requests: wait a minute and try again.",
        );
    }
    if err == "temporarily_unavailable" || status >= 500 {
        return Mapped::new(
            ExoResult::Transient,
            Reason::Transient,
            "The identity platform is temporarily unavailable: try again in a few minutes.",
        );
    }
    auth(Reason::AuthFailed, String::new())
}

/// Raw, form-encoded and JSON-escaped secrets, and bearer tokens, out of service text, cleaned
/// first: a secret split by a bidi control, which cleaning drops, would pass the redaction.
fn redact(text: &str, secrets: &[&str]) -> String {
    crate::util::quote_redacted(text, usize::MAX, secrets)
}

/// Build the error for a failed token response. `secrets` are redacted from
/// any service text that is quoted (only for unmapped errors).
pub(crate) fn to_error(status: u16, body: &[u8], ctx: &AadContext<'_>, secrets: &[&str]) -> Error {
    let b = match AadErrorBody::parse(body) {
        Some(b) => b,
        None => {
            let (code, reason) = if status == 429 {
                (ExoResult::Throttled, Reason::Throttled)
            } else if status >= 500 {
                (ExoResult::Transient, Reason::Transient)
            } else {
                (ExoResult::AuthFailed, Reason::AuthFailed)
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
    // Everything quoted from the body is redacted (a hostile server may echo secrets anywhere).
    let error_text = redact(&b.error, secrets);
    let correlation_id = b.correlation_id.as_deref().map(|c| redact(c, secrets));
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
        desc = redact(&desc, secrets);
        sentence = format!(
            "The identity platform refused the token request ({}): {}",
            crate::util::clean_text(&error_text, 64),
            crate::util::clean_text(&desc, 300)
        );
    }
    let mut suffix = Vec::new();
    if let Some(n) = aadsts {
        suffix.push(format!("AADSTS{n}"));
    }
    if let Some(c) = correlation_id.as_deref().filter(|c| !c.is_empty()) {
        suffix.push(format!("correlation id {}", crate::util::clean_text(c, 64)));
    }
    if !suffix.is_empty() {
        sentence = format!("{sentence} [{}]", suffix.join("; "));
    }
    let mut e = Error::new(m.code, m.reason, sentence);
    if let Some(c) = m.category {
        e = e.with_category(c);
    }
    if let Some(a) = m.action {
        e = e.with_action(a);
    }
    e.scope = m.scope;
    e.aadsts = aadsts;
    e.service_code = Some(crate::util::clean_text(&error_text, 64));
    e.correlation_id = correlation_id.map(|c| crate::util::clean_text(&c, 64));
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
    fn credential_failures_stop_the_run_tenant_failures_skip_the_tenant() {
        for code in [70000, 70008, 700082, 50076, 7000215, 7000222, 700007] {
            assert_eq!(
                err(400, "invalid_grant", code).scope,
                Some("Credential"),
                "{code}"
            );
        }
        for code in [65001, 53003, 90002, 700016, 500011] {
            assert_eq!(
                err(400, "invalid_grant", code).scope,
                Some("Tenant"),
                "{code}"
            );
        }
        assert_eq!(err(503, "temporarily_unavailable", 0).scope, None);
        let e = err(400, "invalid_grant", 70000);
        assert!(
            e.message.contains("Connect-ExoDelegated -DeviceCode"),
            "{}",
            e.message
        );
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["scope"], "Credential");
    }

    #[test]
    fn every_documented_code_maps_to_its_reason() {
        let cases = [
            ("invalid_grant", 50076, "MfaRequired"),
            ("interaction_required", 50079, "MfaRequired"),
            ("invalid_grant", 700082, "RefreshTokenExpired"),
            ("invalid_grant", 70000, "RefreshTokenInvalid"),
            ("invalid_grant", 70008, "RefreshTokenInvalid"),
            ("invalid_grant", 65001, "ReconsentRequired"),
            ("unauthorized_client", 700016, "AppNotInTenant"),
            ("invalid_client", 7000215, "SecretInvalid"),
            ("invalid_client", 7000222, "SecretExpired"),
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
            assert_eq!(e.reason.as_str(), reason, "{code}");
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
        assert_eq!(err(400, "slow_down", 0).reason.as_str(), "SlowDown");
        assert_eq!(
            err(400, "expired_token", 0).reason.as_str(),
            "DeviceCodeExpired"
        );
        assert_eq!(
            err(400, "authorization_declined", 0).reason.as_str(),
            "AuthorizationDeclined"
        );
        assert_eq!(
            err(400, "bad_verification_code", 0).reason.as_str(),
            "BadVerificationCode"
        );
        assert_eq!(
            err(400, "authorization_declined", 70000).reason.as_str(),
            "AuthorizationDeclined"
        );
        assert_eq!(
            err(400, "bad_verification_code", 70000).reason.as_str(),
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
        assert_eq!(e.reason.as_str(), "AuthFailed");
        assert!(e.message.contains("something"));
        assert!(!e.message.contains("SECRET-canary"));
        assert!(!e.message.contains("Trace ID"));
    }

    #[test]
    fn secrets_echoed_in_any_field_are_redacted() {
        let body =
            br#"{"error":"SECRET-canary","error_codes":[1],"correlation_id":"x SECRET-canary"}"#;
        let ctx = AadContext {
            tenant: "t",
            client_id: "c",
        };
        let e = to_error(400, body, &ctx, &["SECRET-canary"]);
        assert!(!e.to_json().contains("SECRET-canary"), "{}", e.to_json());
        assert!(e.message.contains("<redacted>"), "{}", e.message);
        // Split by bidi controls, which cleaning drops after the redaction looked.
        let body = br#"{"error":"SECRET\u202e-canary","error_description":"AADSTS1: SECRET-\u2066canary","error_codes":[1],"correlation_id":"SECRET-can\u200fary"}"#;
        let e = to_error(400, body, &ctx, &["SECRET-canary"]);
        assert!(!e.to_json().contains("SECRET-canary"), "{}", e.to_json());
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

    #[test]
    fn categories_and_actions_per_code() {
        use Category::*;
        let cases: [(&str, u64, Category, &str); 16] = [
            ("invalid_grant", 50076, AuthenticationError, "MFA"),
            ("interaction_required", 50079, AuthenticationError, "MFA"),
            ("invalid_grant", 700082, AuthenticationError, "-DeviceCode"),
            ("invalid_grant", 70000, AuthenticationError, "-DeviceCode"),
            ("invalid_grant", 70008, AuthenticationError, "-DeviceCode"),
            (
                "invalid_grant",
                65001,
                PermissionDenied,
                "Consent the application",
            ),
            (
                "unauthorized_client",
                700016,
                PermissionDenied,
                "service principal",
            ),
            (
                "invalid_client",
                7000215,
                AuthenticationError,
                "client secret",
            ),
            (
                "invalid_client",
                7000222,
                AuthenticationError,
                "client secret",
            ),
            (
                "invalid_client",
                7000218,
                AuthenticationError,
                "client secret",
            ),
            ("invalid_client", 700025, InvalidArgument, "public client"),
            ("invalid_grant", 700007, InvalidArgument, "-ApplicationId"),
            ("invalid_grant", 53003, PermissionDenied, "sign-in logs"),
            ("invalid_request", 90002, ObjectNotFound, "-Environment"),
            (
                "invalid_resource",
                500011,
                ObjectNotFound,
                "not provisioned",
            ),
            ("invalid_scope", 70011, InvalidArgument, ""),
        ];
        for (error, code, category, action) in cases {
            let e = err(400, error, code);
            assert_eq!(e.category, category, "{code}");
            match e.recommended_action {
                Some(a) => assert!(a.contains(action) && !action.is_empty(), "{code}: {a}"),
                None => assert!(action.is_empty(), "{code}: no action"),
            }
            assert!(e.fatal && !e.retryable, "{code}");
        }
        let unmapped = err(400, "invalid_request", 12345);
        assert_eq!(unmapped.category, AuthenticationError);
        assert!(unmapped.recommended_action.is_none());
        let busy = err(429, "temporarily_unavailable", 0);
        assert_eq!(busy.category, ResourceBusy);
        assert!(busy.retryable && !busy.fatal);
        let down = err(503, "temporarily_unavailable", 0);
        assert_eq!(down.category, ResourceUnavailable);
        assert!(down.retryable);
        let pending = err(400, "authorization_pending", 0);
        assert_eq!(pending.category, NotSpecified);
        assert!(!pending.fatal);
        assert_eq!(err(400, "expired_token", 0).category, AuthenticationError);
    }
}
