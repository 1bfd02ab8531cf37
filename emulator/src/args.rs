//! The command line: `exo-emulator [--flag value]...` into a `Config`. Errors are returned, never
//! printed here, so the in-process start used by tests can report them too.

use crate::app::{BatchCost, Config};
use crate::faults;
use std::net::{SocketAddr, ToSocketAddrs};

pub const USAGE: &str = "usage: exo-emulator [--listen 127.0.0.1:0] [--tenants 3] [--mailboxes 50] [--seed 1] [--latency-ms 0]
                    [--latency-jitter-ms 0] [--batch-cost parallel|serial]
                    [--graph-page-size 3] [--graph-forbidden]
                    [--faults throttle=0.05,transient=0.02,reset=0.01,concurrency=4,expired=0.01[,scope=all|exchange|identity]]
                    [--token-lifetime 3600] [--max-page-size 1000] [--next-link-ttl 1800]
                    [--device-code-interval 1] [--device-code-lifetime 900] [--threads N]
                    [--annotations[=on|off]] [--full-rows] [--deny-cmdlet Get-Mailbox[,Set-Mailbox...]]
                    [--response-cache[=on|off]] [--ignore-stdin] [--verbose]
Prints one JSON line (url, tenants, app credentials, refresh tokens) on stdout, then serves
until stdin reaches EOF (or until killed; with --ignore-stdin only until killed or
POST /_emulator/shutdown). See docs/EMULATOR.md.";

/// What the command line asks for.
pub enum Command {
    Help,
    Run(Config),
}

fn num<T>(flag: &str, v: &str, min: T, max: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match v.trim().parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(format!(
            "{} needs a number within {}..={}, got '{}'",
            flag, min, max, v
        )),
    }
}

fn parse_listen(v: &str) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = match v.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(_) => return Err(format!("--listen needs host:port, got '{}'", v)),
    };
    let first = addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| format!("--listen: '{}' resolves to no address", v))?;
    if !addrs.iter().all(|a| a.ip().is_loopback()) {
        return Err(format!(
            "--listen: refusing to listen on non-loopback address '{}' (use 127.0.0.1 or ::1)",
            v
        ));
    }
    Ok(first)
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tenants: 3,
            mailboxes: 50,
            seed: 1,
            latency_ms: 0,
            latency_jitter_ms: 0,
            batch_cost: BatchCost::Parallel,
            graph_page_size: 3,
            graph_forbidden: false,
            faults: faults::FaultConfig::default(),
            token_lifetime: 3600,
            max_page_size: 1000,
            next_link_ttl: 1800,
            device_code_interval: 1,
            device_code_lifetime: 900,
            threads: 0,
            verbose: false,
            ignore_stdin: false,
            annotations: true,
            full_rows: false,
            deny_cmdlets: vec![],
            response_cache: false,
        }
    }
}

/// Parses the arguments (without the program name).
pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Command, String> {
    let mut c = Config::default();
    let mut k = 0;
    while k < args.len() {
        let a = args[k].as_ref();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.to_string(), None),
        };
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--verbose" => {
                c.verbose = true;
                k += 1;
                continue;
            }
            "--graph-forbidden" => {
                c.graph_forbidden = true;
                k += 1;
                continue;
            }
            "--ignore-stdin" => {
                c.ignore_stdin = true;
                k += 1;
                continue;
            }
            "--response-cache" if inline.is_none() => {
                c.response_cache = true;
                k += 1;
                continue;
            }
            "--full-rows" => {
                c.full_rows = true;
                k += 1;
                continue;
            }
            "--annotations" if inline.is_none() => {
                c.annotations = true;
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
                    Some(v) => v.as_ref().to_string(),
                    None => return Err(format!("{} needs a value", flag)),
                }
            }
        };
        match flag.as_str() {
            "--listen" => c.listen = parse_listen(&value)?,
            "--tenants" => c.tenants = num(&flag, &value, 0usize, 10_000)?,
            "--mailboxes" => c.mailboxes = num(&flag, &value, 0usize, 5_000_000)?,
            "--seed" => c.seed = num(&flag, &value, 0u64, u64::MAX)?,
            "--latency-ms" => c.latency_ms = num(&flag, &value, 0u64, 600_000)?,
            "--graph-page-size" => c.graph_page_size = num(&flag, &value, 1usize, 300)?,
            "--latency-jitter-ms" => c.latency_jitter_ms = num(&flag, &value, 0u64, 600_000)?,
            "--batch-cost" => {
                c.batch_cost = match value.trim().to_ascii_lowercase().as_str() {
                    "parallel" => BatchCost::Parallel,
                    "serial" => BatchCost::Serial,
                    _ => {
                        return Err(format!(
                            "--batch-cost needs 'parallel' or 'serial', got '{}'",
                            value
                        ))
                    }
                }
            }
            "--faults" => c.faults = faults::FaultConfig::parse(&value)?,
            "--token-lifetime" => c.token_lifetime = num(&flag, &value, 1u64, 86_400 * 30)?,
            "--max-page-size" => c.max_page_size = num(&flag, &value, 1usize, 100_000)?,
            "--next-link-ttl" => c.next_link_ttl = num(&flag, &value, 1u64, 86_400 * 30)?,
            "--device-code-interval" => c.device_code_interval = num(&flag, &value, 0u64, 3600)?,
            "--device-code-lifetime" => c.device_code_lifetime = num(&flag, &value, 1u64, 86_400)?,
            "--threads" => c.threads = num(&flag, &value, 1usize, 1024)?,
            "--annotations" => {
                c.annotations = match value.as_str() {
                    "on" | "true" | "1" => true,
                    "off" | "false" | "0" => false,
                    _ => return Err(format!("--annotations takes on or off, got '{}'", value)),
                }
            }
            "--response-cache" => {
                c.response_cache = match value.as_str() {
                    "on" | "true" | "1" => true,
                    "off" | "false" | "0" => false,
                    _ => return Err(format!("--response-cache takes on or off, got '{}'", value)),
                }
            }
            "--deny-cmdlet" => {
                for name in value.split(',').map(|x| x.trim()).filter(|x| !x.is_empty()) {
                    if !name.contains('-') || name.len() > 64 {
                        return Err(format!(
                            "--deny-cmdlet needs cmdlet names like Get-Mailbox, got '{}'",
                            name
                        ));
                    }
                    c.deny_cmdlets.push(name.to_string());
                }
            }
            other => return Err(format!("unknown argument '{}'", other)),
        }
        k += 1;
    }
    if c.threads == 0 {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        c.threads = (2 * cores).max(4);
        if c.latency_ms + c.latency_jitter_ms > 0 {
            c.threads = c.threads.max(64);
        }
    }
    Ok(Command::Run(c))
}
