//! Seeded fault injection (`--faults throttle=p,transient=p,reset=p,concurrency=N,expired=p`).
//!
//! Every faultable request (token, devicecode, InvokeCommand; never `/_emulator/*`) draws the same
//! fixed number of values from one seeded generator, in arrival order, so a single-threaded client
//! sees the same fault sequence on every run with the same `--seed`.

use crate::rng::SplitMix64;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

#[derive(Clone, Debug, Default)]
pub struct FaultConfig {
    pub throttle: f64,
    pub transient: f64,
    pub reset: f64,
    pub expired: f64,
    pub concurrency: Option<usize>,
    /// Which endpoints get probabilistic faults: "all" (default), "exchange" or "identity".
    pub scope: FaultScope,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum FaultScope {
    #[default]
    All,
    Exchange,
    Identity,
}

impl FaultConfig {
    pub fn parse(s: &str) -> Result<FaultConfig, String> {
        let mut c = FaultConfig::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("--faults: expected key=value, got '{}'", part))?;
            let prob = || -> Result<f64, String> {
                let p: f64 = v
                    .trim()
                    .parse()
                    .map_err(|_| format!("--faults: {} needs a probability, got '{}'", k, v))?;
                if !(0.0..=1.0).contains(&p) {
                    return Err(format!("--faults: {} must be within 0..1, got {}", k, p));
                }
                Ok(p)
            };
            match k.trim() {
                "throttle" => c.throttle = prob()?,
                "transient" => c.transient = prob()?,
                "reset" => c.reset = prob()?,
                "expired" => c.expired = prob()?,
                "scope" => {
                    c.scope = match v.trim() {
                        "all" => FaultScope::All,
                        "exchange" => FaultScope::Exchange,
                        "identity" => FaultScope::Identity,
                        other => return Err(format!("--faults: scope must be all, exchange or identity, got '{}'", other)),
                    }
                }
                "concurrency" => {
                    let n: usize = v
                        .trim()
                        .parse()
                        .map_err(|_| format!("--faults: concurrency needs a count, got '{}'", v))?;
                    if n == 0 {
                        return Err("--faults: concurrency must be at least 1".into());
                    }
                    c.concurrency = Some(n);
                }
                other => {
                    return Err(format!(
                        "--faults: unknown fault kind '{}' (throttle, transient, reset, concurrency, expired, scope)",
                        other
                    ))
                }
            }
        }
        Ok(c)
    }
}

/// The fault decisions for one request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Draw {
    pub throttle: bool,
    pub transient: bool,
    /// For write cmdlets under `transient`: inject the fault after applying the write.
    pub after_write: bool,
    pub reset: bool,
    /// Fraction of the body sent before the connection is dropped.
    pub reset_fraction: f64,
    pub expired: bool,
}

pub struct Faults {
    pub cfg: FaultConfig,
    rng: Mutex<SplitMix64>,
    transient_seq: AtomicUsize,
}

impl Faults {
    pub fn new(cfg: FaultConfig, seed: u64) -> Faults {
        Faults {
            cfg,
            rng: Mutex::new(SplitMix64::new(seed ^ 0xFA_17_5EED)),
            transient_seq: AtomicUsize::new(0),
        }
    }

    /// Draws the fault decisions for one request to an `exchange` (true) or identity endpoint.
    pub fn draw(&self, exchange: bool) -> Draw {
        let mut r = self.rng.lock().unwrap();
        let u: [f64; 6] = [r.unit(), r.unit(), r.unit(), r.unit(), r.unit(), r.unit()];
        drop(r);
        let on = match self.cfg.scope {
            FaultScope::All => true,
            FaultScope::Exchange => exchange,
            FaultScope::Identity => !exchange,
        };
        if !on {
            return Draw {
                after_write: u[2] < 0.5,
                reset_fraction: 0.5,
                ..Draw::default()
            };
        }
        Draw {
            throttle: u[0] < self.cfg.throttle,
            transient: u[1] < self.cfg.transient,
            after_write: u[2] < 0.5,
            reset: u[3] < self.cfg.reset,
            reset_fraction: 0.1 + 0.6 * u[4],
            expired: u[5] < self.cfg.expired,
        }
    }

    /// Transient faults cycle: 0 = 503 ServerBusy, 1 = 500 ADServerSettingsChanged, 2 = 500 ADTransient.
    pub fn next_transient_variant(&self) -> usize {
        self.transient_seq.fetch_add(1, Ordering::Relaxed) % 3
    }
}
