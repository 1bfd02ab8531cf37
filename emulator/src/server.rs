//! HTTP plumbing: a small HTTP/1.1 server (thread per connection, a `--threads` semaphore over
//! request handling), routing, control endpoints, and the mid-response connection drop used by
//! the `reset` fault.

use crate::estate::Estate;
use crate::faults::{FaultConfig, Faults};
use crate::identity::IdState;
use crate::stats::Stats;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub tenants: usize,
    pub mailboxes: usize,
    pub seed: u64,
    pub latency_ms: u64,
    pub faults: FaultConfig,
    pub token_lifetime: u64,
    pub max_page_size: usize,
    pub next_link_ttl: u64,
    pub device_code_interval: u64,
    pub device_code_lifetime: u64,
    pub threads: usize,
    pub verbose: bool,
    pub ignore_stdin: bool,
    /// `--annotations`: OData type annotations on every row (docs/EMULATOR.md).
    pub annotations: bool,
    /// `--full-rows`: Get-Mailbox rows at the real width (~250 properties).
    pub full_rows: bool,
    /// `--deny-cmdlet A,B`: cmdlets outside the account's roles (HTTP 401, not a token problem).
    pub deny_cmdlets: Vec<String>,
}

pub struct App {
    pub cfg: Config,
    pub base_url: String,
    pub estate: Estate,
    pub identity: IdState,
    pub stats: Stats,
    pub faults: Faults,
    pub link_secret: u64,
}

pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Sent before `body` (lets large pages avoid one copy).
    pub prefix: Vec<u8>,
    pub body: Vec<u8>,
    /// Drop the connection after sending this fraction of the response body (the `reset` fault).
    pub reset: Option<f64>,
    /// Held until the response is written (per-tenant in-flight accounting).
    pub guard: Option<Box<dyn Send>>,
}

