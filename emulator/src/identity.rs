//! Entra ID v2 token and devicecode endpoints: grants, rotation, AADSTS errors, token table.

use crate::app::App;
use crate::estate::{SpecialKind, TenantKind, PARTNER};
use crate::http::{parse_form, Req, Resp};
use crate::rng;
use crate::tokens::{AccessInfo, DeviceCode, RtInfo, Scope, EXCHANGE_HOSTS, GRAPH_HOSTS};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const EXCHANGE_APP_ID: &str = "00000002-0000-0ff1-ce00-000000000000";
const GRAPH: &str = "https://graph.microsoft.com";

// ---------------------------------------------------------------------------------------------

struct AadError {
    status: u16,
    error: &'static str,
    code: Option<u32>,
    desc: String,
    suberror: Option<&'static str>,
}

fn err(error: &'static str, code: u32, desc: impl Into<String>) -> AadError {
    let status = if error == "invalid_client" { 401 } else { 400 };
    AadError {
        status,
        error,
        code: Some(code),
        desc: desc.into(),
        suberror: None,
    }
}

fn with_sub(mut e: AadError, s: &'static str) -> AadError {
    e.suberror = Some(s);
    e
}

fn error_resp(app: &App, req: &Req, e: AadError) -> Resp {
    let trace = rng::random_guid();
    let corr = req
        .header("client-request-id")
        .map(|s| s.to_string())
        .unwrap_or_else(rng::random_guid);
    let ts = rng::aad_timestamp(rng::now_unix());
    let desc = match e.code {
        Some(c) => format!(
            "AADSTS{}: {} Trace ID: {} Correlation ID: {} Timestamp: {}",
            c, e.desc, trace, corr, ts
        )
        .replacen(" Trace ID:", "\r\nTrace ID:", 1)
        .replacen(" Correlation ID:", "\r\nCorrelation ID:", 1)
        .replacen(" Timestamp:", "\r\nTimestamp:", 1),
        None => e.desc.clone(),
    };
    let mut body = json!({
        "error": e.error,
        "error_description": desc,
        "error_codes": e.code.map(|c| vec![c]).unwrap_or_default(),
        "timestamp": ts,
        "trace_id": trace,
        "correlation_id": corr,
        "error_uri": format!("https://login.microsoftonline.com/error?code={}", e.code.unwrap_or(0)),
    });
    if let Some(s) = e.suberror {
        body["suberror"] = json!(s);
    }
    app.stats.token_error(e.error, e.code);
    Resp::json(e.status, &body).header("x-ms-request-id", &trace)
}

fn parse_scope(app: &App, raw: &str, app_only: bool) -> Result<Scope, AadError> {
    let bad = |s: &str| {
        err(
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' isn't valid. The scope {} isn't valid.",
                s
            ),
        )
    };
    let mut resource: Option<String> = None;
    let mut perms = vec![];
    let (mut offline, mut openid) = (false, false);
    for item in raw.split_whitespace() {
        match item.to_ascii_lowercase().as_str() {
            "offline_access" => {
                offline = true;
                continue;
            }
            "openid" => {
                openid = true;
                continue;
            }
            "profile" | "email" => continue,
            _ => {}
        }
        let (res, perm) = match item.rfind('/') {
            Some(k) if k > 0 => (&item[..k], &item[k + 1..]),
            _ => return Err(bad(raw)),
        };
        let res = res.trim_end_matches('/');
        let canon = if res.eq_ignore_ascii_case(EXCHANGE_APP_ID) {
            EXCHANGE_HOSTS[0].to_string()
        } else if let Some(h) = EXCHANGE_HOSTS.iter().find(|h| h.eq_ignore_ascii_case(res)) {
            h.to_string()
        } else if res.eq_ignore_ascii_case(&app.base_url) {
            app.base_url.clone()
        } else if let Some(h) = GRAPH_HOSTS.iter().find(|h| h.eq_ignore_ascii_case(res)) {
            h.to_string()
        } else if res.eq_ignore_ascii_case(GRAPH)
            || res.eq_ignore_ascii_case("00000003-0000-0000-c000-000000000000")
        {
            GRAPH.to_string()
        } else {
            return Err(bad(raw));
        };
        if perm.is_empty() {
            return Err(bad(raw));
        }
        if let Some(r) = &resource {
            if *r != canon {
                return Err(bad(raw));
            }
        }
        resource = Some(canon);
        perms.push(perm.to_string());
    }
    let resource = match resource {
        Some(r) => r,
        None if app_only => return Err(bad(raw)),
        None => GRAPH.to_string(),
    };
    let exchange = !GRAPH_HOSTS.contains(&resource.as_str());
    if app_only && perms.iter().any(|p| p != ".default") {
        return Err(err(
            "invalid_scope",
            1002012,
            format!("The provided value for scope {} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", raw),
        ));
    }
    if exchange {
        let ok = [
            "Exchange.Manage",
            ".default",
            "Exchange.ManageAsApp",
            "EWS.AccessAsUser.All",
            "full_access_as_app",
        ];
        if let Some(p) = perms
            .iter()
            .find(|p| !ok.iter().any(|o| o.eq_ignore_ascii_case(p)))
        {
            return Err(bad(p));
        }
    }
    let mut text = if app_only {
        format!("{}/.default", resource)
    } else if exchange {
        format!("{}/Exchange.Manage", resource)
    } else {
        format!("{}/User.Read", resource)
    };
    if openid {
        text.push_str(" openid profile");
    }
    if offline {
        text.push_str(" offline_access");
    }
    Ok(Scope {
        resource,
        exchange,
        offline,
        openid,
        text,
    })
}

