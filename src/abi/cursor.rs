//! `exo_cursor`: run a cmdlet and page through its results.

use crate::abi::boundary::{self, write_out};
use crate::abi::connection::{conn_ref, ExoConnection};
use crate::abi::error::{self, ExoError};
use crate::abi::strings::{borrow_str, to_owned_c};
use crate::cancel::CancelToken;
use crate::error::{Error, ExoResult};
use crate::exchange::cursor::Cursor;
use crate::exchange::request::InvokeRequest;
use crate::util::lock;
use std::os::raw::c_char;
use std::sync::{Arc, Mutex};

const MAGIC_LIVE: u64 = 0x4558_4f5f_4355_5253; // "EXO_CURS"
const MAGIC_DEAD: u64 = 0x6465_6164_6375_7273; // "deadcurs"

/// A running command (opaque). Created by `exo_invoke`, freed by
/// `exo_cursor_free`. Used by one thread at a time, except
/// `exo_cursor_cancel`, which any thread may call before the free.
pub struct ExoCursor {
    magic: u64,
    cancel: Arc<CancelToken>,
    cursor: Mutex<Cursor>,
}

/// # Safety
/// `p` is NULL or a pointer returned by this library.
unsafe fn cursor_ref<'a>(p: *const ExoCursor) -> Result<&'a ExoCursor, Error> {
    if p.is_null() {
        return Err(Error::null_parameter("cursor"));
    }
    let c = &*p;
    if std::ptr::read_volatile(&c.magic) != MAGIC_LIVE {
        return Err(Error::invalid_handle("cursor"));
    }
    Ok(c)
}

/// Prepare a cmdlet run on `conn`. `request_json`:
/// `{"cmdlet":"Get-Mailbox","parameters":{…},"select":["Name"],"pageSize":1000,"anchorMailbox":"…"}`
/// (hashtable parameters are tagged `#Exchange.GenericHashTable`; Get-/Test-
/// cmdlets are reads, the rest writes, never retried blindly). Nothing is
/// sent until the first `exo_cursor_next`. On success `*out` receives a
/// cursor owned by the caller (free with `exo_cursor_free`); it keeps the
/// connection alive. Thread-safe for `conn`.
#[no_mangle]
pub extern "C" fn exo_invoke(
    conn: *const ExoConnection,
    request_json: *const c_char,
    out: *mut *mut ExoCursor,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_invoke", err, || {
        if out.is_null() {
            return Err(Error::null_parameter("out"));
        }
        // SAFETY: NULL or a handle from this library; NUL-terminated string.
        let c = unsafe { conn_ref(conn, "conn") }?;
        let json = unsafe { borrow_str(request_json, "request_json") }?;
        let request = InvokeRequest::from_json(json)?;
        let cursor = Cursor::new(c.clone(), request)?;
        let boxed = Box::new(ExoCursor {
            magic: MAGIC_LIVE,
            cancel: cursor.cancel_token(),
            cursor: Mutex::new(cursor),
        });
        write_out(out, Box::into_raw(boxed));
        Ok(())
    })
}

/// Fetch the next page. `*page_json` (owned by the caller, free with
/// `exo_string_free`) receives
/// `{"value":[…],"warnings":[…],"retries":[{"reason","attempt","waitMs","requestId"}],"requestId":"…","page":1,"more":true}`.
/// Blanks may follow the page (it is built in the response's own block,
/// without a copy). After the last page `more` is false and further calls return an empty
/// page. Errors leave the cursor usable (call again to retry the page),
/// except `EXO_RESULT_PAGE_EXPIRED` and `EXO_RESULT_INSECURE_ENDPOINT` (a
/// page link to another endpoint), which repeat. After `exo_cursor_cancel`:
/// `EXO_RESULT_CANCELLED`. Blocks for the request (and retries). One thread
/// at a time per cursor.
#[no_mangle]
pub extern "C" fn exo_cursor_next(
    cursor: *mut ExoCursor,
    page_json: *mut *mut c_char,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_cursor_next", err, || {
        if page_json.is_null() {
            return Err(Error::null_parameter("page_json"));
        }
        // SAFETY: NULL or a handle from this library.
        let c = unsafe { cursor_ref(cursor) }?;
        let page = lock(&c.cursor).next_page()?;
        write_out(page_json, to_owned_c(page.into_json()));
        Ok(())
    })
}

/// Cancel the cursor: an `exo_cursor_next` in progress on another thread
/// returns `EXO_RESULT_CANCELLED` promptly (a request already sent is
/// abandoned, not undone), and so do later calls. NULL is ignored. Any
/// thread, any time before `exo_cursor_free`.
#[no_mangle]
pub extern "C" fn exo_cursor_cancel(cursor: *mut ExoCursor) {
    boundary::call_or((), || {
        // SAFETY: NULL or a handle from this library.
        if let Ok(c) = unsafe { cursor_ref(cursor) } {
            c.cancel.cancel();
        }
    })
}

/// Free a cursor (cancelling nothing that is still running: call
/// `exo_cursor_cancel` first from another thread if needed). NULL is
/// ignored. Must not be called while another thread is in `exo_cursor_next`.
#[no_mangle]
pub extern "C" fn exo_cursor_free(cursor: *mut ExoCursor) {
    boundary::call_or((), || {
        if cursor.is_null() {
            return;
        }
        // SAFETY: a pointer from `exo_invoke`, freed once by contract.
        unsafe {
            if std::ptr::read_volatile(&(*cursor).magic) != MAGIC_LIVE {
                return;
            }
            std::ptr::write_volatile(&mut (*cursor).magic, MAGIC_DEAD);
            drop(Box::from_raw(cursor));
        }
    })
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<ExoCursor>();
    is::<crate::exchange::connection::Connection>();
    let _ = ExoResult::Ok;
}
