//! Counters served at `GET /_emulator/stats` (shape documented in docs/EMULATOR.md).

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

pub const ENDPOINTS: &[&str] = &[
    "token",
    "devicecode",
    "invokeCommand",
    "batch",
    "graph",
    "control",
    "other",
];
/// Endpoints that draw faults (a batch's sub-requests count under invokeCommand).
const FAULT_ENDPOINTS: &[&str] = &["token", "devicecode", "invokeCommand", "graph"];
pub const FAULT_KINDS: &[&str] = &["throttle", "concurrency", "transient", "reset", "expired"];
pub const GRANTS: &[&str] = &["refresh_token", "client_credentials", "device_code"];
const WRITE_LOG_CAP: usize = 10_000;

type Counter = BTreeMap<String, u64>;

fn bump(m: &mut Counter, k: &str, n: u64) {
    if let Some(v) = m.get_mut(k) {
        *v += n;
    } else {
        m.insert(k.to_string(), n);
    }
}

fn zeroed(keys: &[&str]) -> Counter {
    keys.iter().map(|k| (k.to_string(), 0)).collect()
}

#[derive(Default)]
struct Inner {
    req_total: u64,
    req_endpoint: Counter,
    req_cmdlet: Counter,
    req_tenant: Counter,
    req_status: Counter,
    bytes_total: u64,
    bytes_endpoint: Counter,
    busy_us: Counter,
    compute_us: Counter,
    records_total: u64,
    records_cmdlet: Counter,
    pages: u64,
    links_issued: u64,
    links_followed: u64,
    links_expired: u64,
    links_invalid: u64,
    body_mismatch: u64,
    cmdlet_errors: Counter,
    faults_total: u64,
    faults_kind: Counter,
    faults_endpoint: Counter,
    faults_tenant: Counter,
    transient_after_write: u64,
    reset_after_write: u64,
    tokens_total: u64,
    tokens_grant: Counter,
    tokens_tenant: Counter,
    tokens_client: Counter,
    token_errors: u64,
    token_errors_code: Counter,
    unauthorized: u64,
    unauthorized_reason: Counter,
    forbidden: u64,
    tenant_mismatch: u64,
    anchor_present: u64,
    anchor_mismatch: u64,
    writes_applied: u64,
    writes_cmdlet: Counter,
    writes_tenant: Counter,
    writes_fp: Counter,
    writes_whatif: u64,
    writes_whatif_cmdlet: Counter,
    writes_noop: u64,
    write_log: Vec<Value>,
    inflight: u64,
    max_inflight: u64,
    max_inflight_tenant: Counter,
    revocations: u64,
    batch_requests: u64,
    batch_subs: u64,
    batch_sub_status: Counter,
    batch_refused: u64,
    batch_not_executed: u64,
    batch_largest: u64,
    graph_pages: u64,
    graph_rows: u64,
    graph_links_followed: u64,
    graph_tenant_lookups: u64,
    graph_errors: Counter,
    gzip_responses: u64,
    gzip_before: u64,
    gzip_after: u64,
}

pub struct Stats {
    start: Instant,
    inner: Mutex<(Instant, Inner)>,
}

fn fresh() -> Inner {
    Inner {
        req_endpoint: zeroed(ENDPOINTS),
        bytes_endpoint: zeroed(ENDPOINTS),
        busy_us: zeroed(ENDPOINTS),
        compute_us: zeroed(ENDPOINTS),
        faults_kind: zeroed(FAULT_KINDS),
        faults_endpoint: zeroed(FAULT_ENDPOINTS),
        tokens_grant: zeroed(GRANTS),
        ..Default::default()
    }
}