enum ClientKind {
    Confidential,
    Public,
}

fn tenant_display(app: &App, t: usize) -> String {
    app.estate.tenants[t].id.clone()
}

/// Delegated access by the partner admin at tenant t.
fn check_delegated(app: &App, t: usize, client: &str, scope: &Scope) -> Result<(), AadError> {
    let tn = &app.estate.tenants[t];
    let not_found = || {
        err(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                client,
                tenant_display(app, t)
            ),
        )
    };
    match tn.kind {
        TenantKind::Partner | TenantKind::Customer => Ok(()),
        TenantKind::Unrelated => Err(not_found()),
        TenantKind::Special(SpecialKind::AppMissing) => Err(not_found()),
        TenantKind::Special(SpecialKind::MfaRequired) => Err(with_sub(
            err(
                "invalid_grant",
                50076,
                "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'.",
            ),
            "basic_action",
        )),
        TenantKind::Special(SpecialKind::ConsentMissing) => Err(with_sub(
            err(
                "invalid_grant",
                65001,
                format!(
                    "The user or administrator has not consented to use the application with ID '{}' named 'Partner Automation'. Send an interactive authorization request for this user and resource.",
                    client
                ),
            ),
            "consent_required",
        )),
        TenantKind::Special(SpecialKind::ConditionalAccess) => Err(with_sub(
            err(
                "invalid_grant",
                53003,
                "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
            ),
            "message_only",
        )),
        TenantKind::Special(SpecialKind::NoExchange) => {
            if scope.exchange {
                Err(no_resource(app, t, scope))
            } else {
                Ok(())
            }
        }
    }
}

fn no_resource(app: &App, t: usize, scope: &Scope) -> AadError {
    err(
        "invalid_resource",
        500011,
        format!(
            "The resource principal named {} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
            scope.resource,
            app.estate.tenants[t].org_name
        ),
    )
}

fn check_app_only(app: &App, t: usize, client: &str, scope: &Scope) -> Result<(), AadError> {
    match app.estate.tenants[t].kind {
        TenantKind::Unrelated
        | TenantKind::Special(SpecialKind::AppMissing)
        | TenantKind::Special(SpecialKind::ConsentMissing) => Err(err(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                client,
                tenant_display(app, t)
            ),
        )),
        TenantKind::Special(SpecialKind::NoExchange) if scope.exchange => Err(no_resource(app, t, scope)),
        _ => Ok(()),
    }
}

fn jwt_part(v: &Value) -> String {
    rng::b64url(serde_json::to_string(v).unwrap().as_bytes())
}

