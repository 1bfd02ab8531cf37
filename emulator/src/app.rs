//! The emulator's shared state: its configuration and everything a handler may read or change
//! (estate, token table, stats, faults). Handlers import this; it imports no handler.

use crate::estate::Estate;
use crate::faults::{FaultConfig, Faults};
use crate::gdap::Relationship;
use crate::response_cache::ResponseCache;
use crate::stats::Stats;
use crate::tokens::IdState;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub tenants: usize,
    pub mailboxes: usize,
    pub seed: u64,
    pub latency_ms: u64,
    /// Up to this much extra latency, uniformly drawn per sleep.
    pub latency_jitter_ms: u64,
    /// How a `$batch` request pays latency.
    pub batch_cost: BatchCost,
    /// Rows per Graph relationships page when the client sends no `$top`.
    pub graph_page_size: usize,
    /// Graph answers 403 (a partner without GDAP roles).
    pub graph_forbidden: bool,
    pub faults: FaultConfig,
    pub token_lifetime: u64,
    pub max_page_size: usize,
    pub next_link_ttl: u64,
    pub device_code_interval: u64,
    pub device_code_lifetime: u64,
    pub threads: usize,
    pub verbose: bool,
    pub ignore_stdin: bool,
    /// `--annotations`: OData type annotations on every row (docs/EMULATOR.md).
    pub annotations: bool,
    /// `--full-rows`: Get-Mailbox rows at the real width (~250 properties).
    pub full_rows: bool,
    /// `--deny-cmdlet A,B`: cmdlets outside the account's roles (HTTP 401, not a token problem).
    pub deny_cmdlets: Vec<String>,
    /// `--response-cache`: keep read pages' rendered value arrays (docs/EMULATOR.md).
    pub response_cache: bool,
}

pub struct App {
    pub cfg: Config,
    pub base_url: String,
    pub estate: Estate,
    pub identity: IdState,
    pub stats: Stats,
    pub faults: Faults,
    pub link_secret: u64,
    /// The partner's GDAP relationships, in Graph's listing order.
    pub gdap: Vec<Relationship>,
    /// Rendered read pages (`--response-cache`; empty and unused without it).
    pub cache: ResponseCache,
}

/// `--batch-cost`: how the service is assumed to schedule a batch's sub-requests
/// (PROTOCOL.md §4 says it is not documented).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchCost {
    /// One latency for the whole batch, then each sub-request's compute.
    Parallel,
    /// One latency per sub-request.
    Serial,
}

/// The configured `--latency-ms` (plus up to `--latency-jitter-ms`), slept inside the worker.
pub fn latency(app: &App) {
    let jitter = match app.cfg.latency_jitter_ms {
        0 => 0,
        j => fastrand::u64(0..=j),
    };
    let ms = app.cfg.latency_ms + jitter;
    if ms > 0 {
        std::thread::sleep(Duration::from_millis(ms));
    }
}
