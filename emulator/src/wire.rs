//! The wire: a small HTTP/1.1 server on std::net (thread per connection, keep-alive, a
//! counting semaphore over request handling), response writing, and the mid-response
//! connection drop used by the `reset` fault. It knows nothing of routes: a [`Service`] answers.

use crate::http::{give_buffer, split_target, Req, Resp};
use crate::rng;
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// What the wire calls for each request.
pub trait Service: Send + Sync + 'static {
    /// Taken on arrival, before the request waits for a handler permit (per-tenant in-flight
    /// accounting must see queued requests too); handed to `handle`.
    type Ticket;
    fn arrive(&self, req: &Req) -> Self::Ticket;
    /// Inside a permit: the endpoint name (for stats) and the response.
    fn handle(&self, req: &Req, ticket: Self::Ticket) -> (&'static str, Resp);
    /// Just before the response is written (a panicked handler's 500 included).
    fn answered(&self, req: &Req, raw_url: &str, endpoint: &'static str, resp: &Resp);
    /// After the response is written: total and handler (permit-held) time, microseconds.
    fn finished(&self, endpoint: &'static str, total_us: u64, computed_us: u64);
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.1 server on std::net.
//
// tiny_http 0.12 was tried first: its internal connection TaskPool loses wake-ups when several
// keep-alive connections arrive at once (its `waiting_tasks` check races with `notify_one`), so
// queued connections starve until another connection closes; 16 concurrent clients hung for
// minutes. This server runs one thread per connection (keep-alive), and a counting semaphore of
// `--threads` permits bounds how many requests are processed at once (`--latency-ms` sleeps
// inside a permit, like a busy backend).

const MAX_BODY: usize = 16 * 1024 * 1024;
const MAX_HEAD: usize = 64 * 1024;
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

struct Semaphore {
    free: Mutex<usize>,
    cv: Condvar,
}

struct Permit<'a>(&'a Semaphore);

impl Semaphore {
    fn acquire(&self) -> Permit<'_> {
        let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *f == 0 {
            f = self.cv.wait(f).unwrap_or_else(|e| e.into_inner());
        }
        *f -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.cv.notify_one();
    }
}

/// Accepts connections on a background thread until `stop` is set (and the listener woken by a
/// connection).
pub fn serve<S: Service>(
    svc: Arc<S>,
    threads: usize,
    listener: TcpListener,
    stop: Arc<AtomicBool>,
) {
    let sem = Arc::new(Semaphore {
        free: Mutex::new(threads.max(1)),
        cv: Condvar::new(),
    });
    std::thread::Builder::new()
        .name("emu-accept".into())
        .spawn(move || {
            let mut n = 0u64;
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                match conn {
                    Ok(stream) => {
                        n += 1;
                        let (svc, sem) = (svc.clone(), sem.clone());
                        let spawned = std::thread::Builder::new()
                            .name(format!("emu-conn-{}", n))
                            .stack_size(512 * 1024)
                            .spawn(move || {
                                let r =
                                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                        connection(&*svc, &sem, stream)
                                    }));
                                if r.is_err() {
                                    eprintln!("exo-emulator: a connection handler panicked");
                                }
                            });
                        if let Err(e) = spawned {
                            eprintln!("exo-emulator: cannot spawn a connection thread: {}", e);
                        }
                    }
                    Err(e) => {
                        eprintln!("exo-emulator: accept: {}", e);
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
            }
        })
        .expect("spawn accept thread");
}

