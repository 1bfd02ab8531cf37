//! Microsoft Graph on the emulator's listener (PROTOCOL.md §4): the partner's GDAP relationships
//! (`GET /v1.0/tenantRelationships/delegatedAdminRelationships`, paged) and tenant information
//! (`…/findTenantInformationByTenantId(tenantId='…')`), with Graph's error shape.

use crate::app::{self, App};
use crate::estate::PARTNER;
use crate::http::{pct_encode, Req, Resp};
use crate::rng;
use crate::tokens::{self, TokenCheck};
use serde_json::{json, Value};

const CONTEXT: &str =
    "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships";
/// The most rows one page may hold (`$top` above → 400).
const MAX_TOP: usize = 300;

/// `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
pub fn graph_error(app: &App, req: &Req, status: u16, code: &str, message: &str) -> Resp {
    app.stats.graph_error(code);
    let request_id = rng::random_guid();
    let client_request_id = req
        .header("client-request-id")
        .map(|s| s.to_string())
        .unwrap_or_else(rng::random_guid);
    let date = rng::iso_z(rng::now_unix());
    let body = json!({"error": {"code": code, "message": message, "innerError": {
        "date": date.trim_end_matches('Z'),
        "request-id": request_id,
        "client-request-id": client_request_id,
    }}});
    Resp::json(status, &body)
        .header("request-id", &request_id)
        .header("client-request-id", &client_request_id)
}

fn unauthorized(app: &App, req: &Req, reason: &str, message: &str) -> Resp {
    app.stats.unauthorized(reason);
    graph_error(app, req, 401, "InvalidAuthenticationToken", message).header(
        "WWW-Authenticate",
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
    )
}

