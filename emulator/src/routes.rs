//! Routing: which handler answers which path, and the control endpoints (`/_emulator/…`).
//! Imports the handlers; no handler imports this.

use crate::app::App;
use crate::batch;
use crate::exchange;
use crate::graph;
use crate::http::{accepts_gzip, gzip, parse_form, Req, Resp};
use crate::identity;
use crate::wire::Service;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The emulator as the wire sees it.
pub struct Routes(pub Arc<App>);

impl Service for Routes {
    type Ticket = Option<exchange::Admission>;
    fn arrive(&self, req: &Req) -> Self::Ticket {
        exchange::admit(&self.0, req)
    }
    fn handle(&self, req: &Req, ticket: Self::Ticket) -> (&'static str, Resp) {
        let (endpoint, resp) = route(&self.0, req, ticket);
        if endpoint == "control" || !accepts_gzip(req) {
            return (endpoint, resp);
        }
        let (resp, sizes) = gzip(resp);
        if let Some((before, after)) = sizes {
            self.0.stats.gzipped(before, after);
        }
        (endpoint, resp)
    }
    fn answered(&self, req: &Req, raw_url: &str, endpoint: &'static str, resp: &Resp) {
        if self.0.cfg.verbose {
            eprintln!(
                "exo-emulator: {} {} -> {}",
                req.method, raw_url, resp.status
            );
        }
        let sent = (resp.prefix.len() + resp.body.len()) as u64;
        self.0.stats.response(endpoint, resp.status, sent);
    }
    fn finished(&self, endpoint: &'static str, total_us: u64, computed_us: u64) {
        self.0.stats.busy(endpoint, total_us, computed_us);
    }
}

fn not_found(req: &Req) -> Resp {
    Resp::json(
        404,
        &json!({"error": {"code": "NotFound", "message": format!("No endpoint at '{}'.", req.path)}}),
    )
}

fn method_not_allowed(allowed: &str) -> Resp {
    Resp::json(
        405,
        &json!({"error": {"code": "MethodNotAllowed", "message": format!("Use {}.", allowed)}}),
    )
    .header("Allow", allowed)
}

fn tenant_key(app: &App, seg: &str) -> String {
    match app.estate.tenant_index(seg) {
        Some(t) => app.estate.tenants[t].id.clone(),
        None => seg.to_ascii_lowercase(),
    }
}

fn route(
    app: &Arc<App>,
    req: &Req,
    admission: Option<exchange::Admission>,
) -> (&'static str, Resp) {
    let segs: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let post = req.method == "POST";
    match segs.as_slice() {
        ["_emulator", rest @ ..] => {
            app.stats.request("control", None);
            ("control", control(app, req, rest))
        }
        [a, b, tenant, c]
            if a.eq_ignore_ascii_case("adminapi")
                && b.eq_ignore_ascii_case("beta")
                && c.eq_ignore_ascii_case("InvokeCommand") =>
        {
            app.stats
                .request("invokeCommand", Some(&tenant_key(app, tenant)));
            if !post {
                return ("invokeCommand", method_not_allowed("POST"));
            }
            (
                "invokeCommand",
                exchange::invoke(app, req, tenant, admission),
            )
        }
        [a, b, tenant, c]
            if a.eq_ignore_ascii_case("adminapi")
                && b.eq_ignore_ascii_case("beta")
                && c.eq_ignore_ascii_case("$batch") =>
        {
            app.stats.request("batch", Some(&tenant_key(app, tenant)));
            if !post {
                return ("batch", method_not_allowed("POST"));
            }
            ("batch", batch::batch(app, req, tenant, admission))
        }
        ["v1.0", rest @ ..] => {
            app.stats.request("graph", None);
            ("graph", graph::graph(app, req, rest))
        }
        [tenant, o, v, which]
            if o.eq_ignore_ascii_case("oauth2")
                && *v == "v2.0"
                && (*which == "token" || *which == "devicecode") =>
        {
            let ep = if *which == "token" {
                "token"
            } else {
                "devicecode"
            };
            app.stats.request(ep, Some(&tenant_key(app, tenant)));
            if !post {
                return (ep, method_not_allowed("POST"));
            }
            if ep == "token" {
                (ep, identity::token(app, req, tenant))
            } else {
                (ep, identity::devicecode(app, req, tenant))
            }
        }
        [tenant, "v2.0", ".well-known", "openid-configuration"] => {
            app.stats.request("other", None);
            ("other", identity::openid_configuration(app, tenant))
        }
        _ => {
            app.stats.request("other", None);
            ("other", not_found(req))
        }
    }
}

fn control(app: &Arc<App>, req: &Req, rest: &[&str]) -> Resp {
    let m = req.method.as_str();
    match (m, rest) {
        ("GET", ["stats"]) | ("POST", ["stats"]) => {
            let mut stats = app.stats.to_json();
            stats["responseCache"] = app.cache.to_json();
            Resp::json(200, &stats)
        }
        ("GET", ["health"]) => Resp::json(200, &json!({"ok": true, "url": app.base_url})),
        ("POST", ["revoke"]) => {
            let n = app.identity.revoke_all();
            app.stats.revoked();
            Resp::json(200, &json!({"revoked": n}))
        }
        ("POST", ["reset-stats"]) => {
            app.stats.reset();
            app.cache.reset_counters();
            Resp::json(200, &json!({"ok": true}))
        }
        ("POST", ["devicecode", "decline"]) => {
            let form = parse_form(&req.body);
            let from_json = serde_json::from_slice::<Value>(&req.body).ok();
            let code = form
                .get("user_code")
                .or_else(|| form.get("device_code"))
                .cloned()
                .or_else(|| {
                    let j = from_json?;
                    j.get("user_code")
                        .or_else(|| j.get("device_code"))
                        .and_then(|v| v.as_str())
                        .map(|s| s.to_string())
                })
                .unwrap_or_default();
            if app.identity.decline(&code) {
                Resp::json(200, &json!({"declined": true}))
            } else {
                Resp::json(
                    404,
                    &json!({"declined": false, "error": "no such device code"}),
                )
            }
        }
        ("POST", ["shutdown"]) => {
            std::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                std::process::exit(0);
            });
            Resp::json(200, &json!({"ok": true}))
        }
        (_, ["stats"]) | (_, ["health"]) => method_not_allowed("GET"),
        (_, ["revoke"])
        | (_, ["reset-stats"])
        | (_, ["shutdown"])
        | (_, ["devicecode", "decline"]) => method_not_allowed("POST"),
        _ => not_found(req),
    }
}