fn mint_access(app: &App, t: usize, scope: &Scope, client: &str, delegated: bool) -> (String, u64) {
    let now = rng::now_unix();
    let exp = now + app.cfg.token_lifetime;
    let tn = &app.estate.tenants[t];
    let confidential = client == app.estate.apps.application_id;
    let mut p = json!({
        "aud": scope.resource,
        "iss": format!("https://sts.windows.net/{}/", tn.id),
        "iat": now,
        "nbf": now,
        "exp": exp,
        "appid": client,
        "appidacr": if confidential { "1" } else { "0" },
        "idtyp": if delegated { "user" } else { "app" },
        "tid": tn.id,
        "uti": rng::b64url(&rng::random_bytes(16)),
        "ver": "1.0",
    });
    if delegated {
        let a = &app.estate.admin;
        p["upn"] = json!(a.upn);
        p["unique_name"] = json!(a.upn);
        p["name"] = json!(a.name);
        p["oid"] = json!(a.oid);
        p["amr"] = json!(["pwd", "mfa"]);
        p["scp"] = json!(if scope.exchange {
            "Exchange.Manage"
        } else {
            "User.Read"
        });
        if t != PARTNER {
            p["idp"] = json!(format!(
                "https://sts.windows.net/{}/",
                app.estate.tenants[PARTNER].id
            ));
        }
    } else {
        p["oid"] = json!(tn.guid_of(usize::MAX >> 1, 900));
        p["roles"] = json!(if scope.exchange {
            vec!["Exchange.ManageAsApp"]
        } else {
            vec![]
        });
    }
    let header = json!({"typ": "JWT", "alg": "RS256", "x5t": "emu-key-1", "kid": "emu-key-1"});
    let token = format!(
        "{}.{}.{}",
        jwt_part(&header),
        jwt_part(&p),
        rng::b64url(&rng::random_bytes(64))
    );
    let mut map = app
        .identity
        .access
        .write()
        .unwrap_or_else(|e| e.into_inner());
    if map.len() > 200_000 {
        map.retain(|_, v| v.exp > now);
    }
    map.insert(
        token.clone(),
        AccessInfo {
            tenant: t,
            aud: scope.resource.clone(),
            client: client.to_string(),
            exp,
            delegated,
        },
    );
    (token, exp)
}

fn mint_refresh(app: &App, client: &str) -> String {
    let rt = format!("0.AX{}", rng::b64url(&rng::random_bytes(165)));
    let epoch = app.identity.epoch.load(Ordering::SeqCst);
    app.identity.refresh.lock().unwrap().insert(
        rt.clone(),
        RtInfo {
            client: client.to_string(),
            epoch,
            expired: false,
            issued: rng::now_unix(),
        },
    );
    rt
}

fn id_token(app: &App, t: usize, client: &str) -> String {
    let now = rng::now_unix();
    let a = &app.estate.admin;
    let p = json!({
        "aud": client, "iss": format!("https://login.microsoftonline.com/{}/v2.0", app.estate.tenants[t].id),
        "iat": now, "nbf": now, "exp": now + 3600, "name": a.name, "oid": a.oid,
        "preferred_username": a.upn, "tid": app.estate.tenants[t].id, "ver": "2.0",
    });
    format!(
        "{}.{}.{}",
        jwt_part(&json!({"typ":"JWT","alg":"RS256","kid":"emu-key-1"})),
        jwt_part(&p),
        rng::b64url(&rng::random_bytes(32))
    )
}

fn success(
    app: &App,
    grant: &str,
    t: usize,
    scope: &Scope,
    client: &str,
    delegated: bool,
    with_rt: bool,
) -> Resp {
    let (at, _) = mint_access(app, t, scope, client, delegated);
    let life = app.cfg.token_lifetime;
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scope.text,
        "expires_in": life,
        "ext_expires_in": life,
        "refresh_in": life / 2,
        "access_token": at,
    });
    if with_rt {
        body["refresh_token"] = json!(mint_refresh(app, client));
    }
    if delegated && scope.openid {
        body["id_token"] = json!(id_token(app, t, client));
        body["client_info"] = json!(rng::b64url(
            json!({"uid": app.estate.admin.oid, "utid": app.estate.tenants[PARTNER].id})
                .to_string()
                .as_bytes()
        ));
    }
    app.stats
        .token_issued(grant, &app.estate.tenants[t].id, client);
    Resp::json(200, &body)
}

fn missing(p: &str) -> AadError {
    err(
        "invalid_request",
        900144,
        format!(
            "The request body must contain the following parameter: '{}'.",
            p
        ),
    )
}

fn resolve_tenant(app: &App, seg: &str) -> Result<usize, AadError> {
    if seg.eq_ignore_ascii_case("common") || seg.eq_ignore_ascii_case("organizations") {
        return Ok(PARTNER);
    }
    app.estate.tenant_index(seg).ok_or_else(|| {
        err(
            "invalid_request",
            90002,
            format!("Tenant '{}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", seg),
        )
    })
}

