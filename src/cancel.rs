//! Cancellation: a flag any thread may set, and waits that end as soon as it is.

use crate::error::Error;
use crate::util::lock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Shared (in an `Arc`) between the thread doing the work and any thread that
/// may cancel it. Also the wake-up channel for that work: a finished HTTP
/// exchange calls `wake`, so waiting threads need not poll.
#[derive(Default)]
pub struct CancelToken {
    cancelled: AtomicBool,
    lock: Mutex<()>,
    cv: Condvar,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancel: every current and future wait on this token ends with `Cancelled`.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.wake();
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// `Err(Cancelled)` once cancelled.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.is_cancelled() {
            Err(Error::cancelled())
        } else {
            Ok(())
        }
    }

    /// Wake every thread waiting on this token (to re-check its condition).
    pub(crate) fn wake(&self) {
        let _g = lock(&self.lock);
        self.cv.notify_all();
    }

    /// Sleep up to `dur`; ends early with `Err(Cancelled)` when cancelled.
    pub(crate) fn sleep(&self, dur: Duration) -> Result<(), Error> {
        let deadline = Instant::now() + dur;
        self.wait_until(deadline, || false)?;
        Ok(())
    }

    /// Wait until `ready()` is true (checked under the token's lock, so a
    /// `wake` after the condition became true is never lost), the deadline
    /// passes (`Ok(false)`), or the token is cancelled (`Err`).
    pub(crate) fn wait_until(
        &self,
        deadline: Instant,
        mut ready: impl FnMut() -> bool,
    ) -> Result<bool, Error> {
        let mut g: MutexGuard<'_, ()> = lock(&self.lock);
        loop {
            self.check()?;
            if ready() {
                return Ok(true);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            g = match self.cv.wait_timeout(g, deadline - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn cancel_ends_a_sleep_promptly() {
        let t = Arc::new(CancelToken::new());
        let t2 = t.clone();
        let h = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            t2.cancel();
        });
        let start = Instant::now();
        assert!(t.sleep(Duration::from_secs(10)).is_err());
        assert!(start.elapsed() < Duration::from_secs(2));
        h.join().unwrap();
    }

    #[test]
    fn sleep_without_cancel_completes() {
        let t = CancelToken::new();
        assert!(t.sleep(Duration::from_millis(10)).is_ok());
    }
}