impl Resp {
    pub fn json(status: u16, v: &Value) -> Resp {
        Resp::raw(
            status,
            "application/json; charset=utf-8",
            serde_json::to_vec(v).unwrap(),
        )
    }
    pub fn raw(status: u16, content_type: &str, body: Vec<u8>) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            prefix: vec![],
            body,
            reset: None,
            guard: None,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

pub fn pct_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b'%' if k + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[k + 1..k + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        k += 3;
                    }
                    None => {
                        out.push(b'%');
                        k += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                k += 1;
            }
            c => {
                out.push(c);
                k += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The configured `--latency-ms`, slept inside the worker.
pub fn latency(app: &App) {
    if app.cfg.latency_ms > 0 {
        std::thread::sleep(Duration::from_millis(app.cfg.latency_ms));
    }
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
pub fn serve(app: Arc<App>, listener: TcpListener, stop: Arc<AtomicBool>) {
    let sem = Arc::new(Semaphore {
        free: Mutex::new(app.cfg.threads),
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
                        let (app, sem) = (app.clone(), sem.clone());
                        let spawned = std::thread::Builder::new()
                            .name(format!("emu-conn-{}", n))
                            .stack_size(512 * 1024)
                            .spawn(move || {
                                let r =
                                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                        connection(&app, &sem, stream)
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
    // origin-form or absolute-form
    let mut url = target.to_string();
    if let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    {
        url = match rest.find('/') {
            Some(k) => rest[k..].to_string(),
            None => "/".to_string(),
        };
    }
    let (path, qs) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let query = qs
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (pct_decode(k, false), pct_decode(v, false))
        })
        .collect();
    let req = Req {
        method: method.to_ascii_uppercase(),
        path: pct_decode(path, false),
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

fn connection(app: &Arc<App>, sem: &Semaphore, stream: TcpStream) {
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
        let admission = crate::exchange::admit(app, &inc.req);
        let (routed, computed) = {
            let _permit = sem.acquire();
            let t0 = std::time::Instant::now();
            // A handler panic answers 500 and closes (instead of dropping the connection
            // without an answer, which a client cannot tell from a network failure).
            let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                route(app, &inc.req, admission)
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
        if app.cfg.verbose {
            eprintln!(
                "exo-emulator: {} {} -> {}",
                inc.req.method, inc.raw_url, resp.status
            );
        }
        let sent = (resp.prefix.len() + resp.body.len()) as u64;
        app.stats.response(endpoint, resp.status, sent);
        let open = write_response(&mut writer, resp, keep_alive, inc.head);
        app.stats
            .busy(endpoint, started.elapsed().as_micros() as u64, computed);
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
    let t = crate::rng::now_unix();
    let (y, mo, d, h, mi, s) = crate::rng::civil(t);
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
    let _ = w.shutdown(std::net::Shutdown::Both);
}

thread_local! {
    static POOL: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::new());
}

/// An empty buffer with at least `cap` bytes, reused per thread (big pages are ~3 MB).
pub fn take_buffer(cap: usize) -> Vec<u8> {
    let mut b = POOL.with(|p| std::mem::take(&mut *p.borrow_mut()));
    b.clear();
    b.reserve(cap);
    b
}

pub fn give_buffer(b: Vec<u8>) {
    if b.capacity() >= 64 * 1024 && b.capacity() <= 6 * 1024 * 1024 {
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.capacity() < b.capacity() {
                *p = b;
            }
        });
    }
}

fn not_found(req: &Req) -> Resp {
    Resp::json(
        404,
        &json!({"error": {"code": "NotFound", "message": format!("No endpoint at '{}'.", req.path)}}),
    )
}

fn method_not_allowed(allowed: &str) -> Resp {
    Resp::json(
        405,
        &json!({"error": {"code": "MethodNotAllowed", "message": format!("Use {}.", allowed)}}),
    )
    .header("Allow", allowed)
}

fn tenant_key(app: &App, seg: &str) -> String {
    match app.estate.tenant_index(seg) {
        Some(t) => app.estate.tenants[t].id.clone(),
        None => seg.to_ascii_lowercase(),
    }
}

fn route(
    app: &Arc<App>,
    req: &Req,
    admission: Option<crate::exchange::Admission>,
) -> (&'static str, Resp) {
    let segs: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let post = req.method == "POST";
    match segs.as_slice() {
        ["_emulator", rest @ ..] => {
            app.stats.request("control", None);
            ("control", control(app, req, rest))
        }
        [a, b, tenant, c]
            if a.eq_ignore_ascii_case("adminapi")
                && b.eq_ignore_ascii_case("beta")
                && c.eq_ignore_ascii_case("InvokeCommand") =>
        {
            app.stats
                .request("invokeCommand", Some(&tenant_key(app, tenant)));
            if !post {
                return ("invokeCommand", method_not_allowed("POST"));
            }
            (
                "invokeCommand",
                crate::exchange::invoke(app, req, tenant, admission),
            )
        }
        [tenant, o, v, which]
            if o.eq_ignore_ascii_case("oauth2")
                && *v == "v2.0"
                && (*which == "token" || *which == "devicecode") =>
        {
            let ep = if *which == "token" {
                "token"
            } else {
                "devicecode"
            };
            app.stats.request(ep, Some(&tenant_key(app, tenant)));
            if !post {
                return (ep, method_not_allowed("POST"));
            }
            if ep == "token" {
                (ep, crate::identity::token(app, req, tenant))
            } else {
                (ep, crate::identity::devicecode(app, req, tenant))
            }
        }
        [tenant, "v2.0", ".well-known", "openid-configuration"] => {
            app.stats.request("other", None);
            ("other", crate::identity::openid_configuration(app, tenant))
        }
        _ => {
            app.stats.request("other", None);
            ("other", not_found(req))
        }
    }
}

fn control(app: &Arc<App>, req: &Req, rest: &[&str]) -> Resp {
    let m = req.method.as_str();
    match (m, rest) {
        ("GET", ["stats"]) | ("POST", ["stats"]) => Resp::json(200, &app.stats.to_json()),
        ("GET", ["health"]) => Resp::json(200, &json!({"ok": true, "url": app.base_url})),
        ("POST", ["revoke"]) => {
            let n = app.identity.revoke_all();
            app.stats.revoked();
            Resp::json(200, &json!({"revoked": n}))
        }
        ("POST", ["reset-stats"]) => {
            app.stats.reset();
            Resp::json(200, &json!({"ok": true}))
        }
        ("POST", ["devicecode", "decline"]) => {
            let form = crate::identity::parse_form(&req.body);
            let from_json = serde_json::from_slice::<Value>(&req.body).ok();
            let code = form
                .get("user_code")
                .or_else(|| form.get("device_code"))
                .cloned()
                .or_else(|| {
                    let j = from_json?;
                    j.get("user_code")
                        .or_else(|| j.get("device_code"))
                        .and_then(|v| v.as_str())
                        .map(|s| s.to_string())
                })
                .unwrap_or_default();
            if app.identity.decline(&code) {
                Resp::json(200, &json!({"declined": true}))
            } else {
                Resp::json(
                    404,
                    &json!({"declined": false, "error": "no such device code"}),
                )
            }
        }
        ("POST", ["shutdown"]) => {
            std::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                std::process::exit(0);
            });
            Resp::json(200, &json!({"ok": true}))
        }
        (_, ["stats"]) | (_, ["health"]) => method_not_allowed("GET"),
        (_, ["revoke"])
        | (_, ["reset-stats"])
        | (_, ["shutdown"])
        | (_, ["devicecode", "decline"]) => method_not_allowed("POST"),
        _ => not_found(req),
    }
}