impl Stats {
    pub fn new() -> Stats {
        let now = Instant::now();
        Stats {
            start: now,
            inner: Mutex::new((now, fresh())),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut g = self.inner.lock().unwrap();
        f(&mut g.1)
    }

    pub fn reset(&self) {
        let mut g = self.inner.lock().unwrap();
        let (inflight, revs) = (g.1.inflight, g.1.revocations);
        *g = (Instant::now(), fresh());
        g.1.inflight = inflight;
        g.1.revocations = revs;
    }

    pub fn request(&self, endpoint: &str, tenant: Option<&str>) {
        self.with(|s| {
            s.req_total += 1;
            bump(&mut s.req_endpoint, endpoint, 1);
            if let Some(t) = tenant {
                bump(&mut s.req_tenant, t, 1);
            }
        })
    }

    /// Wall time a worker spent on one request (including --latency-ms), in microseconds.
    pub fn busy(&self, endpoint: &str, micros: u64, compute_micros: u64) {
        self.with(|s| {
            bump(&mut s.busy_us, endpoint, micros);
            bump(&mut s.compute_us, endpoint, compute_micros);
        })
    }

    pub fn response(&self, endpoint: &str, status: u16, bytes: u64) {
        self.with(|s| {
            bump(&mut s.req_status, &status.to_string(), 1);
            s.bytes_total += bytes;
            bump(&mut s.bytes_endpoint, endpoint, bytes);
        })
    }

    pub fn cmdlet(&self, name: &str) {
        self.with(|s| bump(&mut s.req_cmdlet, name, 1))
    }

    pub fn cmdlet_error(&self, exception: &str) {
        self.with(|s| bump(&mut s.cmdlet_errors, exception, 1))
    }

    pub fn page(&self, cmdlet: &str, records: u64, issued_link: bool, followed_link: bool) {
        self.with(|s| {
            s.pages += 1;
            s.records_total += records;
            bump(&mut s.records_cmdlet, cmdlet, records);
            if issued_link {
                s.links_issued += 1;
            }
            if followed_link {
                s.links_followed += 1;
            }
        })
    }

    pub fn link_problem(&self, kind: &str) {
        self.with(|s| match kind {
            "expired" => s.links_expired += 1,
            "bodyMismatch" => s.body_mismatch += 1,
            _ => s.links_invalid += 1,
        })
    }

    pub fn fault(&self, kind: &str, endpoint: &str, tenant: Option<&str>) {
        self.with(|s| {
            s.faults_total += 1;
            bump(&mut s.faults_kind, kind, 1);
            bump(&mut s.faults_endpoint, endpoint, 1);
            if let Some(t) = tenant {
                bump(&mut s.faults_tenant, t, 1);
            }
        })
    }

    pub fn fault_after_write(&self, kind: &str) {
        self.with(|s| {
            if kind == "reset" {
                s.reset_after_write += 1
            } else {
                s.transient_after_write += 1
            }
        })
    }

    pub fn token_issued(&self, grant: &str, tenant: &str, client: &str) {
        self.with(|s| {
            s.tokens_total += 1;
            bump(&mut s.tokens_grant, grant, 1);
            bump(&mut s.tokens_tenant, tenant, 1);
            bump(&mut s.tokens_client, client, 1);
        })
    }

    pub fn token_error(&self, error: &str, code: Option<u32>) {
        self.with(|s| {
            s.token_errors += 1;
            let key = match code {
                Some(c) => c.to_string(),
                None => error.to_string(),
            };
            bump(&mut s.token_errors_code, &key, 1);
        })
    }

    pub fn unauthorized(&self, reason: &str) {
        self.with(|s| {
            s.unauthorized += 1;
            bump(&mut s.unauthorized_reason, reason, 1);
        })
    }

    pub fn tenant_mismatch(&self) {
        self.with(|s| {
            s.forbidden += 1;
            s.tenant_mismatch += 1;
        })
    }

    pub fn anchor(&self, mismatch: bool) {
        self.with(|s| {
            s.anchor_present += 1;
            if mismatch {
                s.anchor_mismatch += 1;
            }
        })
    }

    pub fn revoked(&self) {
        self.with(|s| s.revocations += 1)
    }

    pub fn write_applied(&self, cmdlet: &str, tenant: &str, fingerprint: &str, identity: &str) {
        let at = self.start.elapsed().as_millis() as u64;
        self.with(|s| {
            s.writes_applied += 1;
            bump(&mut s.writes_cmdlet, cmdlet, 1);
            bump(&mut s.writes_tenant, tenant, 1);
            bump(&mut s.writes_fp, fingerprint, 1);
            if s.write_log.len() < WRITE_LOG_CAP {
                s.write_log
                    .push(json!({"fingerprint": fingerprint, "tenant": tenant, "cmdlet": cmdlet, "identity": identity, "atMs": at}));
            }
        })
    }

    /// A write validated under -WhatIf (nothing applied).
    pub fn write_whatif(&self, cmdlet: &str) {
        self.with(|s| {
            s.writes_whatif += 1;
            bump(&mut s.writes_whatif_cmdlet, cmdlet, 1);
        })
    }

    /// A write that changed nothing (Exchange's "no settings … modified" warning).
    pub fn write_noop(&self) {
        self.with(|s| s.writes_noop += 1)
    }

    /// Call with the tenant's in-flight count after it was incremented.
    pub fn enter(&self, tenant: &str, tenant_inflight: usize) {
        self.with(|s| {
            s.inflight += 1;
            s.max_inflight = s.max_inflight.max(s.inflight);
            let e = s.max_inflight_tenant.entry(tenant.to_string()).or_insert(0);
            *e = (*e).max(tenant_inflight as u64);
        })
    }

    pub fn leave(&self) {
        self.with(|s| s.inflight = s.inflight.saturating_sub(1))
    }

    /// A `$batch` request arrived (counted before its checks).
    pub fn batch_request(&self) {
        self.with(|s| s.batch_requests += 1)
    }

    /// A batch refused as a whole (400: shape, size, foreign tenant).
    pub fn batch_refused(&self) {
        self.with(|s| s.batch_refused += 1)
    }

    /// A batch accepted with `n` sub-requests.
    pub fn batch_accepted(&self, n: usize) {
        self.with(|s| s.batch_largest = s.batch_largest.max(n as u64))
    }

    /// One sub-request answered (`executed` false: skipped with 424 after an earlier failure).
    pub fn batch_sub(&self, status: u16, executed: bool) {
        self.with(|s| {
            s.batch_subs += 1;
            bump(&mut s.batch_sub_status, &status.to_string(), 1);
            if !executed {
                s.batch_not_executed += 1;
            }
        })
    }

    /// A Graph relationships page with `rows` rows (`followed`: reached through a nextLink).
    pub fn graph_page(&self, rows: u64, followed: bool) {
        self.with(|s| {
            s.graph_pages += 1;
            s.graph_rows += rows;
            if followed {
                s.graph_links_followed += 1;
            }
        })
    }

    pub fn graph_tenant_lookup(&self) {
        self.with(|s| s.graph_tenant_lookups += 1)
    }

    pub fn graph_error(&self, code: &str) {
        self.with(|s| bump(&mut s.graph_errors, code, 1))
    }

    /// A response body gzip-compressed from `before` to `after` bytes.
    pub fn gzipped(&self, before: u64, after: u64) {
        self.with(|s| {
            s.gzip_responses += 1;
            s.gzip_before += before;
            s.gzip_after += after;
        })
    }

    pub fn to_json(&self) -> Value {
        let g = self.inner.lock().unwrap();
        let (since, s) = (&g.0, &g.1);
        let uptime = self.start.elapsed().as_millis() as u64;
        let since_ms = since.elapsed().as_millis() as u64;
        let secs = (since.elapsed().as_secs_f64()).max(1e-9);
        let m = |c: &Counter| {
            Value::Object(
                c.iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect::<Map<_, _>>(),
            )
        };
        let dups: Vec<&String> = s
            .writes_fp
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(k, _)| k)
            .collect();
        json!({
            "uptimeMs": uptime,
            "sinceResetMs": since_ms,
            "requests": {
                "total": s.req_total,
                "byEndpoint": m(&s.req_endpoint),
                "byCmdlet": m(&s.req_cmdlet),
                "byTenant": m(&s.req_tenant),
                "byStatus": m(&s.req_status),
            },
            "bytesSent": { "total": s.bytes_total, "byEndpoint": m(&s.bytes_endpoint) },
            "busyMs": {
                "total": s.busy_us.values().sum::<u64>() / 1000,
                "byEndpoint": Value::Object(s.busy_us.iter().map(|(k, v)| (k.clone(), json!(v / 1000))).collect::<Map<_, _>>()),
            },
            "computeMs": {
                "total": s.compute_us.values().sum::<u64>() / 1000,
                "byEndpoint": Value::Object(s.compute_us.iter().map(|(k, v)| (k.clone(), json!(v / 1000))).collect::<Map<_, _>>()),
            },
            "records": { "total": s.records_total, "byCmdlet": m(&s.records_cmdlet) },
            "pages": {
                "served": s.pages,
                "nextLinksIssued": s.links_issued,
                "nextLinksFollowed": s.links_followed,
                "expiredLinks": s.links_expired,
                "invalidLinks": s.links_invalid,
                "bodyMismatch": s.body_mismatch,
            },
            "cmdletErrors": m(&s.cmdlet_errors),
            "faults": {
                "total": s.faults_total,
                "byKind": m(&s.faults_kind),
                "byEndpoint": m(&s.faults_endpoint),
                "byTenant": m(&s.faults_tenant),
                "transientAfterWrite": s.transient_after_write,
                "resetAfterWrite": s.reset_after_write,
            },
            "tokens": {
                "issued": s.tokens_total,
                "byGrant": m(&s.tokens_grant),
                "byTenant": m(&s.tokens_tenant),
                "byClient": m(&s.tokens_client),
                "errors": s.token_errors,
                "errorsByCode": m(&s.token_errors_code),
                "revocations": s.revocations,
            },
            "auth": {
                "unauthorized": s.unauthorized,
                "unauthorizedByReason": m(&s.unauthorized_reason),
                "forbidden": s.forbidden,
                "anchorMailboxPresent": s.anchor_present,
                "anchorMailboxMismatch": s.anchor_mismatch,
            },
            "tokenTenantMismatch": s.tenant_mismatch,
            "writes": {
                "applied": s.writes_applied,
                "byCmdlet": m(&s.writes_cmdlet),
                "byTenant": m(&s.writes_tenant),
                "fingerprints": m(&s.writes_fp),
                "duplicates": dups.len(),
                "duplicateFingerprints": dups,
                "whatIf": s.writes_whatif,
                "whatIfByCmdlet": m(&s.writes_whatif_cmdlet),
                "noop": s.writes_noop,
                "log": s.write_log,
            },
            "concurrency": {
                "inFlight": s.inflight,
                "maxInFlight": s.max_inflight,
                "maxInFlightByTenant": m(&s.max_inflight_tenant),
            },
            "batch": {
                "requests": s.batch_requests,
                "subRequests": s.batch_subs,
                "subRequestsByStatus": m(&s.batch_sub_status),
                "refused": s.batch_refused,
                "notExecuted": s.batch_not_executed,
                "largest": s.batch_largest,
            },
            "graph": {
                "relationshipPages": s.graph_pages,
                "relationships": s.graph_rows,
                "nextLinksFollowed": s.graph_links_followed,
                "tenantLookups": s.graph_tenant_lookups,
                "errorsByCode": m(&s.graph_errors),
            },
            "compression": {
                "gzipResponses": s.gzip_responses,
                "bytesBefore": s.gzip_before,
                "bytesAfter": s.gzip_after,
            },
            "rate": {
                "requestsPerSec": s.req_total as f64 / secs,
                "recordsPerSec": s.records_total as f64 / secs,
                "bytesPerSec": s.bytes_total as f64 / secs,
            },
        })
    }
}
