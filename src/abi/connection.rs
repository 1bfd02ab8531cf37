//! `exo_connection`: connect, info, refresh-token export, disconnect, free.

use crate::abi::boundary::{self, write_out};
use crate::abi::error::{self, ExoError};
use crate::abi::strings::{borrow_str, secret_from_utf16, to_owned_c};
use crate::error::{Error, ExoResult, Reason};
use crate::exchange::connection::{Connection, Secrets};
use crate::options::ConnectionOptions;
use crate::secret::Secret;
use std::os::raw::c_char;
use std::sync::Arc;

const MAGIC_LIVE: u64 = 0x4558_4f5f_434f_4e4e; // "EXO_CONN"
const MAGIC_DEAD: u64 = 0x6465_6164_636f_6e6e; // "deadconn"

/// An open connection to one customer tenant (opaque). Created by
/// `exo_connect` or `exo_device_flow_wait`; freed by `exo_connection_free`.
/// May be used from many threads at once. Cursors keep what they need alive,
/// so the handle may be freed while cursors still run.
pub struct ExoConnection {
    magic: u64,
    conn: Arc<Connection>,
}

impl ExoConnection {
    pub(crate) fn boxed(conn: Arc<Connection>) -> *mut ExoConnection {
        Box::into_raw(Box::new(ExoConnection {
            magic: MAGIC_LIVE,
            conn,
        }))
    }
}

/// Borrow a connection handle: NULL → NullParameter; a handle that was
/// freed (when detectable) or is of another kind → InvalidHandle.
///
/// # Safety
/// `p` is NULL or a pointer returned by this library.
pub(crate) unsafe fn conn_ref<'a>(
    p: *const ExoConnection,
    name: &str,
) -> Result<&'a Arc<Connection>, Error> {
    if p.is_null() {
        return Err(Error::null_parameter(name));
    }
    let c = &*p;
    if std::ptr::read_volatile(&c.magic) != MAGIC_LIVE {
        return Err(Error::invalid_handle("connection"));
    }
    Ok(&c.conn)
}

/// Connect to a customer tenant and acquire the first token (bad
/// credentials fail here).
///
/// `options_json`: see docs/ABI.md (`tenantId`, `applicationId`,
/// `credential`, `environment`, `authorityHost`, `exchangeHost`, …); unknown
/// keys are `EXO_RESULT_INVALID_ARGUMENT`, `http://` to a non-loopback host
/// is `EXO_RESULT_INSECURE_ENDPOINT`.
///
/// Secrets are UTF-16 pointer + length in code units (no terminator needed);
/// NULL with length 0 means absent. Pass what the credential needs:
/// RefreshToken → `refresh_token` (+ `client_secret` for a confidential
/// application); AppSecret → `client_secret`; AccessToken → `access_token`.
/// The library copies them into zeroizing memory; the caller keeps
/// ownership of its buffers (and should zero-free them).
///
/// On success `*out` receives a connection owned by the caller (free with
/// `exo_connection_free`). Blocks for the token request. Thread-safe.
#[no_mangle]
pub extern "C" fn exo_connect(
    options_json: *const c_char,
    refresh_token: *const u16,
    refresh_token_len: usize,
    client_secret: *const u16,
    client_secret_len: usize,
    access_token: *const u16,
    access_token_len: usize,
    out: *mut *mut ExoConnection,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_connect", err, || {
        if out.is_null() {
            return Err(Error::null_parameter("out"));
        }
        // SAFETY: NULL-checked inside; the caller passes NUL-terminated strings
        // and UTF-16 buffers of the stated lengths.
        let json = unsafe { borrow_str(options_json, "options_json") }?;
        let secrets = Secrets {
            refresh_token: unsafe {
                secret_from_utf16(refresh_token, refresh_token_len, "refresh_token")
            }?,
            client_secret: unsafe {
                secret_from_utf16(client_secret, client_secret_len, "client_secret")
            }?,
            access_token: unsafe {
                secret_from_utf16(access_token, access_token_len, "access_token")
            }?,
        };
        let options = ConnectionOptions::from_json(json)?;
        let conn = Connection::connect(options, secrets)?;
        write_out(out, ExoConnection::boxed(conn));
        Ok(())
    })
}

/// Describe a connection as JSON: `tenantId`, `environment`,
/// `authorityHost`, `exchangeHost`, `applicationId`, `credential`, `user`,
/// `tokenExpiresUtc`, `refreshTokenRotated`, `anchorMailbox`, `pageSize`,
/// `connected`. Never a secret. `*info_json` is owned by the caller (free
/// with `exo_string_free`). After `exo_connection_disconnect`:
/// `EXO_RESULT_INVALID_HANDLE`. Thread-safe.
#[no_mangle]
pub extern "C" fn exo_connection_info(
    conn: *const ExoConnection,
    info_json: *mut *mut c_char,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_connection_info", err, || {
        if info_json.is_null() {
            return Err(Error::null_parameter("info_json"));
        }
        // SAFETY: NULL or a handle from this library.
        let c = unsafe { conn_ref(conn, "conn") }?;
        let json = c.info_json()?;
        write_out(info_json, to_owned_c(json));
        Ok(())
    })
}