/// `GET {url}/v1.0/{rest…}`.
pub fn graph(app: &App, req: &Req, rest: &[&str]) -> Resp {
    let draw = app.faults.draw(true);
    let token = req
        .header("Authorization")
        .and_then(|h| h.split_once(' '))
        .filter(|(s, _)| s.eq_ignore_ascii_case("Bearer"))
        .map(|(_, t)| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let token = match token {
        Some(t) => t,
        None => return unauthorized(app, req, "missing", "Access token is empty."),
    };
    let info = match app.identity.check_access(&token) {
        TokenCheck::Ok(i) => i,
        TokenCheck::Unknown => {
            return unauthorized(
                app,
                req,
                "unknown",
                "Access token validation failure. Invalid token.",
            )
        }
    };
    if !tokens::is_graph_audience(&info.aud) {
        return unauthorized(
            app,
            req,
            "audience",
            "Access token validation failure. Invalid audience.",
        );
    }
    if info.exp <= rng::now_unix() {
        return unauthorized(
            app,
            req,
            "expired",
            "Lifetime validation failed, the token is expired.",
        );
    }
    app::latency(app);
    if draw.throttle {
        app.stats.fault("throttle", "graph", None);
        return graph_error(
            app,
            req,
            429,
            "TooManyRequests",
            "Too many requests from this client. Retry after the time in the Retry-After header.",
        )
        .header("Retry-After", "1");
    }
    if draw.transient {
        app.stats.fault("transient", "graph", None);
        return graph_error(
            app,
            req,
            503,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please try again later.",
        )
        .header("Retry-After", "1");
    }
    if req.method != "GET" {
        return graph_error(
            app,
            req,
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
        .header("Allow", "GET");
    }
    // GDAP data is the partner's: without the roles (--graph-forbidden) or from another tenant's
    // token, Graph refuses.
    if app.cfg.graph_forbidden || info.tenant != PARTNER {
        return graph_error(
            app,
            req,
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    }
    match rest {
        [tr, dar]
            if tr.eq_ignore_ascii_case("tenantRelationships")
                && dar.eq_ignore_ascii_case("delegatedAdminRelationships") =>
        {
            relationships(app, req)
        }
        [tr, f]
            if tr.eq_ignore_ascii_case("tenantRelationships")
                && function_arg(f, "findTenantInformationByTenantId", "tenantId").is_some() =>
        {
            let arg = function_arg(f, "findTenantInformationByTenantId", "tenantId").unwrap();
            tenant_information(app, req, &arg)
        }
        [tr, f]
            if tr.eq_ignore_ascii_case("tenantRelationships")
                && function_arg(f, "findTenantInformationByDomainName", "domainName").is_some() =>
        {
            let arg = function_arg(f, "findTenantInformationByDomainName", "domainName").unwrap();
            tenant_information(app, req, &arg)
        }
        _ => graph_error(
            app,
            req,
            400,
            "BadRequest",
            &format!(
                "Resource not found for the segment '{}'.",
                rest.last().unwrap_or(&"")
            ),
        ),
    }
}

/// `name(param='value')` → value.
fn function_arg(seg: &str, name: &str, param: &str) -> Option<String> {
    let open = seg.find('(')?;
    if !seg[..open].eq_ignore_ascii_case(name) || !seg.ends_with(')') {
        return None;
    }
    let inner = seg[open + 1..seg.len() - 1].trim();
    let (k, v) = inner.split_once('=')?;
    if !k.trim().eq_ignore_ascii_case(param) {
        return None;
    }
    let v = v.trim();
    let v = v
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .unwrap_or(v);
    Some(v.to_string())
}

fn tenant_information(app: &App, req: &Req, key: &str) -> Resp {
    app.stats.graph_tenant_lookup();
    let t = match app.estate.tenant_index(key) {
        Some(t) if !key.is_empty() => t,
        _ => {
            return graph_error(
                app,
                req,
                404,
                "Request_ResourceNotFound",
                &format!("Resource '{}' does not exist or one of its queried reference-property objects are not present.", key),
            )
        }
    };
    let tn = &app.estate.tenants[t];
    Resp::json(
        200,
        &json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.tenantInformation",
            "tenantId": tn.id,
            "federationBrandName": Value::Null,
            "displayName": tn.org_name,
            "defaultDomainName": tn.domain,
        }),
    )
    .header("request-id", &rng::random_guid())
}

/// `status eq 'x'` (the filter the clients send), or none.
fn parse_filter(f: &str) -> Option<String> {
    let mut it = f.split_whitespace();
    let (prop, op) = (it.next()?, it.next()?);
    let value: Vec<&str> = it.collect();
    let value = value.join(" ");
    let value = value.strip_prefix('\'')?.strip_suffix('\'')?;
    if prop.eq_ignore_ascii_case("status") && op.eq_ignore_ascii_case("eq") {
        Some(value.to_string())
    } else {
        None
    }
}

fn relationships(app: &App, req: &Req) -> Resp {
    let filter = req.query("$filter").map(|s| s.trim().to_string());
    let status = match &filter {
        None => None,
        Some(f) => match parse_filter(f) {
            Some(s) => Some(s),
            None => {
                return graph_error(
                    app,
                    req,
                    400,
                    "BadRequest",
                    &format!("Invalid filter clause: the emulator supports \"status eq '<status>'\", got \"{}\".", f),
                )
            }
        },
    };
    let size = match req.query("$top") {
        None => app.cfg.graph_page_size,
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_TOP).contains(&n) => n,
            _ => {
                return graph_error(
                    app,
                    req,
                    400,
                    "BadRequest",
                    &format!("Invalid value '{}' for $top: use 1..{}.", v, MAX_TOP),
                )
            }
        },
    };
    let matching: Vec<&crate::gdap::Relationship> = app
        .gdap
        .iter()
        .filter(|r| {
            status
                .as_deref()
                .map_or(true, |s| r.status.eq_ignore_ascii_case(s))
        })
        .collect();
    let filter_hash = rng::hash_str(filter.as_deref().unwrap_or(""));
    let start = match req.query("$skiptoken") {
        None => 0,
        Some(tok) => match decode_skip(app, tok, filter_hash) {
            Some(n) if n <= matching.len() => n,
            _ => {
                return graph_error(
                    app,
                    req,
                    400,
                    "BadRequest",
                    "The $skiptoken is invalid or does not belong to this query.",
                )
            }
        },
    };
    let end = (start + size).min(matching.len());
    let rows: Vec<Value> = matching[start..end]
        .iter()
        .map(|r| r.to_json(&app.estate))
        .collect();
    app.stats.graph_page(rows.len() as u64, start > 0);
    let mut body = json!({"@odata.context": CONTEXT, "value": rows});
    if end < matching.len() {
        let mut link = format!(
            "{}/v1.0/tenantRelationships/delegatedAdminRelationships?",
            app.base_url
        );
        if let Some(f) = &filter {
            link.push_str(&format!("%24filter={}&", pct_encode(f)));
        }
        link.push_str(&format!(
            "%24top={}&%24skiptoken={}",
            size,
            encode_skip(app, end, filter_hash)
        ));
        body["@odata.nextLink"] = json!(link);
    }
    Resp::json(200, &body)
        .header("request-id", &rng::random_guid())
        .header("OData-Version", "4.0")
}

fn encode_skip(app: &App, offset: usize, filter_hash: u64) -> String {
    let payload = format!("{}.{:x}", offset, filter_hash);
    let mac = rng::h(&[app.link_secret, rng::hash_str(&payload), 0x6a]);
    rng::b64url(format!("{}.{:x}", payload, mac).as_bytes())
}

fn decode_skip(app: &App, tok: &str, filter_hash: u64) -> Option<usize> {
    let raw = String::from_utf8(rng::b64url_decode(tok)?).ok()?;
    let (payload, mac) = raw.rsplit_once('.')?;
    if u64::from_str_radix(mac, 16).ok()?
        != rng::h(&[app.link_secret, rng::hash_str(payload), 0x6a])
    {
        return None;
    }
    let (off, fh) = payload.split_once('.')?;
    if u64::from_str_radix(fh, 16).ok()? != filter_hash {
        return None;
    }
    off.parse().ok()
}
