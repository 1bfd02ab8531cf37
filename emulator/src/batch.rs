//! `POST /adminapi/beta/{tenant}/$batch` (PROTOCOL.md §4): up to 10 InvokeCommand sub-requests
//! in one HTTP request. Each sub-request runs exactly as InvokeCommand would (its own fault
//! draw, paging, warnings, errors); the answers come back in shuffled order, matched by id.

use crate::app::{self, App, BatchCost};
use crate::exchange::{self, Admission};
use crate::http::{split_target, Req, Resp};
use crate::json::write_str;
use crate::rng;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;

/// The most sub-requests one batch may carry (what CIPP sends; more → 400).
pub const MAX_REQUESTS: usize = 10;

struct Sub {
    id: String,
    seg: String,
    req: Req,
}

fn prefers(req: &Req, what: &str) -> bool {
    req.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Prefer"))
        .flat_map(|(_, v)| v.split(|c| c == ',' || c == ';'))
        .any(|p| p.trim().eq_ignore_ascii_case(what))
}

fn find<'a>(o: &'a serde_json::Map<String, Value>, k: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(k))
        .map(|(_, v)| v)
}

/// Validates the whole batch before anything runs: a refused batch applies no write.
fn parse(app: &App, req: &Req, seg: &str, tidx: usize) -> Result<Vec<Sub>, String> {
    let body: Value = serde_json::from_slice(&req.body)
        .map_err(|e| format!("The batch request body is not valid JSON: {}.", e))?;
    let items = body
        .as_object()
        .and_then(|o| find(o, "requests"))
        .and_then(|v| v.as_array())
        .ok_or("The batch request body must be {\"requests\":[{\"id\",\"method\",\"url\",\"headers\",\"body\"}, …]}.")?;
    if items.is_empty() {
        return Err("The batch request contains no requests.".into());
    }
    if items.len() > MAX_REQUESTS {
        return Err(format!(
            "The batch request contains {} requests; at most {} requests are allowed in one batch.",
            items.len(),
            MAX_REQUESTS
        ));
    }
    // Headers a sub-request inherits from the batch unless it sets its own.
    let inherited: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| {
            ["Authorization", "Prefer", "X-AnchorMailbox"]
                .iter()
                .any(|h| k.eq_ignore_ascii_case(h))
        })
        .cloned()
        .collect();
    let mut seen = HashSet::new();
    let mut subs = Vec::with_capacity(items.len());
    for (k, item) in items.iter().enumerate() {
        let o = item
            .as_object()
            .ok_or_else(|| format!("Batch request #{} is not an object.", k + 1))?;
        let id = match find(o, "id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(format!("Batch request #{} has no 'id'.", k + 1)),
        };
        if !seen.insert(id.clone()) {
            return Err(format!(
                "The request id '{}' appears twice in the batch.",
                id
            ));
        }
        let method = find(o, "method").and_then(|v| v.as_str()).unwrap_or("POST");
        if !method.eq_ignore_ascii_case("POST") {
            return Err(format!(
                "Batch request '{}': method '{}' is not supported; InvokeCommand sub-requests use POST.",
                id, method
            ));
        }
        let url = find(o, "url")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("Batch request '{}' has no 'url'.", id))?;
        let (_, path, query) = split_target(url);
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let sub_seg = match segs.as_slice() {
            [a, b, t, c]
                if a.eq_ignore_ascii_case("adminapi")
                    && b.eq_ignore_ascii_case("beta")
                    && c.eq_ignore_ascii_case("InvokeCommand") =>
            {
                t.to_string()
            }
            _ => {
                return Err(format!(
                    "Batch request '{}': url '{}' is not …/adminapi/beta/{{tenant}}/InvokeCommand.",
                    id, url
                ))
            }
        };
        if app.estate.tenant_index(&sub_seg) != Some(tidx) {
            return Err(format!(
                "Batch request '{}' is for tenant '{}', but the batch was sent to tenant '{}': every request in a batch must be for the batch's tenant.",
                id, sub_seg, seg
            ));
        }
        let mut headers = Vec::new();
        match find(o, "headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(h)) => {
                for (hk, hv) in h {
                    let v = match hv {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    headers.push((hk.clone(), v));
                }
            }
            Some(_) => {
                return Err(format!(
                    "Batch request '{}': 'headers' must be an object.",
                    id
                ))
            }
        }
        // The batch's credentials always apply; a sub-request's own Authorization is ignored.
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case("Authorization"));
        for (hk, hv) in &inherited {
            if hk.eq_ignore_ascii_case("Authorization")
                || !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(hk))
            {
                headers.push((hk.clone(), hv.clone()));
            }
        }
        let body = match find(o, "body") {
            Some(b @ Value::Object(_)) => serde_json::to_vec(b).unwrap_or_default(),
            Some(Value::String(s)) => s.clone().into_bytes(),
            _ => {
                return Err(format!(
                    "Batch request '{}' has no 'body' ({{\"CmdletInput\":{{…}}}}).",
                    id
                ))
            }
        };
        subs.push(Sub {
            id,
            seg: sub_seg,
            req: Req {
                method: "POST".into(),
                path,
                query,
                headers,
                body,
            },
        });
    }
    Ok(subs)
}