enum ReadError {
    Eof,
    Bad(u16, &'static str),
}

struct Incoming {
    req: Req,
    keep_alive: bool,
    head: bool,
    raw_url: String,
}

fn read_line(r: &mut BufReader<TcpStream>, budget: &mut usize) -> Result<String, ReadError> {
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(*budget as u64 + 1)
        .read_until(b'\n', &mut buf)
        .map_err(|_| ReadError::Eof)?;
    if n == 0 {
        return Err(ReadError::Eof);
    }
    if n > *budget {
        return Err(ReadError::Bad(431, "request head too large"));
    }
    *budget -= n;
    if buf.last() != Some(&b'\n') {
        return Err(ReadError::Eof);
    }
    while matches!(buf.last(), Some(b'\n') | Some(b'\r')) {
        buf.pop();
    }
    String::from_utf8(buf).map_err(|_| ReadError::Bad(400, "request head is not UTF-8"))
}

fn read_request(r: &mut BufReader<TcpStream>, w: &mut TcpStream) -> Result<Incoming, ReadError> {
    let mut budget = MAX_HEAD;
    let mut line = read_line(r, &mut budget)?;
    while line.is_empty() {
        line = read_line(r, &mut budget)?;
    }
    let mut parts = line.split(' ').filter(|p| !p.is_empty());
    let (method, target, version) = match (parts.next(), parts.next(), parts.next()) {
        (Some(method), Some(target), Some(version)) => (method, target, version),
        _ => {
            return Err(ReadError::Bad(400, "malformed request line"));
        }
    };
    if !version.starts_with("HTTP/1.") {
        return Err(ReadError::Bad(400, "unsupported HTTP version"));
    }
    let http10 = version == "HTTP/1.0";
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let h = read_line(r, &mut budget)?;
        if h.is_empty() {
            break;
        }
        let (k, v) = match h.split_once(':') {
            Some((k, v)) => (k, v),
            _ => return Err(ReadError::Bad(400, "malformed header")),
        };
        headers.push((k.trim().to_string(), v.trim().to_string()));
        if headers.len() > 200 {
            return Err(ReadError::Bad(431, "too many headers"));
        }
    }
    let hdr = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let conn = hdr("connection").unwrap_or_default();
    let keep_alive = if http10 {
        conn.contains("keep-alive")
    } else {
        !conn.contains("close")
    };
    let chunked = hdr("transfer-encoding").map_or(false, |v| v.contains("chunked"));
    let length = match hdr("content-length") {
        Some(v) => Some(
            v.trim()
                .parse::<usize>()
                .map_err(|_| ReadError::Bad(400, "bad Content-Length"))?,
        ),
        None => None,
    };
    if length.map_or(false, |l| l > MAX_BODY) {
        return Err(ReadError::Bad(413, "request body too large"));
    }
    if hdr("expect").map_or(false, |v| v.contains("100-continue"))
        && (chunked || length.unwrap_or(0) > 0)
    {
        let _ = w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut b2 = 1024;
            let size_line = read_line(r, &mut b2)?;
            let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| ReadError::Bad(400, "bad chunk size"))?;
            if size == 0 {
                // trailers
                loop {
                    let mut b3 = MAX_HEAD;
                    if read_line(r, &mut b3)?.is_empty() {
                        break;
                    }
                }
                break;
            }
            if body.len() + size > MAX_BODY {
                return Err(ReadError::Bad(413, "request body too large"));
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])
                .map_err(|_| ReadError::Eof)?;
            let mut b4 = 4;
            read_line(r, &mut b4)?;
        }
    } else if let Some(l) = length {
        body.resize(l, 0);
        r.read_exact(&mut body).map_err(|_| ReadError::Eof)?;
    }
    let (url, path, query) = split_target(target);
    let req = Req {
        method: method.to_ascii_uppercase(),
        path,
        query,
        headers,
        body,
    };
    Ok(Incoming {
        head: req.method == "HEAD",
        req,
        keep_alive,
        raw_url: url.clone(),
    })
}

fn connection<S: Service>(svc: &S, sem: &Semaphore, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let read_half = match stream.try_clone() {
        Ok(read_half) => read_half,
        _ => return,
    };
    let mut reader = BufReader::with_capacity(16 * 1024, read_half);
    let mut writer = stream;
    loop {
        let inc = match read_request(&mut reader, &mut writer) {
            Ok(i) => i,
            Err(ReadError::Eof) => return,
            Err(ReadError::Bad(status, msg)) => {
                let body =
                    serde_json::to_vec(&json!({"error": {"code": "BadRequest", "message": msg}}))
                        .unwrap();
                let resp = Resp::raw(status, "application/json; charset=utf-8", body);
                let _ = write_response(&mut writer, resp, false, false);
                // Part of the request may be unread: closing now would send RST, which can
                // discard the answer before the client reads it.
                lingering_close(&mut reader, &writer);
                return;
            }
        };
        let started = std::time::Instant::now();
        let ticket = svc.arrive(&inc.req);
        let (routed, computed) = {
            let _permit = sem.acquire();
            let t0 = std::time::Instant::now();
            // A handler panic answers 500 and closes (instead of dropping the connection
            // without an answer, which a client cannot tell from a network failure).
            let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                svc.handle(&inc.req, ticket)
            }));
            let routed = routed.map_err(|_| {
                eprintln!("exo-emulator: the handler for {} {} panicked", inc.req.method, inc.raw_url);
                Resp::json(
                    500,
                    &json!({"error": {"code": "InternalServerError", "message": "exo-emulator: the request handler panicked"}}),
                )
            });
            (routed, t0.elapsed().as_micros() as u64)
        };
        let (endpoint, resp, keep_alive) = match routed {
            Ok((e, r)) => (e, r, inc.keep_alive),
            Err(r) => ("other", r, false),
        };
        svc.answered(&inc.req, &inc.raw_url, endpoint, &resp);
        let open = write_response(&mut writer, resp, keep_alive, inc.head);
        svc.finished(endpoint, started.elapsed().as_micros() as u64, computed);
        if !open {
            return;
        }
    }
}

