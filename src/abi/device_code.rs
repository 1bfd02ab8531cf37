//! `exo_device_flow`: device code sign-in across the ABI.

use crate::abi::boundary::{self, write_out};
use crate::abi::connection::ExoConnection;
use crate::abi::error::{self, ExoError};
use crate::abi::strings::{borrow_str, c_string};
use crate::error::{Error, ExoResult, Reason};
use crate::exchange::connection::Connection;
use crate::identity::device_code::DeviceFlow;
use crate::options::{ConnectionOptions, CredentialKind};
use std::ffi::CString;
use std::os::raw::c_char;
use std::time::Duration;

const MAGIC_LIVE: u64 = 0x4558_4f5f_4445_5643; // "EXO_DEVC"
const MAGIC_DEAD: u64 = 0x6465_6164_6465_7663; // "deaddevc"

/// A device code sign-in in progress (opaque). Created by
/// `exo_device_code_start`, freed by `exo_device_flow_free`. One thread at
/// a time calls `exo_device_flow_wait`; any thread may call
/// `exo_device_flow_cancel` before the free.
pub struct ExoDeviceFlow {
    magic: u64,
    flow: DeviceFlow,
    /// For the connection made when the sign-in finishes.
    options: ConnectionOptions,
    message: CString,
}

/// # Safety
/// `p` is NULL or a pointer returned by this library.
unsafe fn flow_ref<'a>(p: *const ExoDeviceFlow) -> Result<&'a ExoDeviceFlow, Error> {
    if p.is_null() {
        return Err(Error::null_parameter("flow"));
    }
    let f = &*p;
    if std::ptr::read_volatile(&f.magic) != MAGIC_LIVE {
        return Err(Error::invalid_handle("device code sign-in"));
    }
    Ok(f)
}

/// Start a device code sign-in for `options_json` (as for `exo_connect`;
/// `credential` absent or "DeviceCode"; the application must allow public
/// client flows). Asks for the Exchange scope plus `offline_access`.
/// On success `*out` receives the flow, owned by the caller (free with
/// `exo_device_flow_free`); show `exo_device_flow_message_json` to the user,
/// then call `exo_device_flow_wait`. Blocks for one request. Thread-safe.
#[no_mangle]
pub extern "C" fn exo_device_code_start(
    options_json: *const c_char,
    out: *mut *mut ExoDeviceFlow,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_device_code_start", err, || {
        if out.is_null() {
            return Err(Error::null_parameter("out"));
        }
        // SAFETY: NULL-checked inside; NUL-terminated by contract.
        let json = unsafe { borrow_str(options_json, "options_json") }?;
        let options = ConnectionOptions::from_json(json)?;
        if !matches!(options.credential, None | Some(CredentialKind::DeviceCode)) {
            return Err(Error::invalid_argument(
                "device code sign-in takes credential \"DeviceCode\" (or none)",
            ));
        }
        let flow = DeviceFlow::start(&options)?;
        let message = c_string(flow.message_json().to_string());
        write_out(
            out,
            Box::into_raw(Box::new(ExoDeviceFlow {
                magic: MAGIC_LIVE,
                flow,
                options,
                message,
            })),
        );
        Ok(())
    })
}

/// What to show the user, as JSON: `userCode`, `verificationUri`, `message`,
/// `expiresIn` (s), `interval` (s). Borrowed from `flow`: valid until
/// `exo_device_flow_free(flow)`. NULL when `flow` is NULL or invalid.
/// Thread-safe.
#[no_mangle]
pub extern "C" fn exo_device_flow_message_json(flow: *const ExoDeviceFlow) -> *const c_char {
    boundary::call_or(std::ptr::null(), || {
        // SAFETY: NULL or a handle from this library.
        match unsafe { flow_ref(flow) } {
            Ok(f) => f.message.as_ptr(),
            Err(_) => std::ptr::null(),
        }
    })
}

/// Wait up to `timeout_ms` for the user to finish signing in, polling the
/// token endpoint at the service's interval (longer after `slow_down`).
/// On success `*out` receives a connection owned by the caller (free with
/// `exo_connection_free`; export its refresh token to store it).
/// Still waiting when the time is up: `EXO_RESULT_PENDING` (call again).
/// `timeout_ms` 0 polls at most once, if a poll is due. Declined, expired or
/// unknown code: `EXO_RESULT_AUTH_FAILED` with reason AuthorizationDeclined,
/// DeviceCodeExpired or BadVerificationCode. Cancelled: `EXO_RESULT_CANCELLED`.
/// One thread at a time per flow.
#[no_mangle]
pub extern "C" fn exo_device_flow_wait(
    flow: *mut ExoDeviceFlow,
    timeout_ms: u32,
    out: *mut *mut ExoConnection,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_device_flow_wait", err, || {
        if out.is_null() {
            return Err(Error::null_parameter("out"));
        }
        // SAFETY: NULL or a handle from this library.
        let f = unsafe { flow_ref(flow) }?;
        match f.flow.wait(Duration::from_millis(timeout_ms as u64))? {
            Some(tokens) => {
                // The refresh token is marked rotated: the caller has never seen it.
                let conn = Connection::from_device_code(f.options.clone(), tokens);
                write_out(out, ExoConnection::boxed(conn));
                Ok(())
            }
            None => Err(Error::new(
                ExoResult::Pending,
                Reason::AuthorizationPending,
                "the user has not finished signing in yet; wait again",
            )),
        }
    })
}

/// Cancel the flow: a wait in progress on another thread returns
/// `EXO_RESULT_CANCELLED` promptly, and so do later waits. NULL is ignored.
/// Any thread, any time before `exo_device_flow_free`.
#[no_mangle]
pub extern "C" fn exo_device_flow_cancel(flow: *mut ExoDeviceFlow) {
    boundary::call_or((), || {
        // SAFETY: NULL or a handle from this library.
        if let Ok(f) = unsafe { flow_ref(flow) } {
            f.flow.cancel();
        }
    })
}

/// Free a flow (its device code is zeroized). NULL is ignored. Must not be
/// called while another thread is in `exo_device_flow_wait` on it.
#[no_mangle]
pub extern "C" fn exo_device_flow_free(flow: *mut ExoDeviceFlow) {
    boundary::call_or((), || {
        if flow.is_null() {
            return;
        }
        // SAFETY: a pointer from `exo_device_code_start`, freed once by contract.
        unsafe {
            if std::ptr::read_volatile(&(*flow).magic) != MAGIC_LIVE {
                return;
            }
            std::ptr::write_volatile(&mut (*flow).magic, MAGIC_DEAD);
            drop(Box::from_raw(flow));
        }
    })
}
