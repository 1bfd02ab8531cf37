//! `POST /adminapi/beta/{tenant}/InvokeCommand`: auth checks, faults, paging (`@odata.nextLink`
//! with `$skiptoken`), `$select`, warnings and the Exchange error shape.

use crate::app::App;
use crate::cmdlets::{self, CmdletError, Source};
use crate::http::{accepts_gzip, deflate, give_buffer, gzip_spliced, take_buffer, Req, Resp};
use crate::json::{self, Record};
use crate::response_cache::{Body, Key, Page};
use crate::rng;
use crate::tokens::{self, TokenCheck};
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;

const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
const MORE_RESULTS: &str =
    "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.";
pub const PAGINATION_EXPIRED: &str =
    "Expired or Invalid pagination request. Default Expiry time is 00:30:00";
const CONCURRENCY_MSG: &str = "You have reached the maximum number of concurrent requests per tenant. Please wait and try again";

/// Ends a request's in-flight accounting once its response is written (or, for a refused
/// request, as soon as the refusal is decided).
pub struct Inflight {
    app: Arc<App>,
    t: usize,
    admitted: bool,
}

/// An InvokeCommand request in flight for its URL tenant from arrival (before it waits for a
/// handler) until its response is written.
///
/// `admitted` is decided on arrival: under `--faults concurrency=N` a request is admitted only
/// when fewer than N admitted requests of its tenant are in flight, and only admitted requests
/// count against the limit, as Exchange counts the requests it is executing. A refused request
/// takes no slot, so a burst of refusals (and retries) cannot lock out the next request after
/// the running one ends.
pub struct Admission {
    t: usize,
    admitted: bool,
    guard: Inflight,
}

/// Counts a request as in flight when it targets `/adminapi/beta/{known tenant}/InvokeCommand`
/// or `…/$batch` (a batch is one request in flight, however many sub-requests it carries).
pub fn admit(app: &Arc<App>, req: &Req) -> Option<Admission> {
    if req.method != "POST" {
        return None;
    }
    let segs: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let (a, b, seg, c) = match segs.as_slice() {
        [a, b, seg, c] => (*a, *b, *seg, *c),
        _ => return None,
    };
    if !(a.eq_ignore_ascii_case("adminapi")
        && b.eq_ignore_ascii_case("beta")
        && (c.eq_ignore_ascii_case("InvokeCommand") || c.eq_ignore_ascii_case("$batch")))
    {
        return None;
    }
    let t = app.estate.tenant_index(seg)?;
    let tn = &app.estate.tenants[t];
    // The stats count every request in flight, refused ones included.
    let n = tn.inflight.fetch_add(1, Ordering::SeqCst) + 1;
    app.stats.enter(&tn.id, n);
    let admitted = match app.faults.cfg.concurrency {
        None => {
            tn.admitted.fetch_add(1, Ordering::SeqCst);
            true
        }
        Some(limit) => tn
            .admitted
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |k| {
                if k < limit {
                    Some(k + 1)
                } else {
                    None
                }
            })
            .is_ok(),
    };
    Some(Admission {
        t,
        admitted,
        guard: Inflight {
            app: app.clone(),
            t,
            admitted,
        },
    })
}

impl Drop for Inflight {
    fn drop(&mut self) {
        let tn = &self.app.estate.tenants[self.t];
        if self.admitted {
            tn.admitted.fetch_sub(1, Ordering::SeqCst);
        }
        tn.inflight.fetch_sub(1, Ordering::SeqCst);
        self.app.stats.leave();
    }
}

fn www_authenticate(error: bool) -> String {
    let mut s = String::from(
        "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"",
    );
    if error {
        s.push_str(", error=\"invalid_token\"");
    }
    s
}

