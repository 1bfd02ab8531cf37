//! Many invocations of one connection through `$batch` (PROTOCOL §4): at most 10 sub-requests
//! per batch, up to the connection's request window of batches in flight, each invocation's
//! result kept apart (records, warnings, retries, error). A sub-request's next page, and the
//! retry of a read the service refused or failed transiently, go into a later batch; a write
//! that may have run is never sent again (the single-call rule, `Failure::finish_error`).

use crate::cancel::CancelToken;
use crate::endpoint::BaseUrl;
use crate::error::{Error, ExoResult, Reason};
use crate::exchange::connection::Connection;
use crate::exchange::cursor::{check_next_link, window_outcome};
use crate::exchange::failure::Failure;
use crate::exchange::request::{self, HeaderInput, InvokeRequest};
use crate::exchange::response;
use crate::http::{self, HttpFailure, HttpRequest, X_EXCEPTION_TYPE};
use crate::retry::{RetryPolicy, RetryRecord};
use crate::secret::Secret;
use crate::util::{clean_text, lock, new_guid};
use reqwest::header::AUTHORIZATION;
use reqwest::Url;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The service's limit on sub-requests per batch.
pub(crate) const MAX_BATCH_SIZE: usize = 10;
/// Invocations per call, at most (the module sends a window's worth at a time).
pub(crate) const MAX_INVOCATIONS: usize = 10_000;
/// How long an idle worker waits before looking for work again (retries that become due).
const IDLE_POLL: Duration = Duration::from_millis(10);

/// One invocation: the caller's id and a checked request.
#[derive(Debug)]
pub struct Invocation {
    pub id: String,
    pub request: InvokeRequest,
}