fn not_executed(failed_id: &str) -> Resp {
    Resp::json(
        424,
        &json!({"error": {"code": "FailedDependency", "message": format!(
            "Not executed: request '{}' of this batch failed and the batch was sent without 'Prefer: odata.continue-on-error'.",
            failed_id
        )}}),
    )
}

pub fn batch(app: &Arc<App>, req: &Req, seg: &str, adm: Option<Admission>) -> Resp {
    app.stats.batch_request();
    let tidx = match exchange::authorize(app, req, seg) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let guard = match exchange::take_slot(app, adm, tidx) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let subs = match parse(app, req, seg, tidx) {
        Ok(s) => s,
        Err(msg) => {
            app.stats.batch_refused();
            let mut r = exchange::bad_request(&msg);
            r.guard = Some(Box::new(guard));
            return r;
        }
    };
    app.stats.batch_accepted(subs.len());
    let continue_on_error = prefers(req, "odata.continue-on-error");
    let serial = app.cfg.batch_cost == BatchCost::Serial;
    if !serial {
        app::latency(app);
    }
    let mut answers: Vec<(String, Resp)> = Vec::with_capacity(subs.len());
    let mut failed: Option<String> = None;
    let mut reset: Option<f64> = None;
    for sub in subs {
        if let (Some(f), false) = (&failed, continue_on_error) {
            app.stats.batch_sub(424, false);
            answers.push((sub.id, not_executed(f)));
            continue;
        }
        if serial {
            app::latency(app);
        }
        let draw = app.faults.draw(true);
        let mut r = exchange::run(app, &sub.req, &sub.seg, tidx, draw);
        app.stats.batch_sub(r.status, true);
        if r.status >= 400 && failed.is_none() {
            failed = Some(sub.id.clone());
        }
        // A reset in any sub-request breaks the one connection the whole batch travels on.
        if let Some(f) = r.reset.take() {
            reset = Some(reset.map_or(f, |g: f64| g.min(f)));
        }
        answers.push((sub.id, r));
    }
    // The service answers in any order: clients must match by id.
    fastrand::shuffle(&mut answers);
    let mut out = crate::http::take_buffer(
        answers
            .iter()
            .map(|(_, r)| r.prefix.len() + r.body.len() + 512)
            .sum(),
    );
    out.extend_from_slice(b"{\"responses\":[");
    for (k, (id, r)) in answers.into_iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"id\":");
        write_str(&mut out, &id);
        out.extend_from_slice(format!(",\"status\":{},\"headers\":{{", r.status).as_bytes());
        for (j, (hk, hv)) in r.headers.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            write_str(&mut out, hk);
            out.push(b':');
            write_str(&mut out, hv);
        }
        out.extend_from_slice(b"},\"body\":");
        if r.prefix.is_empty() && r.body.is_empty() {
            out.extend_from_slice(b"null");
        } else {
            out.extend_from_slice(&r.prefix);
            out.extend_from_slice(&r.body);
        }
        out.push(b'}');
        crate::http::give_buffer(r.body);
    }
    out.extend_from_slice(b"]}");
    let mut resp = Resp::raw(
        200,
        "application/json; odata.metadata=minimal; charset=utf-8",
        out,
    )
    .header("request-id", &rng::random_guid());
    if let Some(c) = req.header("client-request-id") {
        resp = resp.header("client-request-id", c);
    }
    resp.reset = reset;
    resp.guard = Some(Box::new(guard));
    resp
}