/// The Exchange error shape, with the `ErrCode|ExceptionType|message` triple in details.
pub fn exo_error(
    status: u16,
    code: &str,
    message: &str,
    triple: Option<(&str, &str, &str)>,
) -> Resp {
    let mut err = json!({ "code": code, "message": message });
    if let Some((ec, ex, text)) = triple {
        let full = format!("{}|{}|{}", ec, ex, text);
        err["message"] = json!(full);
        err["details"] = json!([{ "code": "Context", "target": "", "message": full }]);
        err["innererror"] = json!({
            "message": text,
            "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
            "stacktrace": format!("   at Microsoft.Exchange.AdminApi.CommandInvocation.CommandInvocation.InvokeCommand(QueryContext queryContext, CmdletInput inputData)\r\n   at {}..ctor()", ex),
            "internalexception": { "message": text, "type": ex, "stacktrace": "" },
        });
    }
    let short = triple.map(|t| t.1.rsplit('.').next().unwrap_or(t.1).to_string());
    let mut r =
        Resp::json(status, &json!({ "error": err })).header("request-id", &rng::random_guid());
    if let Some(s) = short {
        r = r.header("X-ExceptionType", &s);
    }
    r
}

fn cmdlet_error(app: &App, e: &CmdletError) -> Resp {
    app.stats.cmdlet_error(e.short_exception());
    exo_error(
        e.status,
        e.code,
        &e.message,
        Some((&e.err_code, e.exception, &e.message)),
    )
}

pub fn bad_request(message: &str) -> Resp {
    exo_error(400, "BadRequest", message, None)
}

fn unauthorized(app: &App, reason: &str, message: &str, had_token: bool) -> Resp {
    app.stats.unauthorized(reason);
    Resp::json(
        401,
        &json!({"error": {"code": "Unauthorized", "message": message}}),
    )
    .header("WWW-Authenticate", &www_authenticate(had_token))
}

/// A cmdlet outside the account's management roles: HTTP 401 with Exchange's words and no
/// `WWW-Authenticate` challenge (a new token would not help; office-docs-powershell #7970).
fn role_denied(app: &App, cmdlet: &str) -> Resp {
    app.stats.unauthorized("role");
    let text = format!("User is not allowed to call {}.", cmdlet);
    let ex = "Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException";
    Resp::json(
        401,
        &json!({"error": {
            "code": "Unauthorized",
            "message": text,
            "details": [{"code": "Context", "target": "", "message": format!("Ex2E1F44|{}|{}", ex, text)}],
            "innererror": {"message": text, "type": ex, "stacktrace": ""}
        }}),
    )
    .header("request-id", &rng::random_guid())
    .header("X-ExceptionType", "CmdletAccessDeniedException")
}

fn transient(app: &App, tenant: &str) -> Resp {
    app.stats.fault("transient", "invokeCommand", Some(tenant));
    match app.faults.next_transient_variant() {
        0 => exo_error(
            503,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please try again later.",
            Some(("ExB9A4E1", "Microsoft.Exchange.Data.Storage.ServerBusyException", "The server is busy. Please try again later.")),
        )
        .header("Retry-After", "1"),
        1 => exo_error(
            500,
            "InternalServerError",
            "",
            Some((
                "ExB2A5D8",
                "Microsoft.Exchange.Data.Directory.ADServerSettingsChangedException",
                "An error caused a change in the current set of domain controllers.",
            )),
        ),
        _ => exo_error(
            500,
            "InternalServerError",
            "",
            Some((
                "Ex1E0B9C",
                "Microsoft.Exchange.Data.Directory.ADTransientException",
                "Active Directory operation failed on EMUPR01A001DC001.EMUPR01A001.PROD.OUTLOOK.COM. This error could have been caused by user input or by the Active Directory server being unavailable. Please retry at a later time.",
            )),
        ),
    }
}

struct Skip {
    tenant: usize,
    pos: usize,
    sub: usize,
    returned: usize,
    created_ms: u64,
    body: u64,
}

fn encode_skip(app: &App, s: &Skip) -> String {
    let payload = format!(
        "{}.{}.{}.{}.{}.{:x}",
        s.tenant, s.pos, s.sub, s.returned, s.created_ms, s.body
    );
    let mac = rng::h(&[app.link_secret, rng::hash_str(&payload)]);
    rng::b64url(format!("{}.{:x}", payload, mac).as_bytes())
}