/// Parse `[{"id":"…","request":{…exo_invoke's request…}}, …]`, or
/// `{"batchSize":n,"invocations":[…]}` to send at most n (1–10) sub-requests per batch.
/// Returns the invocations and the batch size (10 when not given).
pub fn parse_run(json: &str) -> Result<(Vec<Invocation>, usize), Error> {
    let v: Value = serde_json::from_str(json).map_err(|e| {
        Error::invalid_argument(format!(
            "the invocations are not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let Value::Object(mut map) = v else {
        return Ok((invocations_from(v)?, MAX_BATCH_SIZE));
    };
    let size = match map.remove("batchSize") {
        None => MAX_BATCH_SIZE,
        Some(n) => match n.as_u64() {
            Some(n) if (1..=MAX_BATCH_SIZE as u64).contains(&n) => n as usize,
            _ => {
                return Err(Error::invalid_argument(format!(
                    "'batchSize' must be a whole number from 1 to {MAX_BATCH_SIZE}"
                )))
            }
        },
    };
    let items = map.remove("invocations").ok_or_else(|| {
        Error::invalid_argument("'invocations' is required: {\"batchSize\":n,\"invocations\":[…]}")
    })?;
    if let Some(k) = map.keys().next() {
        return Err(Error::invalid_argument(format!(
            "unknown field '{}'; known fields: batchSize, invocations",
            clean_text(k, 64)
        )));
    }
    Ok((invocations_from(items)?, size))
}

fn invocations_from(v: Value) -> Result<Vec<Invocation>, Error> {
    let items = match v {
        Value::Array(a) => a,
        _ => {
            return Err(Error::invalid_argument(
                "the invocations must be a JSON array of {\"id\":…,\"request\":{…}}",
            ))
        }
    };
    if items.len() > MAX_INVOCATIONS {
        return Err(Error::invalid_argument(format!(
            "{} invocations in one call; at most {MAX_INVOCATIONS}",
            items.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (n, item) in items.into_iter().enumerate() {
        let mut map = match item {
            Value::Object(m) => m,
            _ => {
                return Err(Error::invalid_argument(format!(
                    "invocation {n} must be an object {{\"id\":…,\"request\":{{…}}}}"
                )))
            }
        };
        let id = match map.remove("id") {
            Some(Value::String(s)) if !s.is_empty() && s.len() <= 128 => s,
            _ => {
                return Err(Error::invalid_argument(format!(
                    "invocation {n}: 'id' must be a string of 1 to 128 characters"
                )))
            }
        };
        if !seen.insert(id.clone()) {
            return Err(Error::invalid_argument(format!(
                "invocation id '{}' appears twice",
                clean_text(&id, 64)
            )));
        }
        let request = map.remove("request").ok_or_else(|| {
            Error::invalid_argument(format!("invocation {n}: 'request' is required"))
        })?;
        if let Some(k) = map.keys().next() {
            return Err(Error::invalid_argument(format!(
                "invocation {n}: unknown field '{}'; known fields: id, request",
                clean_text(k, 64)
            )));
        }
        let request = InvokeRequest::from_value(request).map_err(|mut e| {
            e.message = format!("invocation '{}': {}", clean_text(&id, 64), e.message);
            e
        })?;
        out.push(Invocation { id, request });
    }
    Ok(out)
}

/// One invocation's outcome.
#[derive(Debug, Default)]
pub struct InvocationResult {
    pub id: String,
    /// Each page's `value` array, verbatim.
    pub(crate) pages: Vec<String>,
    pub warnings: Vec<String>,
    pub retries: Vec<RetryRecord>,
    pub error: Option<Error>,
}

impl InvocationResult {
    /// `{"id":"…","value":[…],"warnings":[…],"retries":[…],"pages":n,"error":{…}|null}`.
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(self.pages.iter().map(|p| p.len()).sum::<usize>() + 256);
        s.push_str("{\"id\":");
        s.push_str(&serde_json::to_string(&self.id).unwrap_or_else(|_| "\"\"".into()));
        s.push_str(",\"value\":[");
        let mut first = true;
        for p in &self.pages {
            let inner = p.trim();
            let inner = inner.strip_prefix('[').unwrap_or(inner);
            let inner = inner.strip_suffix(']').unwrap_or(inner).trim();
            if inner.is_empty() {
                continue;
            }
            if !first {
                s.push(',');
            }
            first = false;
            s.push_str(inner);
        }
        s.push_str("],\"warnings\":");
        s.push_str(&serde_json::to_string(&self.warnings).unwrap_or_else(|_| "[]".into()));
        s.push_str(",\"retries\":");
        s.push_str(&serde_json::to_string(&self.retries).unwrap_or_else(|_| "[]".into()));
        s.push_str(&format!(",\"pages\":{},\"error\":", self.pages.len()));
        match &self.error {
            Some(e) => s.push_str(&e.to_json()),
            None => s.push_str("null"),
        }
        s.push('}');
        s
    }
}

/// Every result, in input order, as one JSON array.
pub fn results_json(results: &[InvocationResult]) -> String {
    let mut s = String::from("[");
    for (n, r) in results.iter().enumerate() {
        if n > 0 {
            s.push(',');
        }
        s.push_str(&r.to_json());
    }
    s.push(']');
    s
}

/// What a sub-request needs that does not change between its attempts and pages.
struct Spec {
    cmdlet: String,
    is_read: bool,
    body: String,
    anchor_mailbox: String,
    page_size: u32,
}

/// One sub-request to send: an invocation's first page, a next page, or a retry.
struct Unit {
    index: usize,
    url: Url,
    page_link: bool,
    /// Retries of this page so far.
    retry_no: u32,
    not_before: Instant,
}

struct Shared {
    queue: VecDeque<Unit>,
    /// Units taken by a worker and not yet settled.
    in_flight: usize,
    results: Vec<InvocationResult>,
    /// Batches sent (for the caller's statistics and the tests).
    batches: u32,
}

/// A batch run; `cancel_token()` may be cancelled from any thread.
pub struct Batch {
    conn: Arc<Connection>,
    specs: Vec<Spec>,
    first_urls: Vec<Url>,
    ids: Vec<String>,
    /// Sub-requests per `$batch`, at most (1..=MAX_BATCH_SIZE).
    batch_size: usize,
    cancel: Arc<CancelToken>,
}

impl Batch {
    pub fn new(conn: Arc<Connection>, invocations: Vec<Invocation>) -> Result<Batch, Error> {
        let o = &conn.options;
        let mut specs = Vec::with_capacity(invocations.len());
        let mut first_urls = Vec::with_capacity(invocations.len());
        let mut ids = Vec::with_capacity(invocations.len());
        for inv in invocations {
            let r = inv.request;
            first_urls.push(request::invoke_url(
                &o.exchange,
                conn.routing_tenant(),
                &r.select,
            )?);
            specs.push(Spec {
                is_read: r.is_read(),
                body: String::from_utf8(r.body()).unwrap_or_default(),
                anchor_mailbox: r
                    .anchor_mailbox
                    .clone()
                    .unwrap_or_else(|| conn.anchor_mailbox()),
                page_size: r.page_size.unwrap_or(o.page_size),
                cmdlet: r.cmdlet,
            });
            ids.push(inv.id);
        }
        Ok(Batch {
            conn,
            specs,
            first_urls,
            ids,
            batch_size: MAX_BATCH_SIZE,
            cancel: Arc::new(CancelToken::new()),
        })
    }

    /// At most `size` sub-requests per `$batch` (clamped to 1..=MAX_BATCH_SIZE).
    pub fn with_batch_size(mut self, size: usize) -> Batch {
        self.batch_size = size.clamp(1, MAX_BATCH_SIZE);
        self
    }

    pub fn cancel_token(&self) -> Arc<CancelToken> {
        self.cancel.clone()
    }

    /// Run every invocation to its end (all pages, or an error). `Err` only when cancelled or
    /// the connection is closed; an invocation's own failure is in its result.
    pub fn run(&self) -> Result<(Vec<InvocationResult>, u32), Error> {
        self.cancel.check()?;
        let now = Instant::now();
        let shared = Mutex::new(Shared {
            queue: (0..self.specs.len())
                .map(|index| Unit {
                    index,
                    url: self.first_urls[index].clone(),
                    page_link: false,
                    retry_no: 0,
                    not_before: now,
                })
                .collect(),
            in_flight: 0,
            results: self
                .ids
                .iter()
                .map(|id| InvocationResult {
                    id: id.clone(),
                    ..Default::default()
                })
                .collect(),
            batches: 0,
        });
        let batches_needed = self.specs.len().div_ceil(self.batch_size);
        let workers = (self.conn.window.max() as usize).min(batches_needed).max(1);
        let outcome: Vec<Result<(), Error>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| scope.spawn(|| self.work(&shared)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::internal("a batch worker failed")))
                })
                .collect()
        });
        for r in outcome {
            if let Err(e) = r {
                // One worker's cancel or panic stops the others at their next step.
                self.cancel.cancel();
                return Err(e);
            }
        }
        let s = shared.into_inner().unwrap_or_else(|p| p.into_inner());
        Ok((s.results, s.batches))
    }

    fn work(&self, shared: &Mutex<Shared>) -> Result<(), Error> {
        loop {
            self.cancel.check()?;
            let (units, wait) = {
                let mut s = lock(shared);
                if s.queue.is_empty() && s.in_flight == 0 {
                    return Ok(());
                }
                let now = Instant::now();
                let mut taken = Vec::new();
                let mut rest = VecDeque::with_capacity(s.queue.len());
                let mut earliest: Option<Instant> = None;
                while let Some(u) = s.queue.pop_front() {
                    if taken.len() < self.batch_size && u.not_before <= now {
                        taken.push(u);
                    } else {
                        earliest = Some(earliest.map_or(u.not_before, |e| e.min(u.not_before)));
                        rest.push_back(u);
                    }
                }
                s.queue = rest;
                s.in_flight += taken.len();
                let wait = earliest
                    .map(|e| e.saturating_duration_since(now))
                    .unwrap_or(IDLE_POLL)
                    .clamp(Duration::from_millis(1), IDLE_POLL);
                (taken, wait)
            };
            if units.is_empty() {
                self.cancel.sleep(wait)?;
                continue;
            }
            let n = units.len();
            let settled = self.send(units, shared);
            lock(shared).in_flight -= n;
            settled?;
        }
    }

    /// Send one batch and settle each of its units: a result, a next page or a retry.
    fn send(&self, units: Vec<Unit>, shared: &Mutex<Shared>) -> Result<(), Error> {
        let o = &self.conn.options;
        let policy = RetryPolicy::new(o.max_retries, o.max_retry_wait);
        let url = request::batch_url(&o.exchange, self.conn.routing_tenant())?;
        let mut token_retries: Vec<RetryRecord> = Vec::new();
        let mut stale: Option<Arc<Secret>> = None;
        let mut refreshed = false;
        let sub_ids: Vec<String> = units.iter().map(|_| new_guid()).collect();
        let body = self.body(&units, &sub_ids);
        loop {
            self.cancel.check()?;
            let at = match self
                .conn
                .access_token(&self.cancel, &mut token_retries, stale.as_ref())
            {
                Ok(at) => at,
                Err(e) if e.code == ExoResult::Cancelled || e.code == ExoResult::InvalidHandle => {
                    return Err(e)
                }
                Err(e) => {
                    // Nothing reached Exchange: a busy identity platform is retried like a
                    // refused request, within each unit's own budget.
                    let f = if e.code.is_transient() {
                        Failure::ConnectFailed
                    } else {
                        Failure::Permanent
                    };
                    let mut s = lock(shared);
                    for (u, sid) in units.into_iter().zip(sub_ids) {
                        self.settle_failure(&mut s, u, f, e.clone(), None, &sid, &policy);
                    }
                    return Ok(());
                }
            };
            let request_id = new_guid();
            let anchor = self.conn.anchor_mailbox();
            let headers = request::batch_headers(&HeaderInput {
                token: at.token.expose(),
                cmdlet: "",
                anchor_mailbox: &anchor,
                client_application: &o.client_application,
                page_size: o.page_size,
                request_id: &request_id,
            });
            let req = HttpRequest {
                method: reqwest::Method::POST,
                url: url.clone(),
                headers,
                sensitive: vec![AUTHORIZATION],
                content_type: "application/json; charset=utf-8",
                body: body.clone().into_bytes(),
                max_body: http::MAX_BATCH_BODY_BYTES,
                pooled: true,
                connect_timeout: o.connect_timeout,
                timeout: o.read_timeout,
            };
            let permit = self.conn.window.acquire(&self.cancel)?;
            lock(shared).batches += 1;
            let answer = http::execute(req, &self.cancel);
            permit.finish(window_outcome(&answer, false));
            let resp = match answer {
                Err(HttpFailure::Cancelled) => return Err(Error::cancelled()),
                Err(hf) => {
                    let f = Failure::from_http(&hf);
                    let e = hf.to_error("Exchange Online");
                    let mut s = lock(shared);
                    for (u, sid) in units.into_iter().zip(sub_ids) {
                        self.settle_failure(&mut s, u, f, e.clone(), None, &sid, &policy);
                    }
                    return Ok(());
                }
                Ok(r) => r,
            };
            if resp.status == 401 {
                if !refreshed && self.conn.can_refresh() {
                    refreshed = true;
                    stale = Some(at.token.clone());
                    continue;
                }
                let mut e = self.conn.unauthorized_error();
                e.http_status = Some(401);
                let mut s = lock(shared);
                for (u, sid) in units.into_iter().zip(sub_ids) {
                    self.settle_failure(
                        &mut s,
                        u,
                        Failure::Permanent,
                        e.clone(),
                        None,
                        &sid,
                        &policy,
                    );
                }
                return Ok(());
            }
            if !(200..300).contains(&resp.status) {
                let se = response::parse_error(
                    resp.status,
                    &resp.body,
                    resp.header(&X_EXCEPTION_TYPE),
                    &[at.token.expose()],
                );
                let f = se.failure(false);
                let after = resp.retry_after();
                let mut s = lock(shared);
                for (u, sid) in units.into_iter().zip(sub_ids) {
                    let e = se.clone().into_error(&self.specs[u.index].cmdlet, false);
                    self.settle_failure(&mut s, u, f, e, after, &sid, &policy);
                }
                return Ok(());
            }
            return self.settle_answer(
                &resp.body,
                units,
                sub_ids,
                shared,
                &policy,
                at.token.expose(),
            );
        }
    }

    /// `{"requests":[{"id","method","url","headers","body"}]}`.
    fn body(&self, units: &[Unit], sub_ids: &[String]) -> String {
        let mut s = String::from("{\"requests\":[");
        for (n, (u, sid)) in units.iter().zip(sub_ids).enumerate() {
            let spec = &self.specs[u.index];
            if n > 0 {
                s.push(',');
            }
            let head = serde_json::json!({
                "id": sid,
                "method": "POST",
                "url": u.url.as_str(),
                "headers": {
                    "X-CmdletName": spec.cmdlet,
                    "X-AnchorMailbox": spec.anchor_mailbox,
                    "Prefer": format!("odata.maxpagesize={}", spec.page_size),
                    "Accept": "application/json; odata.metadata=minimal",
                    "client-request-id": sid,
                },
            })
            .to_string();
            // The object without its closing brace, then the body verbatim.
            s.push_str(&head[..head.len() - 1]);
            s.push_str(",\"body\":");
            s.push_str(&spec.body);
            s.push('}');
        }
        s.push_str("]}");
        s
    }

    fn settle_answer(
        &self,
        body: &[u8],
        units: Vec<Unit>,
        sub_ids: Vec<String>,
        shared: &Mutex<Shared>,
        policy: &RetryPolicy,
        // The bearer token sent, redacted from the service's text.
        token: &str,
    ) -> Result<(), Error> {
        let subs: Vec<SubRequest<'_>> = units
            .iter()
            .zip(&sub_ids)
            .map(|(u, sid)| {
                let spec = &self.specs[u.index];
                SubRequest {
                    id: sid,
                    cmdlet: &spec.cmdlet,
                    max_records: response::max_records(spec.page_size),
                    page_link: u.page_link,
                }
            })
            .collect();
        let outcomes = read_answer(body, &subs, &self.conn.options.exchange, token);
        let mut s = lock(shared);
        for ((u, sid), outcome) in units.into_iter().zip(sub_ids).zip(outcomes) {
            match outcome {
                SubOutcome::Page { page, next } => {
                    let r = &mut s.results[u.index];
                    r.pages.push(page.value_json);
                    r.warnings.extend(page.warnings);
                    match next {
                        None => {}
                        Some(Err(e)) => r.error = Some(e),
                        Some(Ok(url)) => s.queue.push_back(Unit {
                            index: u.index,
                            url,
                            page_link: true,
                            retry_no: 0,
                            not_before: Instant::now(),
                        }),
                    }
                }
                SubOutcome::Refused(e) => s.results[u.index].error = Some(e),
                SubOutcome::Failed {
                    failure,
                    error,
                    retry_after,
                } => self.settle_failure(&mut s, u, failure, error, retry_after, &sid, policy),
            }
        }
        Ok(())
    }

    /// A failed attempt of `u`: send it again in a later batch when the single-call rule
    /// allows, else record the error (a write that may have run says so).
    #[allow(clippy::too_many_arguments)]
    fn settle_failure(
        &self,
        s: &mut Shared,
        mut u: Unit,
        failure: Failure,
        mut error: Error,
        retry_after: Option<Duration>,
        sub_id: &str,
        policy: &RetryPolicy,
    ) {
        let is_read = self.specs[u.index].is_read;
        if failure.retry_again(is_read, u.retry_no, policy) {
            u.retry_no += 1;
            let wait = policy.wait(u.retry_no, retry_after);
            let r = &mut s.results[u.index];
            r.retries.push(RetryRecord {
                reason: failure.reason().into(),
                attempt: r.retries.len() as u32 + 1,
                wait_ms: wait.as_millis() as u64,
                request_id: sub_id.to_string(),
            });
            u.not_before = Instant::now() + wait;
            s.queue.push_back(u);
            return;
        }
        failure.finish_error(&mut error, is_read, u.retry_no);
        error.request_id = Some(sub_id.to_string());
        let r = &mut s.results[u.index];
        error.retries = r.retries.len() as u32;
        if !error.message.contains("request id") {
            error
                .message
                .push_str(&format!(" [client-request-id {sub_id}]"));
        }
        r.error = Some(error);
    }
}

/// One sub-request of a sent batch, as reading the answer needs it.
pub(crate) struct SubRequest<'a> {
    /// The sub-request's `id` (a GUID the batch made up).
    pub(crate) id: &'a str,
    pub(crate) cmdlet: &'a str,
    /// The record cap of one page (`response::max_records` of its page size).
    pub(crate) max_records: usize,
    /// It asked for a next page (how a failure is classified).
    pub(crate) page_link: bool,
}