/// Copy the connection's newest refresh token (rotated on every refresh;
/// store it after each run) into `buf` as UTF-16, `buf_len` code units
/// long, without a terminator (one is added when room is left).
///
/// `*needed` (may be NULL) receives the token's length in code units on
/// success and also on `EXO_RESULT_BUFFER_TOO_SMALL` (the one exception to
/// "out-parameters only on success"); call with `buf` NULL and `buf_len` 0
/// to ask for the size. A connection without a refresh token (AppSecret,
/// AccessToken) gives `EXO_RESULT_INVALID_ARGUMENT` (reason NoRefreshToken).
/// The caller owns `buf` and should zero it when done. Thread-safe.
#[no_mangle]
pub extern "C" fn exo_connection_export_refresh_token(
    conn: *const ExoConnection,
    buf: *mut u16,
    buf_len: usize,
    needed: *mut usize,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_connection_export_refresh_token", err, || {
        // SAFETY: NULL or a handle from this library.
        let c = unsafe { conn_ref(conn, "conn") }?;
        let (token, _rotated) = c.refresh_token()?;
        copy_token(&token, buf, buf_len, needed)
    })
}

/// As `exo_connection_export_refresh_token`, but the newest refresh token of
/// the connection's credential across every open connection of the process
/// (each redemption, at any customer tenant, rotates the partner's token; each
/// connection keeps the newest it received): the one to store after a run over
/// many tenants. The newest token can change between a size query and the copy
/// (another connection rotated it): callers retry on `EXO_RESULT_BUFFER_TOO_SMALL`.
#[no_mangle]
pub extern "C" fn exo_connection_export_newest_refresh_token(
    conn: *const ExoConnection,
    buf: *mut u16,
    buf_len: usize,
    needed: *mut usize,
    err: *mut *mut ExoError,
) -> ExoResult {
    error::call("exo_connection_export_newest_refresh_token", err, || {
        // SAFETY: NULL or a handle from this library.
        let c = unsafe { conn_ref(conn, "conn") }?;
        let token = c.newest_refresh_token()?;
        copy_token(&token, buf, buf_len, needed)
    })
}

/// The export contract: size in `*needed`, UTF-16 into `buf`, NUL when room is left.
fn copy_token(
    token: &Secret,
    buf: *mut u16,
    buf_len: usize,
    needed: *mut usize,
) -> Result<(), Error> {
    let len = token.utf16_len();
    if !needed.is_null() {
        write_out(needed, len);
    }
    if buf.is_null() || buf_len < len {
        return Err(Error::new(
            ExoResult::BufferTooSmall,
            Reason::BufferTooSmall,
            format!("the buffer must hold {len} UTF-16 code units"),
        ));
    }
    // SAFETY: `buf` is non-NULL and the caller promises `buf_len` writable units.
    let dst = unsafe { std::slice::from_raw_parts_mut(buf, buf_len) };
    for (d, u) in dst.iter_mut().zip(token.expose().encode_utf16()) {
        *d = u;
    }
    if buf_len > len {
        dst[len] = 0;
    }
    Ok(())
}

/// Disconnect: release the connection's tokens (zeroized once no other
/// connection shares them). Later calls with this handle, and `next` on its
/// cursors, return `EXO_RESULT_INVALID_HANDLE`. The handle must still be
/// freed with `exo_connection_free`. NULL is ignored. Thread-safe.
#[no_mangle]
pub extern "C" fn exo_connection_disconnect(conn: *mut ExoConnection) {
    boundary::call_or((), || {
        // SAFETY: NULL or a handle from this library.
        if let Ok(c) = unsafe { conn_ref(conn, "conn") } {
            c.disconnect();
        }
    })
}

/// Free a connection handle. Cursors made from it keep working until they
/// are freed; the tokens are released (zeroized) when the last of them goes.
/// NULL is ignored; a second free of the same handle is detected where
/// possible and ignored, but is undefined behaviour. Must not be called
/// while another thread uses `conn`.
#[no_mangle]
pub extern "C" fn exo_connection_free(conn: *mut ExoConnection) {
    boundary::call_or((), || {
        if conn.is_null() {
            return;
        }
        // SAFETY: a handle from `ExoConnection::boxed`, freed once by contract.
        unsafe {
            if std::ptr::read_volatile(&(*conn).magic) != MAGIC_LIVE {
                return; // freed before, or not ours: leave it alone
            }
            std::ptr::write_volatile(&mut (*conn).magic, MAGIC_DEAD);
            drop(Box::from_raw(conn));
        }
    })
}