fn decode_skip(app: &App, tok: &str) -> Option<Skip> {
    let raw = String::from_utf8(rng::b64url_decode(tok)?).ok()?;
    let (payload, mac) = raw.rsplit_once('.')?;
    if u64::from_str_radix(mac, 16).ok()? != rng::h(&[app.link_secret, rng::hash_str(payload)]) {
        return None;
    }
    let p: Vec<&str> = payload.split('.').collect();
    if p.len() != 6 {
        return None;
    }
    Some(Skip {
        tenant: p[0].parse().ok()?,
        pos: p[1].parse().ok()?,
        sub: p[2].parse().ok()?,
        returned: p[3].parse().ok()?,
        created_ms: p[4].parse().ok()?,
        body: u64::from_str_radix(p[5], 16).ok()?,
    })
}

fn find_key<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    m.iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(k))
        .map(|(_, v)| v)
}

fn page_size(app: &App, req: &Req) -> (usize, bool) {
    let max = app.cfg.max_page_size;
    if let Some(p) = req.header("Prefer") {
        for part in p.split(|c| c == ',' || c == ';') {
            if let Some((k, v)) = part.split_once('=') {
                if k.trim().eq_ignore_ascii_case("odata.maxpagesize") {
                    if let Ok(n) = v.trim().trim_matches('"').parse::<usize>() {
                        return (n.clamp(1, max), true);
                    }
                }
            }
        }
    }
    (max, false)
}

/// Streams one page from (pos, sub) into `sink`. Returns the row count, the resume point when
/// more rows exist and the page is full, and whether the ResultSize limit cut off further rows.
fn collect(
    src: &dyn Source,
    start: (usize, usize),
    returned: usize,
    limit: Option<usize>,
    size: usize,
    sink: &mut dyn FnMut(&Record),
) -> (usize, Option<(usize, usize)>, bool) {
    let n = src.len();
    let (mut pos, mut sub) = start;
    let mut count = 0;
    let mut buf = Vec::new();
    while pos < n {
        buf.clear();
        src.rows(pos, &mut buf);
        while sub < buf.len() {
            if limit.map_or(false, |l| returned + count >= l) {
                return (count, None, true);
            }
            if count >= size {
                return (count, Some((pos, sub)), false);
            }
            sink(&buf[sub]);
            count += 1;
            sub += 1;
        }
        pos += 1;
        sub = 0;
    }
    (count, None, false)
}

pub fn invoke(app: &Arc<App>, req: &Req, seg: &str, adm: Option<Admission>) -> Resp {
    let draw = app.faults.draw(true);
    let tidx = match authorize(app, req, seg) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let guard = match take_slot(app, adm, tidx) {
        Ok(g) => g,
        Err(r) => return r,
    };
    crate::app::latency(app);
    let mut resp = run_with(app, req, seg, tidx, draw, true);
    resp.guard = Some(Box::new(guard));
    resp
}

