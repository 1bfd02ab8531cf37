//! `exo_batch`: many cmdlet invocations of one connection through `$batch`.

use crate::abi::boundary::{self, write_out};
use crate::abi::connection::{conn_ref, ExoConnection};
use crate::abi::error::{self, ExoError};
use crate::abi::strings::{borrow_str, to_owned_c};
use crate::cancel::CancelToken;
use crate::error::Error;
use crate::error::ExoResult;
use crate::exchange::batch::{self, parse_run, Batch};
use crate::util::lock;
use std::os::raw::c_char;
use std::sync::{Arc, Mutex};

const MAGIC_LIVE: u64 = 0x4558_4f5f_4241_5443; // "EXO_BATC"
const MAGIC_DEAD: u64 = 0x6465_6164_6261_7463; // "deadbatc"

/// A prepared batch of invocations (opaque). Created by `exo_batch_new`, freed by
/// `exo_batch_free`. Run by one thread at a time, except `exo_batch_cancel`, which any
/// thread may call before the free.
pub struct ExoBatch {
    magic: u64,
    cancel: Arc<CancelToken>,
    batch: Mutex<Batch>,
}

/// # Safety
/// `p` is NULL or a pointer returned by this library.
unsafe fn batch_ref<'a>(p: *const ExoBatch) -> Result<&'a ExoBatch, Error> {
    if p.is_null() {
        return Err(Error::null_parameter("batch"));
    }
    let b = &*p;
    if std::ptr::read_volatile(&b.magic) != MAGIC_LIVE {
        return Err(Error::invalid_handle("batch"));
    }
    Ok(b)
}

/// Prepare invocations for `conn`. `invocations_json`:
/// `[{"id":"<caller's id, unique>","request":{…as for exo_invoke…}}, …]` (at most 10,000), or
/// `{"batchSize":n,"invocations":[…]}` for at most n (1–10) sub-requests per `$batch`.
/// Checks only; nothing is sent until `exo_batch_run`. On success `*out` receives a batch owned
/// by the caller (free with `exo_batch_free`); it keeps the connection alive. Thread-safe for
/// `conn`.
#[no_mangle]
pub extern "C" fn exo_batch_new(
    conn: *const ExoConnection,
    invocations_json: *const c_char,
    out: *mut *mut ExoBatch,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_batch_new", err, || {
        if out.is_null() {
            return Err(Error::null_parameter("out"));
        }
        // SAFETY: NULL or a handle from this library; NUL-terminated string.
        let c = unsafe { conn_ref(conn, "conn") }?;
        let json = unsafe { borrow_str(invocations_json, "invocations_json") }?;
        let (invocations, batch_size) = parse_run(json)?;
        if !c.is_connected() {
            return Err(Error::invalid_handle("connection"));
        }
        let batch = Batch::new(c.clone(), invocations)?.with_batch_size(batch_size);
        let boxed = Box::new(ExoBatch {
            magic: MAGIC_LIVE,
            cancel: batch.cancel_token(),
            batch: Mutex::new(batch),
        });
        write_out(out, Box::into_raw(boxed));
        Ok(())
    })
}

/// Run every invocation to its end: `$batch` requests of at most 10 sub-requests, up to the
/// connection's request window (`throttleLimit`) in flight; next pages and retries of reads go
/// into later batches; a write that may have run is never sent again. `*results_json` (owned
/// by the caller, free with `exo_string_free`) receives
/// `{"results":[{"id","value":[…],"warnings":[…],"retries":[…],"pages":n,"error":{…}|null}],"batches":n}`
/// with one result per invocation in input order; `error` is the error JSON the single-call
/// path would give (`exo_error_json`'s shape). Fails as a whole only when cancelled
/// (`EXO_RESULT_CANCELLED`) or the connection is closed. Blocks. One thread at a time.
#[no_mangle]
pub extern "C" fn exo_batch_run(
    batch: *mut ExoBatch,
    results_json: *mut *mut c_char,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_batch_run", err, || {
        if results_json.is_null() {
            return Err(Error::null_parameter("results_json"));
        }
        // SAFETY: NULL or a handle from this library.
        let b = unsafe { batch_ref(batch) }?;
        let (results, batches) = lock(&b.batch).run()?;
        let json = format!(
            "{{\"results\":{},\"batches\":{batches}}}",
            batch::results_json(&results)
        );
        write_out(results_json, to_owned_c(json));
        Ok(())
    })
}

/// Cancel the batch: an `exo_batch_run` in progress returns `EXO_RESULT_CANCELLED` promptly
/// (requests already sent are abandoned, not undone), and so do later runs. NULL is ignored.
/// Any thread, any time before `exo_batch_free`.
#[no_mangle]
pub extern "C" fn exo_batch_cancel(batch: *mut ExoBatch) {
    boundary::call_or((), || {
        // SAFETY: NULL or a handle from this library.
        if let Ok(b) = unsafe { batch_ref(batch) } {
            b.cancel.cancel();
        }
    })
}

/// Free a batch. NULL is ignored. Must not be called while another thread is in
/// `exo_batch_run`.
#[no_mangle]
pub extern "C" fn exo_batch_free(batch: *mut ExoBatch) {
    boundary::call_or((), || {
        if batch.is_null() {
            return;
        }
        // SAFETY: a pointer from `exo_batch_new`, freed once by contract.
        unsafe {
            if std::ptr::read_volatile(&(*batch).magic) != MAGIC_LIVE {
                return;
            }
            std::ptr::write_volatile(&mut (*batch).magic, MAGIC_DEAD);
            drop(Box::from_raw(batch));
        }
    })
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<ExoBatch>();
}