fn client_kind(app: &App, client: &str, t: usize) -> Result<ClientKind, AadError> {
    if client == app.estate.apps.application_id {
        Ok(ClientKind::Confidential)
    } else if client == app.estate.apps.public_client_id {
        Ok(ClientKind::Public)
    } else {
        Err(err(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                client,
                tenant_display(app, t)
            ),
        ))
    }
}

/// Validates a client assertion's shape (signature not checked: no certificate is registered).
fn check_assertion(
    app: &App,
    f: &HashMap<String, String>,
    client: &str,
    t_seg: &str,
) -> Result<(), AadError> {
    let bad = |msg: &str| {
        err(
            "invalid_client",
            700027,
            format!("Client assertion failed signature validation. {}", msg),
        )
    };
    if f.get("client_assertion_type").map(|s| s.as_str())
        != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return Err(err(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_assertion_type'.",
        ));
    }
    let a = f.get("client_assertion").cloned().unwrap_or_default();
    let parts: Vec<&str> = a.split('.').collect();
    if parts.len() != 3 {
        return Err(bad("The assertion is not a JWT."));
    }
    let dec =
        |s: &str| rng::b64url_decode(s).and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let (h, c) = match (dec(parts[0]), dec(parts[1])) {
        (Some(h), Some(c)) => (h, c),
        _ => return Err(bad("The assertion is not a JWT.")),
    };
    if h.get("x5t#S256").is_none() && h.get("x5t").is_none() {
        return Err(bad("The header has no x5t#S256."));
    }
    if c["iss"].as_str() != Some(client) || c["sub"].as_str() != Some(client) {
        return Err(err(
            "invalid_client",
            700023,
            "Client assertion audience claim does not match Realm issuer, or iss/sub is not the client id.",
        ));
    }
    let aud = c["aud"].as_str().unwrap_or("");
    let ok_aud = aud.ends_with(&format!("/{}/oauth2/v2.0/token", t_seg))
        || aud.ends_with("/oauth2/v2.0/token");
    if !ok_aud {
        return Err(err("invalid_client", 700023, format!("Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials . Provided value: '{}'.", aud)));
    }
    let now = rng::now_unix() as i64;
    let exp = c["exp"].as_i64().unwrap_or(0);
    let nbf = c["nbf"].as_i64().unwrap_or(now);
    if exp < now || nbf > now + 300 || exp - nbf > 600 + 300 {
        return Err(err(
            "invalid_client",
            700024,
            "Client assertion is not within its valid time range.",
        ));
    }
    let _ = app;
    Ok(())
}

/// Client authentication. `allow_no_secret`: the confidential app may poll device codes without one.
fn authenticate(
    app: &App,
    f: &HashMap<String, String>,
    client: &str,
    t: usize,
    t_seg: &str,
    allow_no_secret: bool,
) -> Result<(), AadError> {
    let secret = f.get("client_secret").filter(|s| !s.is_empty());
    let assertion = f.get("client_assertion").filter(|s| !s.is_empty());
    match client_kind(app, client, t)? {
        ClientKind::Public => {
            if secret.is_some() || assertion.is_some() {
                return Err(err(
                    "invalid_client",
                    700025,
                    "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
                ));
            }
            Ok(())
        }
        ClientKind::Confidential => {
            if assertion.is_some() {
                return check_assertion(app, f, client, t_seg);
            }
            match secret {
                None if allow_no_secret => Ok(()),
                None => Err(err("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")),
                Some(s) if *s == app.estate.apps.client_secret => Ok(()),
                Some(s) if *s == app.estate.apps.expired_client_secret => Err(err(
                    "invalid_client",
                    7000222,
                    format!("The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", client),
                )),
                Some(_) => Err(err(
                    "invalid_client",
                    7000215,
                    format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.", client),
                )),
            }
        }
    }
}

fn fault_resp(app: &App, req: &Req, endpoint: &str, tenant: Option<&str>) -> Option<Resp> {
    let d = app.faults.draw(false);
    if d.throttle {
        app.stats.fault("throttle", endpoint, tenant);
        let e = err(
            "temporarily_unavailable",
            90055,
            "There are too many incoming requests. Please try again later.",
        );
        return Some(
            error_resp(app, req, AadError { status: 429, ..e }).header("Retry-After", "1"),
        );
    }
    if d.transient {
        app.stats.fault("transient", endpoint, tenant);
        let e = err(
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
        );
        return Some(
            error_resp(app, req, AadError { status: 503, ..e }).header("Retry-After", "1"),
        );
    }
    None
}