/// Authenticates an Exchange request (InvokeCommand or a batch) for the URL tenant `seg`:
/// bearer token known, Exchange audience, not expired, issued in the URL's tenant. Returns the
/// tenant index, or the 401/403 answer.
pub fn authorize(app: &App, req: &Req, seg: &str) -> Result<usize, Resp> {
    let token = req
        .header("Authorization")
        .and_then(|h| h.split_once(' '))
        .filter(|(s, _)| s.eq_ignore_ascii_case("Bearer"))
        .map(|(_, t)| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let token = match token {
        Some(token) => token,
        _ => {
            return Err(unauthorized(
                app,
                "missing",
                "The request has no bearer access token.",
                false,
            ));
        }
    };
    let info = match app.identity.check_access(&token) {
        TokenCheck::Ok(i) => i,
        TokenCheck::Unknown => {
            return Err(unauthorized(
                app,
                "unknown",
                "The access token is invalid: it was not issued by this authority.",
                true,
            ))
        }
    };
    if !tokens::is_exchange_audience(&app.base_url, &info.aud) {
        return Err(unauthorized(
            app,
            "audience",
            &format!(
                "The audience claim value '{}' is invalid for the current resource. Audience claim must be an Exchange Online resource.",
                info.aud
            ),
            true,
        ));
    }
    if info.exp <= rng::now_unix() {
        return Err(unauthorized(
            app,
            "expired",
            "The access token has expired.",
            true,
        ));
    }
    let tidx = info.tenant;
    let t = &app.estate.tenants[tidx];
    if app.estate.tenant_index(seg) != Some(tidx) {
        app.stats.tenant_mismatch();
        return Err(exo_error(
            403,
            "Forbidden",
            &format!(
                "The tenant '{}' in the request URL doesn't match the tenant '{}' of the access token.",
                seg, t.id
            ),
            None,
        ));
    }
    if let Some(anchor) = req.header("X-AnchorMailbox") {
        // Routing: the part after the last '@' must name this tenant (GUID, initial domain or
        // its .mail.onmicrosoft.com domain); otherwise the request would route to another
        // tenant's mailbox server.
        let dom = match anchor.rsplit_once('@') {
            Some((_, d)) => d.trim().trim_matches(|c| c == '{' || c == '}'),
            None => "",
        };
        let mail = t
            .domain
            .replace(".onmicrosoft.com", ".mail.onmicrosoft.com");
        let ok = dom.eq_ignore_ascii_case(&t.domain)
            || dom.eq_ignore_ascii_case(&t.id)
            || dom.eq_ignore_ascii_case(&mail);
        app.stats.anchor(!ok);
        if !ok {
            return Err(exo_error(
                400,
                "BadRequest",
                &format!(
                    "The X-AnchorMailbox header '{}' doesn't route to tenant '{}'. Use APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{} (or the tenant's initial domain).",
                    anchor.chars().take(256).collect::<String>(),
                    t.id,
                    t.id
                ),
                None,
            ));
        }
    }
    Ok(tidx)
}

/// Per-tenant concurrency: decided on arrival (see `Admission`); an admitted request holds its
/// slot until its response is written (keep the returned guard in the response), a refused one
/// never had a slot and gets the 429 answer.
pub fn take_slot(app: &App, adm: Option<Admission>, tidx: usize) -> Result<Inflight, Resp> {
    let t = &app.estate.tenants[tidx];
    let (at, admitted, guard) = match adm {
        Some(Admission {
            t: at,
            admitted,
            guard,
        }) => (at, admitted, guard),
        _ => {
            return Err(exo_error(
                500,
                "InternalServerError",
                "request was not admitted",
                None,
            ));
        }
    };
    debug_assert_eq!(at, tidx);
    if !admitted {
        app.stats.fault("concurrency", "invokeCommand", Some(&t.id));
        drop(guard);
        return Err(exo_error(
            429,
            "TooManyRequests",
            CONCURRENCY_MSG,
            Some((
                "ExC3F3E9",
                "Microsoft.Exchange.Management.Tasks.TooManyConcurrentRequestsException",
                CONCURRENCY_MSG,
            )),
        )
        .header("Retry-After", "1"));
    }
    Ok(guard)
}

/// One authorized, admitted InvokeCommand (after its latency): the throttle fault, then the
/// cmdlet. A batch runs each sub-request through here with its own fault draw.
pub fn run(app: &Arc<App>, req: &Req, seg: &str, tidx: usize, draw: crate::faults::Draw) -> Resp {
    run_with(app, req, seg, tidx, draw, false)
}

/// `run`; `cache`: the response goes to the client as it is (not inside a batch), so
/// `--response-cache` may answer it.
fn run_with(
    app: &Arc<App>,
    req: &Req,
    seg: &str,
    tidx: usize,
    draw: crate::faults::Draw,
    cache: bool,
) -> Resp {
    let t = &app.estate.tenants[tidx];
    if draw.throttle {
        app.stats.fault("throttle", "invokeCommand", Some(&t.id));
        let msg =
            "The request was throttled: too many requests for this tenant. Retry after 1 second.";
        return exo_error(
            429,
            "TooManyRequests",
            msg,
            Some((
                "Ex7D2A10",
                "Microsoft.Exchange.Data.Storage.ServerBusyException",
                msg,
            )),
        )
        .header("Retry-After", "1");
    }
    invoke_inner(app, req, seg, tidx, draw, cache)
}

fn invoke_inner(
    app: &Arc<App>,
    req: &Req,
    seg: &str,
    tidx: usize,
    draw: crate::faults::Draw,
    cache: bool,
) -> Resp {
    let t = &app.estate.tenants[tidx];
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return bad_request(&format!("The request body is not valid JSON: {}.", e)),
    };
    let ci = match body
        .as_object()
        .and_then(|o| find_key(o, "CmdletInput"))
        .and_then(|v| v.as_object())
    {
        Some(ci) => ci,
        _ => {
            return bad_request("The request body must be {\"CmdletInput\":{\"CmdletName\":\"...\",\"Parameters\":{...}}}.");
        }
    };
    let name = match find_key(ci, "CmdletName")
        .and_then(|v| v.as_str())
        .map(|s| s.trim().to_string())
    {
        Some(name) => name,
        _ => {
            return bad_request("CmdletInput.CmdletName is missing.");
        }
    };
    let empty = Map::new();
    let raw_params = match find_key(ci, "Parameters") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => return bad_request("CmdletInput.Parameters must be an object."),
    };
    if let Some(h) = req.header("X-CmdletName") {
        if !h.trim().eq_ignore_ascii_case(&name) {
            return bad_request(&format!(
                "The X-CmdletName header ('{}') doesn't match the cmdlet in the request body ('{}').",
                h.trim(),
                name
            ));
        }
    }
    let spec = match crate::catalogue::spec(&name) {
        Some(spec) => spec,
        _ => {
            app.stats.cmdlet(&name.chars().take(64).collect::<String>());
            return cmdlet_error(app, &CmdletError::command_not_found(&name));
        }
    };
    app.stats.cmdlet(spec.name);
    if app
        .cfg
        .deny_cmdlets
        .iter()
        .any(|d| d.eq_ignore_ascii_case(spec.name))
    {
        return role_denied(app, spec.name);
    }
    let body_hash = rng::hash_str(&serde_json::to_string(&Value::Object(ci.clone())).unwrap());
    // Pagination link.
    let now_ms = rng::now_unix_ms();
    let mut start = (0usize, 0usize);
    let mut returned = 0usize;
    let followed = req.query("$skiptoken").is_some();
    if let Some(tok) = req.query("$skiptoken") {
        let s = match decode_skip(app, tok).filter(|s| s.tenant == tidx) {
            Some(s) => s,
            None => {
                app.stats.link_problem("invalid");
                return bad_request(PAGINATION_EXPIRED);
            }
        };
        if s.body != body_hash {
            app.stats.link_problem("bodyMismatch");
            return bad_request(PAGINATION_EXPIRED);
        }
        if now_ms.saturating_sub(s.created_ms) > app.cfg.next_link_ttl * 1000 {
            app.stats.link_problem("expired");
            return bad_request(PAGINATION_EXPIRED);
        }
        if draw.expired {
            app.stats.fault("expired", "invokeCommand", Some(&t.id));
            return bad_request(PAGINATION_EXPIRED);
        }
        start = (s.pos, s.sub);
        returned = s.returned;
    }
    let params = match cmdlets::bind(spec, raw_params) {
        Ok(p) => p,
        Err(e) => return cmdlet_error(app, &e),
    };
    if draw.transient && !(spec.write && draw.after_write) {
        return transient(app, &t.id);
    }
    let (size, preferred) = page_size(app, req);
    let at = At {
        seg,
        tidx,
        cmdlet: spec.name,
        returned,
        followed,
        now_ms,
        body_hash,
        size,
        preferred,
    };
    // --response-cache: a kept page answers an identical read without running the cmdlet.
    let key = (cache && app.cache.enabled() && cacheable(spec))
        .then(|| page_key(req, tidx, start, returned, size, accepts_gzip(req)));
    let generation = app.cache.generation();
    if let Some(kept) = key.as_ref().and_then(|k| app.cache.get(k)) {
        return respond(
            app,
            req,
            &at,
            (kept.count, kept.next, &kept.warnings),
            Out::Kept(&kept.body),
            false,
            draw,
        );
    }
    // Kept pages may show the state a write changes: drop them before and after it runs.
    let writes = writes(spec);
    if writes {
        app.cache.invalidate();
    }
    let ran = cmdlets::run(t, spec, &params);
    if writes {
        app.cache.invalidate();
    }
    let out = match ran {
        Ok(o) => o,
        Err(e) => return cmdlet_error(app, &e),
    };
    let mut applied = false;
    if spec.write {
        if let Some(identity) = &out.applied {
            let fp_src = format!(
                "{}|{}|{}",
                t.id,
                spec.name,
                serde_json::to_string(&Value::Object(raw_params.clone())).unwrap()
            );
            let fp = format!("{:016x}", rng::hash_str(&fp_src));
            app.stats.write_applied(spec.name, &t.id, &fp, identity);
            applied = true;
        }
        if out.whatif {
            app.stats.write_whatif(spec.name);
        } else if out.noop {
            app.stats.write_noop();
        }
        if draw.transient && draw.after_write {
            if applied {
                app.stats.fault_after_write("transient");
            }
            return transient(app, &t.id);
        }
    }
    // One page.
    let select: Option<Vec<String>> = req
        .query("$select")
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty());
    // The value array is streamed first; the envelope (context, nextLink, warnings) is prefixed.
    let mut vals =
        crate::http::take_buffer(size.min(1000) * if select.is_some() { 160 } else { 3000 });
    vals.extend_from_slice(b"\"value\":[");
    let annotate = app.cfg.annotations;
    let (count, next, truncated) = {
        let mut first = true;
        let mut sink = |r: &Record| {
            if !first {
                vals.push(b',');
            }
            first = false;
            if annotate {
                json::write_record_annotated(&mut vals, r, select.as_deref());
            } else {
                json::write_record(&mut vals, r, select.as_deref());
            }
        };
        collect(
            out.source.as_ref(),
            start,
            returned,
            out.limit,
            size,
            &mut sink,
        )
    };
    vals.extend_from_slice(b"]}");
    drop(out.source);
    let mut warnings = out.warnings;
    if truncated {
        warnings.push(MORE_RESULTS.to_string());
    }
    let key = match key {
        Some(key) => key,
        None => {
            return respond(
                app,
                req,
                &at,
                (count, next, &warnings),
                Out::Rendered(vals),
                applied,
                draw,
            )
        }
    };
    // Kept as it will be sent: compressed on its own when the client accepts gzip.
    let body = if accepts_gzip(req) {
        let d = deflate(&vals);
        give_buffer(vals);
        Body::Deflated(d)
    } else {
        Body::Plain(vals)
    };
    let page = Arc::new(Page {
        body,
        count,
        next,
        warnings,
    });
    app.cache.put(key, generation, page.clone());
    respond(
        app,
        req,
        &at,
        (page.count, page.next, &page.warnings),
        Out::Kept(&page.body),
        applied,
        draw,
    )
}