/// What the batch answer says of one sub-request.
#[derive(Debug)]
pub(crate) enum SubOutcome {
    /// A page; `next` is its nextLink, checked against the Exchange origin (a refused link
    /// ends the invocation with that error, the page is kept).
    Page {
        page: response::SuccessPage,
        next: Option<Result<Url, Error>>,
    },
    /// A 2xx answer that is not a page: the invocation's error (it ran; never sent again).
    Refused(Error),
    /// Refused or failed by the service, or missing from the answer: retried or recorded
    /// per the single-call rule (`Failure`).
    Failed {
        failure: Failure,
        error: Error,
        retry_after: Option<Duration>,
    },
}

/// Take a `$batch` answer apart (`{"responses":[{"id","status","headers","body"}]}`, in any
/// order): one outcome per sub-request of `subs`, in their order. A sub-request the answer does
/// not hold (or an answer that does not parse) may have run: `Failure::ConnectionBroken`.
/// `token` (the bearer token sent) is redacted from the service's text.
pub(crate) fn read_answer(
    body: &[u8],
    subs: &[SubRequest<'_>],
    exchange: &BaseUrl,
    token: &str,
) -> Vec<SubOutcome> {
    #[derive(Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        responses: Vec<RawSub<'a>>,
    }
    #[derive(Deserialize)]
    struct RawSub<'a> {
        id: String,
        status: u16,
        #[serde(default)]
        headers: Option<HashMap<String, Value>>,
        #[serde(borrow, default)]
        body: Option<&'a RawValue>,
    }
    let parsed: Option<Raw<'_>> = serde_json::from_slice(body).ok();
    let mut by_id: HashMap<String, RawSub<'_>> = parsed
        .map(|r| r.responses.into_iter().map(|s| (s.id.clone(), s)).collect())
        .unwrap_or_default();
    subs.iter()
        .map(|sr| {
            let Some(sub) = by_id.remove(sr.id) else {
                // No answer for it: it may have run.
                let e = Error::new(
                    ExoResult::Internal,
                    Reason::Internal,
                    format!(
                        "{}: the batch answer had no response for this invocation",
                        sr.cmdlet
                    ),
                );
                return SubOutcome::Failed {
                    failure: Failure::ConnectionBroken,
                    error: e,
                    retry_after: None,
                };
            };
            let header = |name: &str| -> Option<String> {
                sub.headers.as_ref().and_then(|h| {
                    h.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .and_then(|(_, v)| v.as_str().map(str::to_string))
                })
            };
            let sub_body = sub.body.map(|b| b.get().as_bytes()).unwrap_or(b"");
            if (200..300).contains(&sub.status) {
                return match response::parse_success(sub_body, sr.max_records, &[token]) {
                    Ok(mut page) => {
                        let next = page
                            .next_link
                            .take()
                            .map(|link| check_next_link(exchange, &link));
                        SubOutcome::Page { page, next }
                    }
                    Err(mut e) => {
                        e.request_id = Some(sr.id.to_string());
                        SubOutcome::Refused(e)
                    }
                };
            }
            let se = response::parse_error(
                sub.status,
                sub_body,
                header("x-exceptiontype").as_deref(),
                &[token],
            );
            let failure = se.failure(sr.page_link);
            let retry_after = header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            SubOutcome::Failed {
                failure,
                error: se.into_error(sr.cmdlet, sr.page_link),
                retry_after,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_invocations(json: &str) -> Result<Vec<Invocation>, Error> {
        parse_run(json).map(|(inv, _)| inv)
    }

    #[test]
    fn a_run_may_set_its_batch_size() {
        let inv = r#"[{"id":"a","request":{"cmdlet":"Get-Mailbox"}}]"#;
        assert_eq!(parse_run(inv).unwrap().1, MAX_BATCH_SIZE);
        let (v, size) = parse_run(&format!(r#"{{"batchSize":3,"invocations":{inv}}}"#)).unwrap();
        assert_eq!((v.len(), size), (1, 3));
        for bad in [
            format!(r#"{{"batchSize":0,"invocations":{inv}}}"#),
            format!(r#"{{"batchSize":11,"invocations":{inv}}}"#),
            format!(r#"{{"batchSize":"2","invocations":{inv}}}"#),
            r#"{"batchSize":2}"#.to_string(),
            format!(r#"{{"invocations":{inv},"x":1}}"#),
        ] {
            assert_eq!(
                parse_run(&bad).unwrap_err().code,
                ExoResult::InvalidArgument,
                "{bad}"
            );
        }
    }

    #[test]
    fn invocations_are_checked() {
        let ok = parse_invocations(
            r#"[{"id":"a","request":{"cmdlet":"Get-Mailbox"}},{"id":"b","request":{"cmdlet":"Set-Mailbox","parameters":{"Identity":"x"}}}]"#,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].id, "b");
        assert!(!ok[1].request.is_read());
        for bad in [
            "{}",
            "[1]",
            r#"[{"request":{"cmdlet":"Get-Mailbox"}}]"#,
            r#"[{"id":"","request":{"cmdlet":"Get-Mailbox"}}]"#,
            r#"[{"id":"a"}]"#,
            r#"[{"id":"a","request":{"cmdlet":"Get-Mailbox"}},{"id":"a","request":{"cmdlet":"Get-Mailbox"}}]"#,
            r#"[{"id":"a","request":{"cmdlet":"Get Mailbox"}}]"#,
            r#"[{"id":"a","request":{"cmdlet":"Get-Mailbox"},"x":1}]"#,
        ] {
            assert_eq!(
                parse_invocations(bad).unwrap_err().code,
                ExoResult::InvalidArgument,
                "{bad}"
            );
        }
    }

    use crate::exchange::connection::Secrets;
    use crate::options::ConnectionOptions;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// What the fake service does with one sub-request: (status, body) or None to break the
    /// connection after reading the batch (the batch's other sub-requests ran).
    type Script = dyn Fn(&Value, &Value) -> Option<(u16, Value)> + Send + Sync;

    fn read_request(s: &mut TcpStream) -> Option<Vec<u8>> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = s.read(&mut chunk).ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while buf.len() < end + 4 + len {
                    let n = s.read(&mut chunk).ok()?;
                    if n == 0 {
                        return None;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                return Some(buf[end + 4..end + 4 + len].to_vec());
            }
        }
    }

    /// A `$batch` service on loopback; counts batches and the largest one.
    fn fake_service(script: Arc<Script>) -> (u16, Arc<AtomicU32>, Arc<AtomicU32>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let (batches, largest) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        let (b2, l2) = (batches.clone(), largest.clone());
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { return };
                let (script, b2, l2) = (script.clone(), b2.clone(), l2.clone());
                std::thread::spawn(move || {
                    let Some(body) = read_request(&mut s) else {
                        return;
                    };
                    let v: Value = serde_json::from_slice(&body).unwrap();
                    let reqs = v["requests"].as_array().unwrap();
                    b2.fetch_add(1, Ordering::SeqCst);
                    l2.fetch_max(reqs.len() as u32, Ordering::SeqCst);
                    let mut out = Vec::new();
                    for r in reqs {
                        match script(&r["body"]["CmdletInput"], r) {
                            Some((status, body)) => out.push(serde_json::json!({
                                "id": r["id"], "status": status, "headers": {}, "body": body})),
                            None => {
                                let _ = s.shutdown(std::net::Shutdown::Both);
                                return;
                            }
                        }
                    }
                    out.reverse(); // any order
                    let text = serde_json::json!({ "responses": out }).to_string();
                    let _ = s.write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                            text.len()
                        )
                        .as_bytes(),
                    );
                });
            }
        });
        (port, batches, largest)
    }

    fn connect(port: u16, window: u32) -> Arc<Connection> {
        let o = ConnectionOptions::from_json(&format!(
            r#"{{"tenantId":"contoso.onmicrosoft.com","applicationId":"00000000-0000-0000-0000-000000000001",
                "exchangeHost":"http://127.0.0.1:{port}","credential":"AccessToken","maxRetryWaitMs":20,
                "throttleLimit":{window}}}"#
        ))
        .unwrap();
        Connection::connect(
            o,
            Secrets {
                access_token: Some(Secret::new("not-a-jwt".into())),
                ..Default::default()
            },
        )
        .unwrap()
    }

    fn invocations(items: &[(&str, &str)]) -> Vec<Invocation> {
        let json: Vec<Value> = items
            .iter()
            .map(|(cmdlet, identity)| {
                serde_json::json!({"id": format!("{cmdlet}:{identity}"),
                    "request": {"cmdlet": cmdlet, "parameters": {"Identity": identity}}})
            })
            .collect();
        parse_invocations(&Value::Array(json).to_string()).unwrap()
    }

    fn row(identity: &str, n: u32) -> Value {
        serde_json::json!({"value": [{"Identity": identity, "N": n}]})
    }

    #[test]
    fn partial_failure_paging_and_retries_in_later_batches() {
        let throttled = Arc::new(AtomicU32::new(0));
        let t2 = throttled.clone();
        let script: Arc<Script> = Arc::new(move |input, req| {
            let id = input["Parameters"]["Identity"]
                .as_str()
                .unwrap()
                .to_string();
            let url = req["url"].as_str().unwrap();
            Some(match id.as_str() {
                "missing" => (
                    404,
                    serde_json::json!({"error": {"code": "NotFound", "message": "x",
                    "details": [{"message": "NotFound|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'missing' couldn't be found."}]}}),
                ),
                "pages" if !url.contains("skiptoken") => {
                    let mut b = row(&id, 1);
                    b["@odata.nextLink"] = Value::String(format!("{}?$skiptoken=2", url));
                    (200, b)
                }
                "pages" => (200, row(&id, 2)),
                "busy" if t2.fetch_add(1, Ordering::SeqCst) == 0 => (
                    429,
                    serde_json::json!({"error":
                    {"code": "TooManyRequests", "message": "slow down"}}),
                ),
                _ => (200, row(&id, 1)),
            })
        });
        let (port, batches, largest) = fake_service(script);
        let conn = connect(port, 2);
        let mut items: Vec<(&str, &str)> = vec![
            ("Get-Mailbox", "missing"),
            ("Get-Mailbox", "pages"),
            ("Get-Mailbox", "busy"),
        ];
        let names: Vec<String> = (0..20).map(|n| format!("u{n}")).collect();
        for n in &names {
            items.push(("Get-Mailbox", n));
        }
        let batch = Batch::new(conn.clone(), invocations(&items)).unwrap();
        let (results, sent) = batch.run().unwrap();
        assert_eq!(results.len(), 23);
        assert!(largest.load(Ordering::SeqCst) <= 10);
        assert_eq!(sent, batches.load(Ordering::SeqCst));
        assert!(sent >= 4, "{sent}"); // 23 sub-requests, then a next page and a retry
        let e = results[0].error.as_ref().unwrap();
        assert_eq!(e.reason.as_str(), "NotFound");
        assert_eq!(
            e.exception_type.as_deref(),
            Some("ManagementObjectNotFoundException")
        );
        assert!(results[0].pages.is_empty());
        let v: Value = serde_json::from_str(&results[1].to_json()).unwrap();
        assert_eq!(v["value"].as_array().unwrap().len(), 2);
        assert_eq!(v["pages"], 2);
        assert!(results[2].error.is_none());
        assert_eq!(results[2].retries.len(), 1);
        assert_eq!(results[2].retries[0].reason, "Throttled");
        for (r, n) in results[3..].iter().zip(&names) {
            assert_eq!(r.id, format!("Get-Mailbox:{n}"));
            assert!(r.error.is_none());
            assert_eq!(r.pages.len(), 1);
        }
        assert!(conn.window.max_in_flight() <= 2);
    }

    #[test]
    fn a_write_whose_connection_breaks_is_reported_and_never_resent() {
        let writes = Arc::new(AtomicU32::new(0));
        let (w2, broken) = (writes.clone(), Arc::new(AtomicU32::new(0)));
        let script: Arc<Script> = Arc::new(move |input, _| {
            if input["CmdletName"] == "Set-Mailbox" {
                w2.fetch_add(1, Ordering::SeqCst);
            }
            // The first batch breaks after running its sub-requests.
            if input["Parameters"]["Identity"] == "last"
                && broken.fetch_add(1, Ordering::SeqCst) == 0
            {
                return None;
            }
            Some((200, serde_json::json!({"value": []})))
        });
        let (port, _, _) = fake_service(script);
        let conn = connect(port, 1);
        let items = [
            ("Set-Mailbox", "w"),
            ("Get-Mailbox", "r"),
            ("Get-Mailbox", "last"),
        ];
        let (results, _) = Batch::new(conn, invocations(&items))
            .unwrap()
            .run()
            .unwrap();
        let e = results[0].error.as_ref().expect("the write must fail");
        assert_eq!(e.reason.as_str(), "ConnectionBroken");
        assert!(
            e.message.contains("may or may not have been applied"),
            "{}",
            e.message
        );
        assert_eq!(
            writes.load(Ordering::SeqCst),
            1,
            "a write that may have run was sent again"
        );
        assert!(results[1].error.is_none(), "{:?}", results[1].error);
        assert_eq!(results[1].retries[0].reason, "ConnectionBroken");
        assert!(results[2].error.is_none());
    }

    #[test]
    fn cancel_stops_a_run_promptly() {
        let script: Arc<Script> = Arc::new(|_, _| {
            std::thread::sleep(Duration::from_secs(3));
            Some((200, serde_json::json!({"value": []})))
        });
        let (port, _, _) = fake_service(script);
        let conn = connect(port, 1);
        let batch = Batch::new(conn, invocations(&[("Get-Mailbox", "a")])).unwrap();
        let c = batch.cancel_token();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            c.cancel();
        });
        let start = Instant::now();
        assert_eq!(batch.run().unwrap_err().code, ExoResult::Cancelled);
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn an_answer_is_matched_by_id_and_a_missing_response_may_have_run() {
        let exchange =
            crate::endpoint::BaseUrl::parse("https://outlook.office365.com", "x").unwrap();
        let subs: Vec<SubRequest<'_>> = ["a", "b", "c"]
            .iter()
            .map(|id| SubRequest {
                id,
                cmdlet: "Get-Mailbox",
                max_records: 10,
                page_link: false,
            })
            .collect();
        let body = br#"{"responses":[
            {"id":"c","status":429,"headers":{"Retry-After":"7"},"body":{"error":{"code":"TooManyRequests","message":"tok-123456 slow"}}},
            {"id":"a","status":200,"body":{"value":[{"N":1}],"@odata.nextLink":"foo://tok-123456/x"}}]}"#;
        let out = read_answer(body, &subs, &exchange, "tok-123456");
        match &out[0] {
            SubOutcome::Page {
                page,
                next: Some(Err(e)),
            } => {
                assert_eq!(page.records, 1);
                assert_eq!(e.reason, Reason::ForeignNextLink);
                assert!(!e.message.contains("tok-123456"), "{}", e.message);
            }
            o => panic!("{o:?}"),
        }
        match &out[1] {
            SubOutcome::Failed { failure, .. } => assert_eq!(*failure, Failure::ConnectionBroken),
            o => panic!("{o:?}"),
        }
        match &out[2] {
            SubOutcome::Failed {
                failure,
                error,
                retry_after,
            } => {
                assert_eq!(*failure, Failure::Throttled);
                assert_eq!(*retry_after, Some(Duration::from_secs(7)));
                assert!(!error.message.contains("tok-123456"), "{}", error.message);
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn result_json_joins_pages() {
        let r = InvocationResult {
            id: "x".into(),
            pages: vec!["[{\"a\":1}]".into(), "[]".into(), "[{\"a\":2}]".into()],
            warnings: vec!["w".into()],
            retries: vec![],
            error: None,
        };
        let v: Value = serde_json::from_str(&results_json(&[r])).unwrap();
        assert_eq!(v[0]["id"], "x");
        assert_eq!(v[0]["value"].as_array().unwrap().len(), 2);
        assert_eq!(v[0]["pages"], 3);
        assert!(v[0]["error"].is_null());
    }
}
