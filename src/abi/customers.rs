//! `exo_customers`: the partner's GDAP customers from Microsoft Graph, as one JSON answer.

use crate::abi::boundary::{self, write_out};
use crate::abi::error::{self, ExoError};
use crate::abi::strings::{borrow_str, secret_from_utf16, to_owned_c};
use crate::cancel::CancelToken;
use crate::error::{Error, ExoResult};
use crate::graph::client::GraphClient;
use crate::graph::customers;
use crate::graph::options::GraphOptions;
use std::os::raw::c_char;
use std::sync::Arc;

const MAGIC_LIVE: u64 = 0x4558_4f5f_4355_5354; // "EXO_CUST"
const MAGIC_DEAD: u64 = 0x6465_6164_6375_7374; // "deadcust"

/// A prepared customer listing (opaque). Created by `exo_customers_new`, freed by
/// `exo_customers_free`. Run by one thread at a time, except `exo_customers_cancel`,
/// which any thread may call before the free.
pub struct ExoCustomers {
    magic: u64,
    cancel: Arc<CancelToken>,
    client: GraphClient,
}

/// # Safety
/// `p` is NULL or a pointer returned by this library.
unsafe fn customers_ref<'a>(p: *const ExoCustomers) -> Result<&'a ExoCustomers, Error> {
    if p.is_null() {
        return Err(Error::null_parameter("customers"));
    }
    let c = &*p;
    if std::ptr::read_volatile(&c.magic) != MAGIC_LIVE {
        return Err(Error::invalid_handle("customer listing"));
    }
    Ok(c)
}

/// Prepare a listing of the partner's customers. `options_json`: `applicationId` (required),
/// `environment`, `authorityHost`, `graphHost` (default: the cloud's Graph; `http://` only to
/// loopback), `tenantId` (the partner tenant; default `organizations`), `includeInactive`,
/// `connectTimeoutMs`, `readTimeoutMs`, `maxRetries`, `maxRetryWaitMs`, `clientApplication`.
/// `refresh_token` (required) and `client_secret` (confidential applications) as for
/// `exo_connect`. Sends nothing. On success `*out` receives a listing owned by the caller
/// (free with `exo_customers_free`). Thread-safe.
#[no_mangle]
pub extern "C" fn exo_customers_new(
    options_json: *const c_char,
    refresh_token: *const u16,
    refresh_token_len: usize,
    client_secret: *const u16,
    client_secret_len: usize,
    out: *mut *mut ExoCustomers,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_customers_new", err, || {
        if out.is_null() {
            return Err(Error::null_parameter("out"));
        }
        // SAFETY: NUL-terminated string; UTF-16 buffers of the given lengths (or NULL + 0).
        let json = unsafe { borrow_str(options_json, "options_json") }?;
        let rt = unsafe { secret_from_utf16(refresh_token, refresh_token_len, "refresh_token") }?;
        let cs = unsafe { secret_from_utf16(client_secret, client_secret_len, "client_secret") }?;
        let options = GraphOptions::from_json(json)?;
        let rt = rt.ok_or_else(|| {
            Error::invalid_argument("a customer listing needs the partner's refresh token")
        })?;
        let boxed = Box::new(ExoCustomers {
            magic: MAGIC_LIVE,
            cancel: Arc::new(CancelToken::new()),
            client: GraphClient::new(options, rt, cs),
        });
        write_out(out, Box::into_raw(boxed));
        Ok(())
    })
}

/// List the customers: every page of active GDAP relationships (all of them with
/// `includeInactive`), deduplicated per tenant, each tenant's default domain looked up.
/// `*customers_json` (owned by the caller, free with `exo_string_free`) receives
/// `{"customers":[{"tenantId","displayName","defaultDomainName","relationshipEndsUtc",
/// "hasExchangeAdminRole","hasGlobalAdminRole","activeRelationships","status"}],"pages":n,
/// "relationships":n,"retries":[…],"warnings":[…]}`. Blocks. One thread at a time; may be
/// run again (the Graph token is cached).
#[no_mangle]
pub extern "C" fn exo_customers_run(
    customers: *mut ExoCustomers,
    customers_json: *mut *mut c_char,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_customers_run", err, || {
        if customers_json.is_null() {
            return Err(Error::null_parameter("customers_json"));
        }
        // SAFETY: NULL or a handle from this library.
        let c = unsafe { customers_ref(customers) }?;
        let listing = customers::list(&c.client, &c.cancel)?;
        write_out(customers_json, to_owned_c(listing.to_json()));
        Ok(())
    })
}

/// Cancel: an `exo_customers_run` in progress returns `EXO_RESULT_CANCELLED` promptly, and
/// so do later runs. NULL is ignored. Any thread, any time before `exo_customers_free`.
#[no_mangle]
pub extern "C" fn exo_customers_cancel(customers: *mut ExoCustomers) {
    boundary::call_or((), || {
        // SAFETY: NULL or a handle from this library.
        if let Ok(c) = unsafe { customers_ref(customers) } {
            c.cancel.cancel();
        }
    })
}

/// Free a listing (its Graph token leaves the cache when no other listing of the same
/// credential holds it). NULL is ignored. Not while another thread is in `exo_customers_run`.
#[no_mangle]
pub extern "C" fn exo_customers_free(customers: *mut ExoCustomers) {
    boundary::call_or((), || {
        if customers.is_null() {
            return;
        }
        // SAFETY: a pointer from `exo_customers_new`, freed once by contract.
        unsafe {
            if std::ptr::read_volatile(&(*customers).magic) != MAGIC_LIVE {
                return;
            }
            std::ptr::write_volatile(&mut (*customers).magic, MAGIC_DEAD);
            drop(Box::from_raw(customers));
        }
    })
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<ExoCustomers>();
}
