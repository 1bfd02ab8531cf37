//! `exo_fanout`: one cmdlet over many connections at once, pages streamed back
//! tagged with the connection they came from.

use crate::abi::boundary::{self, write_out};
use crate::abi::connection::{conn_ref, ExoConnection};
use crate::abi::error::{self, ExoError};
use crate::abi::strings::{borrow_str, to_owned_c};
use crate::cancel::CancelToken;
use crate::error::{Error, ExoResult};
use crate::exchange::fanout::{Event, Fanout, DEFAULT_THROTTLE, MAX_CONNECTIONS};
use crate::exchange::request::InvokeRequest;
use crate::util::lock;
use std::os::raw::c_char;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MAGIC_LIVE: u64 = 0x4558_4f5f_4641_4e4f; // "EXO_FANO"
const MAGIC_DEAD: u64 = 0x6465_6164_6661_6e6f; // "deadfano"

/// What `exo_fanout_next` delivered.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExoFanoutEvent {
    /// `*json` is a page of connection `*index` (as `exo_cursor_next`'s; `more:false` on its last).
    Page = 0,
    /// Connection `*index` failed: `*json` is its error (`exo_error_json`'s shape); no more
    /// events come from it.
    Failed = 1,
    /// Every connection has finished or failed; `*json` is NULL.
    Finished = 2,
    /// Nothing arrived within `timeout_ms`; `*json` is NULL. Call again.
    Waiting = 3,
}

/// A running fan-out (opaque). Created by `exo_fanout_new`, freed by `exo_fanout_free`.
/// Used by one thread at a time, except `exo_fanout_cancel`, which any thread may call
/// before the free.
pub struct ExoFanout {
    magic: u64,
    cancel: Arc<CancelToken>,
    fanout: Mutex<Fanout>,
}

/// # Safety
/// `p` is NULL or a pointer returned by this library.
unsafe fn fanout_ref<'a>(p: *const ExoFanout) -> Result<&'a ExoFanout, Error> {
    if p.is_null() {
        return Err(Error::null_parameter("fanout"));
    }
    let f = &*p;
    if std::ptr::read_volatile(&f.magic) != MAGIC_LIVE {
        return Err(Error::invalid_handle("fan-out"));
    }
    Ok(f)
}

/// Run one cmdlet (`request_json` as for `exo_invoke`) on each of `conns[0..count]`,
/// `throttle` connections at once (0 = 16; at most 256), each connection within its own
/// request window. Starts at once: worker threads page through each connection and queue
/// the pages (a few per worker; they wait while the caller does not read). On success `*out`
/// receives a fan-out owned by the caller (free with `exo_fanout_free`); it keeps the
/// connections alive. Thread-safe for the connections.
#[no_mangle]
pub extern "C" fn exo_fanout_new(
    conns: *const *const ExoConnection,
    count: usize,
    request_json: *const c_char,
    throttle: u32,
    out: *mut *mut ExoFanout,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_fanout_new", err, || {
        if out.is_null() {
            return Err(Error::null_parameter("out"));
        }
        if conns.is_null() {
            return Err(Error::null_parameter("conns"));
        }
        if count == 0 || count > MAX_CONNECTIONS {
            return Err(Error::invalid_argument(format!(
                "count must be 1-{MAX_CONNECTIONS} connections"
            )));
        }
        let json = unsafe { borrow_str(request_json, "request_json") }?;
        let request = InvokeRequest::from_json(json)?;
        let mut list = Vec::with_capacity(count);
        for i in 0..count {
            // SAFETY: `conns` points to `count` handle pointers from this library.
            let p = unsafe { *conns.add(i) };
            let c = unsafe { conn_ref(p, "conns[i]") }?;
            list.push(c.clone());
        }
        let throttle = if throttle == 0 {
            DEFAULT_THROTTLE
        } else {
            throttle as usize
        };
        let fanout = Fanout::start(list, request, throttle)?;
        let boxed = Box::new(ExoFanout {
            magic: MAGIC_LIVE,
            cancel: fanout.cancel_token(),
            fanout: Mutex::new(fanout),
        });
        write_out(out, Box::into_raw(boxed));
        Ok(())
    })
}

/// The next event, waiting at most `timeout_ms`: `*event` says which (`ExoFanoutEvent`),
/// `*index` the connection (its position in `conns`), `*json` (owned by the caller, free with
/// `exo_string_free`) the page or the connection's error. A connection's failure is an event,
/// not a failure of this call; the call itself fails only for a bad handle or after
/// `exo_fanout_cancel` (`EXO_RESULT_CANCELLED`). One thread at a time.
#[no_mangle]
pub extern "C" fn exo_fanout_next(
    fanout: *mut ExoFanout,
    timeout_ms: u32,
    event: *mut ExoFanoutEvent,
    index: *mut usize,
    json: *mut *mut c_char,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_fanout_next", err, || {
        if event.is_null() || index.is_null() || json.is_null() {
            return Err(Error::null_parameter("event, index and json"));
        }
        // SAFETY: NULL or a handle from this library.
        let f = unsafe { fanout_ref(fanout) }?;
        let ev = lock(&f.fanout).next(Duration::from_millis(timeout_ms as u64))?;
        let (kind, i, text) = match ev {
            Event::Page { index, page } => (ExoFanoutEvent::Page, index, Some(page.into_json())),
            Event::Failed { index, error } => {
                (ExoFanoutEvent::Failed, index, Some(error.to_json()))
            }
            Event::Finished => (ExoFanoutEvent::Finished, 0, None),
            Event::Waiting => (ExoFanoutEvent::Waiting, 0, None),
        };
        write_out(event, kind);
        write_out(index, i);
        write_out(json, text.map(to_owned_c).unwrap_or(std::ptr::null_mut()));
        Ok(())
    })
}

/// Cancel every connection's work: an `exo_fanout_next` in progress returns
/// `EXO_RESULT_CANCELLED` within its wait, requests in flight are abandoned (not undone).
/// NULL is ignored. Any thread, any time before `exo_fanout_free`.
#[no_mangle]
pub extern "C" fn exo_fanout_cancel(fanout: *mut ExoFanout) {
    boundary::call_or((), || {
        // SAFETY: NULL or a handle from this library.
        if let Ok(f) = unsafe { fanout_ref(fanout) } {
            f.cancel.cancel();
        }
    })
}

/// Free a fan-out (cancelling what still runs). NULL is ignored. Not while another thread
/// is in `exo_fanout_next`.
#[no_mangle]
pub extern "C" fn exo_fanout_free(fanout: *mut ExoFanout) {
    boundary::call_or((), || {
        if fanout.is_null() {
            return;
        }
        // SAFETY: a pointer from `exo_fanout_new`, freed once by contract.
        unsafe {
            if std::ptr::read_volatile(&(*fanout).magic) != MAGIC_LIVE {
                return;
            }
            std::ptr::write_volatile(&mut (*fanout).magic, MAGIC_DEAD);
            drop(Box::from_raw(fanout));
        }
    })
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<ExoFanout>();
}
