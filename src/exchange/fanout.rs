//! One command over many connections at once (the all-customers job): worker
//! threads each take the next connection, page through the command there with
//! an ordinary cursor, and hand every page, tagged with the connection's index,
//! to a bounded channel, so the caller streams them as they come while a slow
//! reader holds the workers back. A connection that fails reports its error and
//! the others go on. One cancel token stops every worker promptly.

use crate::cancel::CancelToken;
use crate::error::{Error, ExoResult};
use crate::exchange::connection::Connection;
use crate::exchange::cursor::{Cursor, Page};
use crate::exchange::request::InvokeRequest;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::Duration;

/// Connections worked on at once, unless the caller says otherwise.
pub(crate) const DEFAULT_THROTTLE: usize = 16;
/// The most a caller may ask for.
pub(crate) const MAX_THROTTLE: usize = 256;
/// The most connections one fan-out takes.
pub(crate) const MAX_CONNECTIONS: usize = 100_000;

/// What the caller receives next.
#[derive(Debug)]
pub enum Event {
    /// A page of connection `index`; its last page has `more == false`.
    Page { index: usize, page: Page },
    /// Connection `index` failed; no more events come from it.
    Failed { index: usize, error: Error },
    /// Every connection has finished or failed.
    Finished,
    /// Nothing arrived within the wait.
    Waiting,
}

/// A running fan-out. Used by one thread at a time; `cancel_token()` from any.
pub struct Fanout {
    rx: Receiver<Event>,
    cancel: Arc<CancelToken>,
    /// Connections not yet finished or failed.
    open: usize,
}

impl Fanout {
    /// Check the request against every connection and start the workers.
    pub fn start(
        conns: Vec<Arc<Connection>>,
        req: InvokeRequest,
        throttle: usize,
    ) -> Result<Fanout, Error> {
        if conns.is_empty() {
            return Err(Error::invalid_argument(
                "a fan-out needs at least one connection",
            ));
        }
        if conns.len() > MAX_CONNECTIONS {
            return Err(Error::invalid_argument(format!(
                "a fan-out takes at most {MAX_CONNECTIONS} connections"
            )));
        }
        if throttle == 0 || throttle > MAX_THROTTLE {
            return Err(Error::invalid_argument(format!(
                "the throttle limit must be 1-{MAX_THROTTLE} connections at once"
            )));
        }
        let cancel = Arc::new(CancelToken::new());
        // Cursors are made up front; one that cannot be (a closed connection) is that
        // connection's failure. Each cursor keeps its own retry rules (writes never resent).
        let mut cursors = Vec::with_capacity(conns.len());
        for (i, c) in conns.into_iter().enumerate() {
            let cursor = Cursor::with_cancel(c, req.clone(), cancel.clone());
            cursors.push((i, cursor));
        }
        let n = cursors.len();
        let workers = throttle.min(n);
        // Two pages per worker in flight at most: memory stays bounded whatever the count.
        let (tx, rx) = sync_channel::<Event>(workers * 2);
        let queue = Arc::new(std::sync::Mutex::new(cursors.into_iter()));
        for _ in 0..workers {
            let (tx, queue, stop) = (tx.clone(), queue.clone(), cancel.clone());
            let spawned = std::thread::Builder::new()
                .name("exo-fanout".into())
                .spawn(move || work(tx, queue, stop));
            if spawned.is_err() {
                cancel.cancel();
                return Err(Error::internal("could not start a fan-out worker thread"));
            }
        }
        Ok(Fanout {
            rx,
            cancel,
            open: n,
        })
    }

    pub fn cancel_token(&self) -> Arc<CancelToken> {
        self.cancel.clone()
    }

    /// The next event, waiting at most `wait`. `Cancelled` once cancelled.
    pub fn next(&mut self, wait: Duration) -> Result<Event, Error> {
        self.cancel.check()?;
        if self.open == 0 {
            return Ok(Event::Finished);
        }
        let ev = match self.rx.recv_timeout(wait) {
            Ok(ev) => ev,
            Err(RecvTimeoutError::Timeout) => return Ok(Event::Waiting),
            // Every worker ended without finishing its connections: only after a cancel.
            Err(RecvTimeoutError::Disconnected) => {
                self.cancel.check()?;
                return Err(Error::internal("the fan-out workers ended early"));
            }
        };
        self.cancel.check()?;
        match &ev {
            Event::Page { page, .. } if !page.more => self.open -= 1,
            Event::Failed { .. } => self.open -= 1,
            _ => {}
        }
        Ok(ev)
    }
}

impl Drop for Fanout {
    /// Workers blocked on a full channel see it closed; those in a request see the cancel.
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

type Queue = Arc<std::sync::Mutex<std::vec::IntoIter<(usize, Result<Cursor, Error>)>>>;

fn work(tx: SyncSender<Event>, queue: Queue, cancel: Arc<CancelToken>) {
    loop {
        if cancel.is_cancelled() {
            return;
        }
        let next = crate::util::lock(&queue).next();
        let Some((index, cursor)) = next else { return };
        let mut cursor = match cursor {
            Ok(c) => c,
            Err(error) => {
                if tx.send(Event::Failed { index, error }).is_err() {
                    return;
                }
                continue;
            }
        };
        loop {
            match cursor.next_page() {
                Ok(page) => {
                    let last = !page.more;
                    if tx.send(Event::Page { index, page }).is_err() {
                        return;
                    }
                    if last {
                        break;
                    }
                }
                Err(e) if e.code == ExoResult::Cancelled => return,
                Err(error) => {
                    if tx.send(Event::Failed { index, error }).is_err() {
                        return;
                    }
                    break;
                }
            }
        }
    }
}
