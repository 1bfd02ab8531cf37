//! exo-emulator: a local Entra ID v2 token endpoint + Exchange Online admin API (InvokeCommand)
//! for tests, the demo, benchmarks and users' own runbook tests. Contract: docs/EMULATOR.md.
//!
//! Prints one JSON line on stdout, then serves until stdin reaches EOF (or it is killed).

mod cmdlets;
mod estate;
mod exchange;
mod faults;
mod filter;
mod identity;
mod json;
mod rng;
mod server;
mod stats;

use serde_json::json;
use std::io::{Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

const USAGE: &str = "usage: exo-emulator [--listen 127.0.0.1:0] [--tenants 3] [--mailboxes 50] [--seed 1] [--latency-ms 0]
                    [--faults throttle=0.05,transient=0.02,reset=0.01,concurrency=4,expired=0.01[,scope=all|exchange|identity]]
                    [--token-lifetime 3600] [--max-page-size 1000] [--next-link-ttl 1800]
                    [--device-code-interval 1] [--device-code-lifetime 900] [--threads N]
                    [--ignore-stdin] [--verbose]
Prints one JSON line (url, tenants, app credentials, refresh tokens) on stdout, then serves
until stdin reaches EOF (or until killed; with --ignore-stdin only until killed or
POST /_emulator/shutdown). See docs/EMULATOR.md.";

fn fail(msg: &str) -> ! {
    eprintln!("exo-emulator: {}\n{}", msg, USAGE);
    std::process::exit(2);
}

fn num<T: std::str::FromStr>(flag: &str, v: &str, min: T, max: T) -> T
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    match v.trim().parse::<T>() {
        Ok(n) if n >= min && n <= max => n,
        _ => fail(&format!(
            "{} needs a number within {}..={}, got '{}'",
            flag, min, max, v
        )),
    }
}

fn parse_listen(v: &str) -> SocketAddr {
    let addrs: Vec<SocketAddr> = match v.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(_) => fail(&format!("--listen needs host:port, got '{}'", v)),
    };
    let first = match addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
    {
        Some(first) => first,
        _ => fail(&format!("--listen: '{}' resolves to no address", v)),
    };
    if !addrs.iter().all(|a| a.ip().is_loopback()) {
        fail(&format!(
            "--listen: refusing to listen on non-loopback address '{}' (use 127.0.0.1 or ::1)",
            v
        ));
    }
    first
}

fn parse_args() -> server::Config {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let mut c = server::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        tenants: 3,
        mailboxes: 50,
        seed: 1,
        latency_ms: 0,
        faults: faults::FaultConfig::default(),
        token_lifetime: 3600,
        max_page_size: 1000,
        next_link_ttl: 1800,
        device_code_interval: 1,
        device_code_lifetime: 900,
        threads: 0,
        verbose: false,
        ignore_stdin: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut k = 0;
    while k < args.len() {
        let a = &args[k];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        match flag.as_str() {
            "--help" | "-h" => {
                println!("{}", USAGE);
                std::process::exit(0);
            }
            "--verbose" => {
                c.verbose = true;
                k += 1;
                continue;
            }
            "--ignore-stdin" => {
                c.ignore_stdin = true;
                k += 1;
                continue;
            }
            _ => {}
        }
        let value = match inline {
            Some(v) => v,
            None => {
                k += 1;
                match args.get(k) {
                    Some(v) => v.clone(),
                    None => fail(&format!("{} needs a value", flag)),
                }
            }
        };
        match flag.as_str() {
            "--listen" => c.listen = parse_listen(&value),
            "--tenants" => c.tenants = num(&flag, &value, 0usize, 10_000),
            "--mailboxes" => c.mailboxes = num(&flag, &value, 0usize, 5_000_000),
            "--seed" => c.seed = num(&flag, &value, 0u64, u64::MAX),
            "--latency-ms" => c.latency_ms = num(&flag, &value, 0u64, 600_000),
            "--faults" => {
                c.faults = faults::FaultConfig::parse(&value).unwrap_or_else(|e| fail(&e))
            }
            "--token-lifetime" => c.token_lifetime = num(&flag, &value, 1u64, 86_400 * 30),
            "--max-page-size" => c.max_page_size = num(&flag, &value, 1usize, 100_000),
            "--next-link-ttl" => c.next_link_ttl = num(&flag, &value, 1u64, 86_400 * 30),
            "--device-code-interval" => c.device_code_interval = num(&flag, &value, 0u64, 3600),
            "--device-code-lifetime" => c.device_code_lifetime = num(&flag, &value, 1u64, 86_400),
            "--threads" => c.threads = num(&flag, &value, 1usize, 1024),
            other => fail(&format!("unknown argument '{}'", other)),
        }
        k += 1;
    }
    if c.threads == 0 {
        c.threads = (2 * cores).max(4);
        if c.latency_ms > 0 {
            c.threads = c.threads.max(64);
        }
    }
    c
}

fn main() {
    let cfg = parse_args();
    // Page generation allocates many small strings next to ~3 KB records and ~3 MB bodies; glibc's
    // fastbin consolidation then dominates. Tcache alone is faster for this pattern.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_MXFAST, 0);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 * 1024 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024 * 1024);
    }
    let listener = match std::net::TcpListener::bind(cfg.listen) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("exo-emulator: cannot listen on {}: {}", cfg.listen, e);
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().unwrap_or(cfg.listen);
    let base_url = match local {
        SocketAddr::V4(a) => format!("http://{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
    };
    let estate = estate::Estate::new(cfg.seed, cfg.tenants, cfg.mailboxes);
    let identity = identity::IdState::new(&estate);
    let faults = faults::Faults::new(cfg.faults.clone(), cfg.seed);
    let app = Arc::new(server::App {
        cfg: cfg.clone(),
        base_url: base_url.clone(),
        estate,
        identity,
        stats: stats::Stats::new(),
        faults,
        link_secret: fastrand::u64(..),
    });
    server::serve(app.clone(), listener);

    let e = &app.estate;
    let tref = |i: usize| json!({"tenantId": e.tenants[i].id, "domain": e.tenants[i].domain});
    let mut special = serde_json::Map::new();
    for sk in estate::SpecialKind::ALL {
        special.insert(sk.key().to_string(), tref(e.special(sk)));
    }
    let startup = json!({
        "url": base_url,
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
        "exchangeResource": identity::EXCHANGE_HOSTS[0],
        "partnerMailboxes": e.tenants[estate::PARTNER].n_mbx,
        "seed": cfg.seed,
        "threads": cfg.threads,
        "pid": std::process::id(),
    });
    {
        let out = std::io::stdout();
        let mut out = out.lock();
        let _ = writeln!(out, "{}", startup);
        let _ = out.flush();
    }
    if cfg.ignore_stdin {
        loop {
            std::thread::park();
        }
    }
    let mut stdin = std::io::stdin();
    let mut buf = [0u8; 4096];
    loop {
        match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    std::process::exit(0);
}