/// Reads whose answer depends on the clock (quarantine ages, message trace's default window)
/// are never kept.
const CLOCK_READS: &[&str] = &["Get-QuarantineMessage", "Get-MessageTraceV2"];

/// Whether a cmdlet may change what a read shows: anything but a Get-* read.
fn writes(spec: &crate::cmdlets::Spec) -> bool {
    spec.write || !spec.name.starts_with("Get-")
}

fn cacheable(spec: &crate::cmdlets::Spec) -> bool {
    !writes(spec) && !CLOCK_READS.contains(&spec.name)
}

/// Everything a page's value array depends on: tenant, path, the query but the skip token
/// (its time and MAC differ per link; where it points is in `start` and `returned`), the body
/// bytes (cmdlet, parameters, ResultSize, filter), the page size and the encoding.
/// `--annotations` and `--full-rows` are fixed for the process.
fn page_key(
    req: &Req,
    tidx: usize,
    start: (usize, usize),
    returned: usize,
    size: usize,
    gzip: bool,
) -> Key {
    let mut key = Key::default()
        .num(tidx as u64)
        .part(req.path.as_bytes())
        .num(start.0 as u64)
        .num(start.1 as u64)
        .num(returned as u64)
        .num(size as u64)
        .num(gzip as u64)
        .part(&req.body);
    for (k, v) in req
        .query
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
    {
        key = key.part(k.as_bytes()).part(v.as_bytes());
    }
    key
}