pub fn token(app: &App, req: &Req, seg: &str) -> Resp {
    let tid = app
        .estate
        .tenant_index(seg)
        .map(|t| app.estate.tenants[t].id.clone());
    crate::app::latency(app);
    if let Some(r) = fault_resp(app, req, "token", tid.as_deref()) {
        return r;
    }
    match token_inner(app, req, seg) {
        Ok(r) => r,
        Err(e) => error_resp(app, req, e),
    }
}

fn token_inner(app: &App, req: &Req, seg: &str) -> Result<Resp, AadError> {
    let f = parse_form(&req.body);
    let grant = f
        .get("grant_type")
        .cloned()
        .ok_or_else(|| missing("grant_type"))?;
    let t = resolve_tenant(app, seg)?;
    let client = f
        .get("client_id")
        .cloned()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| missing("client_id"))?;
    match grant.as_str() {
        "refresh_token" => {
            let scope_raw = f.get("scope").cloned().ok_or_else(|| missing("scope"))?;
            authenticate(app, &f, &client, t, seg, false)?;
            let scope = parse_scope(app, &scope_raw, false)?;
            let rt = f
                .get("refresh_token")
                .cloned()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing("refresh_token"))?;
            let info = app.identity.refresh.lock().unwrap().get(&rt).cloned();
            let info = match info {
                Some(info) => info,
                _ => {
                    return Err(with_sub(
                        err(
                            "invalid_grant",
                            70000,
                            "The provided value for the 'refresh_token' is not valid. The refresh token is malformed or not valid.",
                        ),
                        "bad_token",
                    ));
                }
            };
            if info.expired {
                return Err(with_sub(
                    err(
                        "invalid_grant",
                        700082,
                        format!(
                            "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for 90.00:00:00.",
                            rng::iso_z(info.issued).replace('Z', ".0000000Z")
                        ),
                    ),
                    "bad_token",
                ));
            }
            if info.epoch < app.identity.epoch.load(Ordering::SeqCst) {
                return Err(with_sub(
                    err(
                        "invalid_grant",
                        70000,
                        "The provided value for the 'refresh_token' is not valid. The refresh token has been revoked.",
                    ),
                    "bad_token",
                ));
            }
            if info.client != client {
                return Err(err(
                    "invalid_grant",
                    700007,
                    format!("Refresh token was issued to a different client. Client ID '{}' does not match the client ID '{}' of the refresh token.", client, info.client),
                ));
            }
            check_delegated(app, t, &client, &scope)?;
            Ok(success(
                app,
                "refresh_token",
                t,
                &scope,
                &client,
                true,
                true,
            ))
        }
        "client_credentials" => {
            if let ClientKind::Public = client_kind(app, &client, t)? {
                if f.get("client_secret").map_or(false, |s| !s.is_empty()) {
                    return Err(err(
                        "invalid_client",
                        700025,
                        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
                    ));
                }
                return Err(err(
                    "invalid_client",
                    7000218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                ));
            }
            let scope_raw = f.get("scope").cloned().ok_or_else(|| missing("scope"))?;
            authenticate(app, &f, &client, t, seg, false)?;
            let scope = parse_scope(app, &scope_raw, true)?;
            check_app_only(app, t, &client, &scope)?;
            Ok(success(
                app,
                "client_credentials",
                t,
                &scope,
                &client,
                false,
                false,
            ))
        }
        "urn:ietf:params:oauth:grant-type:device_code" | "device_code" => {
            authenticate(app, &f, &client, t, seg, true)?;
            let code = f
                .get("device_code")
                .or_else(|| f.get("code"))
                .cloned()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing("device_code"))?;
            let now = Instant::now();
            let mut devices = app.identity.devices.lock().unwrap();
            let dc = match devices.get_mut(&code) {
                Some(dc) => dc,
                _ => {
                    return Err(err(
                        "bad_verification_code",
                        70000,
                        "The provided value for the input parameter 'device_code' is not valid.",
                    ));
                }
            };
            if dc.client != client {
                return Err(err("invalid_grant", 700007, format!("The device code was issued to a different client. Client ID '{}' does not match the client ID '{}' of the device code.", client, dc.client)));
            }
            if now > dc.expires {
                return Err(err("expired_token", 70019, "Verification code expired."));
            }
            if dc.declined {
                return Err(err(
                    "authorization_declined",
                    70000,
                    "The end user denied the authorization request.",
                ));
            }
            if dc.redeemed {
                return Err(err(
                    "invalid_grant",
                    70000,
                    "The provided value for the 'device_code' is not valid. The code has already been redeemed.",
                ));
            }
            let interval = Duration::from_secs(app.cfg.device_code_interval);
            if let Some(last) = dc.last_poll {
                if !interval.is_zero() && now.duration_since(last) < interval.mul_f64(0.9) {
                    dc.last_poll = Some(now);
                    return Err(err(
                        "slow_down",
                        70016,
                        "OAuth 2.0 device flow error. The client is polling too frequently. Increase the polling interval by 5 seconds.",
                    ));
                }
            }
            dc.last_poll = Some(now);
            dc.polls += 1;
            if dc.polls <= 2 {
                return Err(err(
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                ));
            }
            let (dt, scope) = (dc.tenant, dc.scope.clone());
            check_delegated(app, dt, &client, &scope)?;
            dc.redeemed = true;
            drop(devices);
            Ok(success(
                app,
                "device_code",
                dt,
                &scope,
                &client,
                true,
                scope.offline,
            ))
        }
        other => Err(err(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{}'.", other),
        )),
    }
}