fn http_date() -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = rng::now_unix();
    let (y, mo, d, h, mi, s) = rng::civil(t);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[((t / 86400) % 7) as usize],
        d,
        MONTHS[(mo - 1) as usize],
        y,
        h,
        mi,
        s
    )
}

/// Writes one response; returns whether the connection stays open.
fn write_response(w: &mut TcpStream, resp: Resp, keep_alive: bool, head_only: bool) -> bool {
    let Resp {
        status,
        headers,
        prefix,
        body,
        reset,
        guard,
    } = resp;
    let len = prefix.len() + body.len();
    let mut head = String::with_capacity(256);
    head.push_str(&format!(
        "HTTP/1.1 {} {}\r\nDate: {}\r\nServer: exo-emulator\r\n",
        status,
        reason(status),
        http_date()
    ));
    for (k, v) in &headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n", len));
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    if let Some(frac) = reset {
        // Declare the full length, send part of the body, then drop the connection.
        let mut all = prefix;
        all.extend_from_slice(&body);
        let cut = ((all.len() as f64 * frac) as usize).min(all.len().saturating_sub(1));
        let _ = w.write_all(head.as_bytes());
        let _ = w.write_all(&all[..cut]);
        let _ = w.flush();
        abort_connection(w);
        drop(guard);
        give_buffer(all);
        return false;
    }
    let ok = if head_only {
        w.write_all(head.as_bytes()).is_ok()
    } else if len <= 64 * 1024 {
        let mut one = head.into_bytes();
        one.extend_from_slice(&prefix);
        one.extend_from_slice(&body);
        w.write_all(&one).is_ok()
    } else {
        w.write_all(head.as_bytes()).is_ok()
            && w.write_all(&prefix).is_ok()
            && w.write_all(&body).is_ok()
    };
    let _ = w.flush();
    drop(guard);
    give_buffer(body);
    ok && keep_alive
}

/// Closes after a response that was sent before the whole request was read: half-close, then
/// discard what the client still sends (bounded), so the close is a FIN and not an RST that
/// could destroy the response in the client's receive buffer.
fn lingering_close(r: &mut BufReader<TcpStream>, w: &TcpStream) {
    let _ = w.shutdown(std::net::Shutdown::Write);
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    let mut sink = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() || w.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match r.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// SO_LINGER 0 (so close sends RST) and shutdown: the client sees the connection drop.
fn abort_connection(w: &TcpStream) {
    #[cfg(unix)]
    unsafe {
        use std::os::unix::io::AsRawFd;
        let lg = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        libc::setsockopt(
            w.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &lg as *const _ as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    #[cfg(windows)]
    unsafe {
        use std::os::windows::io::AsRawSocket;
        let lg = winsock::Linger {
            l_onoff: 1,
            l_linger: 0,
        };
        winsock::setsockopt(
            w.as_raw_socket() as usize,
            winsock::SOL_SOCKET,
            winsock::SO_LINGER,
            &lg as *const winsock::Linger as *const u8,
            std::mem::size_of::<winsock::Linger>() as i32,
        );
    }
    let _ = w.shutdown(std::net::Shutdown::Both);
}

/// The one Winsock call abort_connection needs, declared here so the emulator needs no
/// Windows-only crate (Debian's registry has none usable); layouts from winsock2.h.
#[cfg(windows)]
mod winsock {
    pub const SOL_SOCKET: i32 = 0xffff;
    pub const SO_LINGER: i32 = 0x0080;

    #[repr(C)]
    pub struct Linger {
        pub l_onoff: u16,
        pub l_linger: u16,
    }

    #[link(name = "ws2_32")]
    extern "system" {
        pub fn setsockopt(
            s: usize,
            level: i32,
            optname: i32,
            optval: *const u8,
            optlen: i32,
        ) -> i32;
    }
}
