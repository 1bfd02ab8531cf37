//! exo-emulator: a local Entra ID v2 token endpoint + Exchange Online admin API (InvokeCommand)
//! for tests, the demo, benchmarks and users' own runbook tests. Contract: docs/EMULATOR.md.
//!
//! The binary (`main.rs`) is a thin command line over [`start`]; the library's own tests and
//! the exo-bridge tests start it in-process.

mod app;
mod args;
mod batch;
mod catalogue;
mod cmdlets;
mod config_objects;
mod estate;
mod exchange;
mod faults;
mod filter;
mod gdap;
mod generic_cmdlets;
mod graph;
mod http;
mod identity;
mod json;
mod response_cache;
mod rng;
mod routes;
mod stats;
mod tokens;
mod wire;

pub use app::Config;
pub use args::{parse as parse_args, Command, USAGE};

use serde_json::{json, Value};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A running emulator. Dropping it stops accepting connections.
pub struct Emulator {
    /// `http://127.0.0.1:port`
    pub url: String,
    /// The startup line: url, tenants, app credentials, refresh tokens (docs/EMULATOR.md).
    pub startup: Value,
    local: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Emulator {
    /// Stops accepting connections; requests in flight finish.
    pub fn stop(&self) {
        if !self.stop.swap(true, Ordering::SeqCst) {
            // Wake the accept loop so it sees the flag.
            let _ = TcpStream::connect_timeout(&self.local, Duration::from_secs(1));
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binds the listener, builds the estate and starts serving on background threads.
pub fn start(cfg: Config) -> std::io::Result<Emulator> {
    let listener = TcpListener::bind(cfg.listen)?;
    let local = listener.local_addr()?;
    let url = match local {
        SocketAddr::V4(a) => format!("http://{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
    };
    let mut estate = estate::Estate::new(cfg.seed, cfg.tenants, cfg.mailboxes);
    for t in estate.tenants.iter_mut() {
        t.full_width = cfg.full_rows;
    }
    let relationships = gdap::relationships(&estate, cfg.seed);
    let identity = tokens::IdState::new(&estate);
    let faults = faults::Faults::new(cfg.faults.clone(), cfg.seed);
    let app = Arc::new(app::App {
        cfg: cfg.clone(),
        base_url: url.clone(),
        estate,
        identity,
        stats: stats::Stats::new(),
        faults,
        link_secret: fastrand::u64(..),
        gdap: relationships,
        cache: response_cache::ResponseCache::new(cfg.response_cache),
    });
    let stop = Arc::new(AtomicBool::new(false));
    wire::serve(
        Arc::new(routes::Routes(app.clone())),
        app.cfg.threads,
        listener,
        stop.clone(),
    );
    let startup = startup_line(&app);
    Ok(Emulator {
        url,
        startup,
        local,
        stop,
    })
}

fn startup_line(app: &app::App) -> Value {
    let e = &app.estate;
    let cfg = &app.cfg;
    let tref = |i: usize| json!({"tenantId": e.tenants[i].id, "domain": e.tenants[i].domain});
    let mut special = serde_json::Map::new();
    for sk in estate::SpecialKind::ALL {
        special.insert(sk.key().to_string(), tref(e.special(sk)));
    }
    json!({
        "url": app.base_url,
        "partnerTenantId": e.tenants[estate::PARTNER].id,
        "partnerDomain": e.tenants[estate::PARTNER].domain,
        "applicationId": e.apps.application_id,
        "clientSecret": e.apps.client_secret,
        "publicClientId": e.apps.public_client_id,
        "refreshToken": e.refresh_token,
        "customers": e.customers().map(|i| json!({"tenantId": e.tenants[i].id, "domain": e.tenants[i].domain, "mailboxes": e.tenants[i].n_mbx})).collect::<Vec<_>>(),
        "unrelatedTenant": tref(e.unrelated()),
        "publicRefreshToken": e.public_refresh_token,
        "expiredRefreshToken": e.expired_refresh_token,
        "expiredClientSecret": e.apps.expired_client_secret,
        "specialTenants": special,
        "adminUpn": e.admin.upn,
        "exchangeResource": tokens::EXCHANGE_HOSTS[0],
        "graphResource": tokens::GRAPH_HOSTS[0],
        "graphCustomers": gdap::expected_customers(e, &app.gdap),
        "graphPageSize": cfg.graph_page_size,
        "partnerMailboxes": e.tenants[estate::PARTNER].n_mbx,
        "seed": cfg.seed,
        "threads": cfg.threads,
        "pid": std::process::id(),
    })
}