/// Where a page is in its enumeration and how it was asked for.
struct At<'a> {
    seg: &'a str,
    tidx: usize,
    cmdlet: &'static str,
    returned: usize,
    followed: bool,
    now_ms: u64,
    body_hash: u64,
    size: usize,
    preferred: bool,
}

/// A page's value array: just rendered (sent as it is, gzip-compressed later by the router
/// when accepted), or kept by the response cache (already compressed when it applies).
enum Out<'a> {
    Rendered(Vec<u8>),
    Kept(&'a Body),
}

/// One page's response: the envelope (context, a fresh nextLink, warnings) before the value
/// array, fresh headers, the page counted in the stats, the reset fault applied.
fn respond(
    app: &Arc<App>,
    req: &Req,
    at: &At,
    (count, next, warnings): (usize, Option<(usize, usize)>, &[String]),
    out: Out,
    applied: bool,
    draw: crate::faults::Draw,
) -> Resp {
    let t = &app.estate.tenants[at.tidx];
    // Links carry the tenant GUID whatever segment the client used (as the real service does).
    let base = format!("{}/adminapi/beta/{}/InvokeCommand", app.base_url, t.id);
    let next_link = next.map(|(pos, sub)| {
        let tok = encode_skip(
            app,
            &Skip {
                tenant: at.tidx,
                pos,
                sub,
                returned: at.returned + count,
                created_ms: at.now_ms,
                body: at.body_hash,
            },
        );
        match req.query("$select") {
            Some(s) if !s.is_empty() => format!("{}?$skiptoken={}&$select={}", base, tok, s),
            _ => format!("{}?$skiptoken={}", base, tok),
        }
    });
    let mut buf = Vec::with_capacity(1024);
    buf.extend_from_slice(b"{\"@odata.context\":");
    json::write_str(
        &mut buf,
        &format!(
            "{}/adminapi/beta/{}/$metadata#Collection(Exchange.GenericHashTable)",
            app.base_url, at.seg
        ),
    );
    if let Some(nl) = &next_link {
        buf.extend_from_slice(b",\"@odata.nextLink\":");
        json::write_str(&mut buf, nl);
    }
    if !warnings.is_empty() {
        buf.extend_from_slice(b",\"@adminapi.warnings\":[");
        for (k, w) in warnings.iter().enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            json::write_str(&mut buf, w);
        }
        buf.push(b']');
    }
    buf.push(b',');
    app.stats
        .page(at.cmdlet, count as u64, next_link.is_some(), at.followed);
    let mut gzipped = false;
    let mut resp = match out {
        Out::Rendered(vals) => {
            let mut r = Resp::raw(200, ODATA_JSON, vals);
            r.prefix = buf;
            r
        }
        Out::Kept(Body::Plain(vals)) => {
            let mut copy = take_buffer(vals.len());
            copy.extend_from_slice(vals);
            let mut r = Resp::raw(200, ODATA_JSON, copy);
            r.prefix = buf;
            r
        }
        Out::Kept(Body::Deflated(d)) => {
            let body = gzip_spliced(&buf, d);
            app.stats
                .gzipped((buf.len() + d.raw_len) as u64, body.len() as u64);
            gzipped = true;
            Resp::raw(200, ODATA_JSON, body)
        }
    };
    resp = resp.header("request-id", &rng::random_guid());
    if let Some(c) = req.header("client-request-id") {
        resp = resp.header("client-request-id", c);
    }
    if at.preferred {
        resp = resp.header(
            "Preference-Applied",
            &format!("odata.maxpagesize={}", at.size),
        );
    }
    if gzipped {
        // As the router's gzip step would have added them.
        resp = resp
            .header("Content-Encoding", "gzip")
            .header("Vary", "Accept-Encoding");
    }
    if draw.reset {
        app.stats.fault("reset", "invokeCommand", Some(&t.id));
        if applied {
            app.stats.fault_after_write("reset");
        }
        resp.reset = Some(draw.reset_fraction);
    }
    resp
}
