//! The per-connection request window: how many requests of one connection may be in flight at
//! once. Every cursor and batch of a connection (any thread, any runspace) takes a slot per
//! request, so concurrent pipelines sharing a connection never overrun the tenant.
//!
//! The size adapts (AIMD, as TCP does): a concurrency refusal or throttling halves it, each
//! request that succeeds grows it by 1/size, up to the configured limit (`throttleLimit`).

use crate::cancel::CancelToken;
use crate::error::Error;
use crate::util::lock;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How often a waiting caller looks at its cancel token (the window's own condition variable
/// wakes it as soon as a slot frees).
const CANCEL_POLL: Duration = Duration::from_millis(20);

pub struct Window {
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    max: u32,
    /// Current size, 1..=max; fractional so that growth is additive per request.
    size: f64,
    in_flight: u32,
    max_in_flight: u32,
}

/// How a request that held a slot ended, for the window's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The service answered normally (success or an ordinary error).
    Answered,
    /// The service refused for load (429, the per-tenant concurrency refusal).
    Refused,
    /// No answer (cancelled, network): says nothing about load.
    Unknown,
}

/// One slot; released on drop (as `Unknown` unless `finish` said otherwise).
pub struct Permit<'a> {
    window: &'a Window,
    outcome: Outcome,
}

impl Permit<'_> {
    pub fn finish(mut self, outcome: Outcome) {
        self.outcome = outcome;
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.window.release(self.outcome);
    }
}

impl Window {
    pub fn new(max: u32) -> Window {
        let max = max.max(1);
        Window {
            state: Mutex::new(State {
                max,
                size: max as f64,
                in_flight: 0,
                max_in_flight: 0,
            }),
            freed: Condvar::new(),
        }
    }

    /// Wait for a slot; `Err(Cancelled)` as soon as `cancel` is cancelled.
    pub fn acquire(&self, cancel: &CancelToken) -> Result<Permit<'_>, Error> {
        let mut s = lock(&self.state);
        loop {
            cancel.check()?;
            if (s.in_flight as f64) < s.size.floor().max(1.0) {
                s.in_flight += 1;
                s.max_in_flight = s.max_in_flight.max(s.in_flight);
                return Ok(Permit {
                    window: self,
                    outcome: Outcome::Unknown,
                });
            }
            s = match self.freed.wait_timeout(s, CANCEL_POLL) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    fn release(&self, outcome: Outcome) {
        let mut s = lock(&self.state);
        s.in_flight = s.in_flight.saturating_sub(1);
        match outcome {
            Outcome::Refused => s.size = (s.size / 2.0).max(1.0),
            Outcome::Answered => s.size = (s.size + 1.0 / s.size).min(s.max as f64),
            Outcome::Unknown => {}
        }
        drop(s);
        self.freed.notify_all();
    }

    /// The configured limit.
    pub fn max(&self) -> u32 {
        lock(&self.state).max
    }

    /// The current size (whole slots).
    pub fn size(&self) -> u32 {
        lock(&self.state).size.floor() as u32
    }

    /// The most requests seen in flight at once.
    pub fn max_in_flight(&self) -> u32 {
        lock(&self.state).max_in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn never_more_than_the_limit_in_flight() {
        let w = Arc::new(Window::new(3));
        let now = Arc::new(AtomicU32::new(0));
        let peak = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (w, now, peak) = (w.clone(), now.clone(), peak.clone());
                std::thread::spawn(move || {
                    let cancel = CancelToken::new();
                    for _ in 0..5 {
                        let p = w.acquire(&cancel).unwrap();
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(2));
                        now.fetch_sub(1, Ordering::SeqCst);
                        p.finish(Outcome::Answered);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        assert_eq!(w.max_in_flight(), 3);
    }

    #[test]
    fn refusals_shrink_and_answers_grow_back() {
        let w = Window::new(4);
        let cancel = CancelToken::new();
        w.acquire(&cancel).unwrap().finish(Outcome::Refused);
        assert_eq!(w.size(), 2);
        w.acquire(&cancel).unwrap().finish(Outcome::Refused);
        w.acquire(&cancel).unwrap().finish(Outcome::Refused);
        assert_eq!(w.size(), 1);
        w.acquire(&cancel).unwrap().finish(Outcome::Unknown);
        assert_eq!(w.size(), 1);
        for _ in 0..20 {
            w.acquire(&cancel).unwrap().finish(Outcome::Answered);
        }
        assert_eq!(w.size(), 4);
        assert_eq!(w.max(), 4);
    }

    #[test]
    fn a_waiter_is_cancellable() {
        let w = Arc::new(Window::new(1));
        let cancel = Arc::new(CancelToken::new());
        let held = w.acquire(&cancel).unwrap();
        let (w2, c2) = (w.clone(), cancel.clone());
        let t = std::thread::spawn(move || {
            let start = Instant::now();
            let r = w2.acquire(&c2).map(|_| ());
            (r, start.elapsed())
        });
        std::thread::sleep(Duration::from_millis(50));
        cancel.cancel();
        let (r, waited) = t.join().unwrap();
        assert!(r.is_err());
        assert!(waited < Duration::from_secs(1));
        drop(held);
    }
}