pub fn devicecode(app: &App, req: &Req, seg: &str) -> Resp {
    let tid = app
        .estate
        .tenant_index(seg)
        .map(|t| app.estate.tenants[t].id.clone());
    crate::app::latency(app);
    if let Some(r) = fault_resp(app, req, "devicecode", tid.as_deref()) {
        return r;
    }
    let inner = || -> Result<Resp, AadError> {
        let f = parse_form(&req.body);
        let t = resolve_tenant(app, seg)?;
        let client = f
            .get("client_id")
            .cloned()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| missing("client_id"))?;
        client_kind(app, &client, t)?;
        let scope_raw = f.get("scope").cloned().ok_or_else(|| missing("scope"))?;
        let scope = parse_scope(app, &scope_raw, false)?;
        let device_code = format!("DAQABIQEAAAD{}", rng::b64url(&rng::random_bytes(96)));
        const UC: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let user_code: String = (0..9)
            .map(|_| UC[fastrand::usize(..UC.len())] as char)
            .collect();
        let life = app.cfg.device_code_lifetime;
        app.identity.devices.lock().unwrap().insert(
            device_code.clone(),
            DeviceCode {
                client,
                tenant: t,
                scope,
                user_code: user_code.clone(),
                expires: Instant::now() + Duration::from_secs(life),
                polls: 0,
                last_poll: None,
                declined: false,
                redeemed: false,
            },
        );
        Ok(Resp::json(
            200,
            &json!({
                "user_code": user_code,
                "device_code": device_code,
                "verification_uri": "https://microsoft.com/devicelogin",
                "expires_in": life,
                "interval": app.cfg.device_code_interval,
                "message": format!("To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {} to authenticate.", user_code),
            }),
        ))
    };
    match inner() {
        Ok(r) => r,
        Err(e) => error_resp(app, req, e),
    }
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration` (for clients that discover endpoints).
pub fn openid_configuration(app: &App, seg: &str) -> Resp {
    let Some(t) = app
        .estate
        .tenant_index(seg)
        .or(if seg == "common" || seg == "organizations" {
            Some(PARTNER)
        } else {
            None
        })
    else {
        return Resp::json(
            400,
            &json!({"error": "invalid_tenant", "error_description": format!("AADSTS90002: Tenant '{}' not found.", seg), "error_codes": [90002]}),
        );
    };
    let tid = &app.estate.tenants[t].id;
    let u = &app.base_url;
    Resp::json(
        200,
        &json!({
            "token_endpoint": format!("{}/{}/oauth2/v2.0/token", u, tid),
            "device_authorization_endpoint": format!("{}/{}/oauth2/v2.0/devicecode", u, tid),
            "authorization_endpoint": format!("{}/{}/oauth2/v2.0/authorize", u, tid),
            "issuer": format!("https://login.microsoftonline.com/{}/v2.0", tid),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "tenant_region_scope": "EU",
        }),
    )
}
