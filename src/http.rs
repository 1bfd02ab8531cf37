//! The HTTP transport: one process-wide keep-alive client (rustls, native
//! roots), per-request timeouts, and exchanges that a cancel can abandon.
//!
//! reqwest's blocking client cannot abort a request in flight, so each
//! exchange runs on a short-lived worker thread; the calling thread waits on
//! the cancel token and returns as soon as the exchange finishes, the
//! deadline passes, or the token is cancelled (the worker then finishes in
//! the background, bounded by the request timeout, and its result is dropped).

use crate::cancel::CancelToken;
use crate::error::{Error, ExoResult, Reason};
use crate::util::lock;
use once_cell::sync::Lazy;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zeroize::Zeroize;

/// Largest page body: a page of 1000 full mailboxes is a few MB; anything near this cap is
/// not a page Exchange would send (the record cap per page refuses it long before).
pub(crate) const MAX_PAGE_BODY_BYTES: u64 = 64 << 20;
/// Largest `$batch` body: up to 10 pages.
pub(crate) const MAX_BATCH_BODY_BYTES: u64 = 256 << 20;
/// Largest token or device-code answer (a few KB in practice).
pub(crate) const MAX_TOKEN_BODY_BYTES: u64 = 1 << 20;
/// Error bodies are read only this far: their message is all that is used, and a huge error
/// body must cost no memory. The rest is dropped with the connection.
pub(crate) const MAX_ERROR_BODY_BYTES: u64 = 64 << 10;

/// The client for a route: connect timeout, `direct` (loopback) and `pooled`.
type ClientKey = (u64, bool, bool);

/// One client per distinct connect timeout and route; in practice two per process (Exchange,
/// pooled; token requests, unpooled). Clients share nothing but are cheap handles to their own pool.
static CLIENTS: Lazy<Mutex<HashMap<ClientKey, reqwest::blocking::Client>>> =
    Lazy::new(|| Mutex::new(HashMap::new()));

/// `direct`: loopback destinations never go through a proxy from the
/// environment (HTTP_PROXY & co.): their traffic may be plain http, and a
/// proxy would receive secrets and bearer tokens in clear text. Their name
/// `localhost` is never looked up: it connects to 127.0.0.1 or ::1 only, so a
/// hosts file pointing it elsewhere cannot receive that clear text.
/// `pooled: false` (token requests, whose bodies hold the refresh token and the
/// client secret): no connection is kept after the exchange, so the HTTP stack's
/// buffers holding the request are freed (and wiped, `crate::wipe`) when it ends.
fn client(
    connect_timeout: Duration,
    direct: bool,
    pooled: bool,
) -> Result<reqwest::blocking::Client, Error> {
    let key = (connect_timeout.as_millis() as u64, direct, pooled);
    let mut clients = lock(&CLIENTS);
    if let Some(c) = clients.get(&key) {
        return Ok(c.clone());
    }
    let mut builder = reqwest::blocking::Client::builder();
    if direct {
        builder = builder.no_proxy().resolve_to_addrs(
            "localhost",
            &[
                (std::net::Ipv4Addr::LOCALHOST, 0).into(),
                (std::net::Ipv6Addr::LOCALHOST, 0).into(),
            ],
        );
    }
    let c = builder
        .use_rustls_tls()
        .connect_timeout(connect_timeout)
        .timeout(None::<Duration>) // per request instead
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(if pooled { 32 } else { 0 })
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none()) // never carry the token elsewhere
        .user_agent(concat!("ExoDelegated/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            Error::internal(format!(
                "could not create the HTTP client: {}",
                e.without_url()
            ))
        })?;
    clients.insert(key, c.clone());
    Ok(c)
}

/// Drop every client, and with it its idle pooled connections: their buffers (which held the
/// last requests' `Authorization` headers) are freed, and wiped (`crate::wipe`). Exchanges in
/// flight keep their own handle and finish; the next request starts a new pool.
pub(crate) fn close_idle_connections() {
    lock(&CLIENTS).clear();
}

/// One request. Header values that hold secrets are marked sensitive.
pub(crate) struct HttpRequest {
    /// POST (token endpoint, InvokeCommand, $batch) or GET (Microsoft Graph).
    pub(crate) method: reqwest::Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<(HeaderName, String)>,
    /// Names of headers whose values are secret (e.g. Authorization).
    pub(crate) sensitive: Vec<HeaderName>,
    pub(crate) content_type: &'static str,
    /// Zeroized when the exchange ends (a token request body holds secrets).
    pub(crate) body: Vec<u8>,
    /// Largest success body accepted (`MAX_PAGE_BODY_BYTES`, ...); error bodies are cut at
    /// `MAX_ERROR_BODY_BYTES`.
    pub(crate) max_body: u64,
    /// Keep the connection for later requests. False for requests that carry secrets in
    /// their body (token requests).
    pub(crate) pooled: bool,
    pub(crate) connect_timeout: Duration,
    /// Whole exchange: connect, send, and reading the full body.
    pub(crate) timeout: Duration,
}

/// A complete response.
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

/// Exchange's exception class for a failed InvokeCommand (docs/PROTOCOL.md).
pub(crate) const X_EXCEPTION_TYPE: HeaderName = HeaderName::from_static("x-exceptiontype");

impl HttpResponse {
    /// A header by its constant name (a `&str` lookup goes through http's
    /// uninitialised scratch buffer, which valgrind reports in the C tests).
    pub(crate) fn header(&self, name: &HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Retry-After as a duration: delta-seconds or an HTTP-date.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        let v = self.header(&reqwest::header::RETRY_AFTER)?.trim();
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(secs) = v.parse::<f64>() {
            if secs.is_finite() && secs >= 0.0 {
                return Some(Duration::from_millis((secs * 1000.0) as u64));
            }
        }
        let at = crate::util::parse_http_date(v)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Some(Duration::from_secs(at.saturating_sub(now)))
    }
}

/// Why an exchange produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HttpFailure {
    /// Could not connect (refused, DNS, TLS), or the connection failed before the request was
    /// written to it: the request was provably not sent.
    NotSent(String),
    /// A timeout; `sent` is false when it expired while connecting.
    Timeout { sent: bool, message: String },
    /// The connection broke after the request may have been sent.
    Broken(String),
    /// The caller cancelled.
    Cancelled,
}

impl HttpFailure {
    /// As a library error (for when no retry is left).
    pub(crate) fn to_error(&self, what: &str) -> Error {
        match self {
            HttpFailure::NotSent(m) => Error::new(
                ExoResult::Network,
                Reason::ConnectFailed,
                format!("could not connect to {what}: {m}"),
            ),
            HttpFailure::Timeout { message, .. } => Error::new(
                ExoResult::Timeout,
                Reason::Timeout,
                format!("{what} did not answer in time: {message}"),
            ),
            HttpFailure::Broken(m) => Error::new(
                ExoResult::Network,
                Reason::ConnectionBroken,
                format!("the connection to {what} broke: {m}"),
            ),
            HttpFailure::Cancelled => Error::cancelled(),
        }
    }
}

fn describe(e: &reqwest::Error) -> String {
    // The innermost cause says the most ("Connection refused", "deadline has elapsed").
    let mut msg = String::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(c) = cur {
        msg = c.to_string();
        cur = c.source();
    }
    crate::util::clean_text(&msg, 200)
}

/// hyper (0.14) reports `Canceled` only for a request it never started to write: the pool
/// checkout failed, the connection was "not ready", or the connection failed while the request
/// was still queued for it ("the message was never even started, so it's safe to tell the user
/// that the request was completely canceled", `proto/h1/dispatch.rs`). On a reused connection
/// hyper retries those itself; on a fresh one it returns them, and the innermost cause can read
/// "connection closed before message completed", the same text as a real `IncompleteMessage`
/// (the request was written and the connection closed before the response: it may have run).
/// reqwest does not re-export hyper, so the kind is read from hyper's `Debug` form,
/// `hyper::Error(Canceled, …)`.
fn never_started(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        let d = format!("{:?}", c);
        if d.starts_with("hyper::Error(Canceled") {
            return true;
        }
        cur = c.source();
    }
    false
}

fn classify(e: reqwest::Error) -> HttpFailure {
    let e = e.without_url();
    let m = describe(&e);
    if e.is_connect() {
        if e.is_timeout() {
            HttpFailure::Timeout {
                sent: false,
                message: m,
            }
        } else {
            HttpFailure::NotSent(m)
        }
    } else if e.is_timeout() {
        HttpFailure::Timeout {
            sent: true,
            message: m,
        }
    } else if never_started(&e) {
        HttpFailure::NotSent(format!(
            "the connection closed before the request was sent ({m})"
        ))
    } else {
        HttpFailure::Broken(m)
    }
}

fn perform(req: &mut HttpRequest) -> Result<HttpResponse, HttpFailure> {
    let direct = crate::endpoint::is_loopback(&req.url);
    let client = client(req.connect_timeout, direct, req.pooled)
        .map_err(|e| HttpFailure::NotSent(e.message))?;
    let mut headers = HeaderMap::new();
    for (name, value) in &req.headers {
        let mut v = HeaderValue::from_str(value)
            .map_err(|_| HttpFailure::NotSent("a header value was not valid".into()))?;
        if req.sensitive.contains(name) {
            v.set_sensitive(true);
        }
        headers.insert(name.clone(), v);
    }
    // Moved, not copied: the one buffer is freed by the HTTP stack when it is done with it.
    let body = std::mem::take(&mut req.body);
    let builder = if req.method == reqwest::Method::GET {
        client.get(req.url.clone())
    } else {
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static(req.content_type),
        );
        client
            .request(req.method.clone(), req.url.clone())
            .body(body)
    };
    let result = builder.headers(headers).timeout(req.timeout).send();
    let resp = result.map_err(classify)?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let success = (200..300).contains(&status);
    // Only a success body is worth its size; an error body's first KBs say all that is used.
    let limit = if success {
        req.max_body
    } else {
        req.max_body.min(MAX_ERROR_BODY_BYTES)
    };
    // Sized once from Content-Length (bounded by the cap): growing by doubling copies the body
    // several times, and every block given up is wiped (`crate::wipe`).
    let mut body = Vec::with_capacity(resp.content_length().unwrap_or(0).min(limit + 1) as usize);
    let mut reader = resp.take(limit + 1);
    if let Err(e) = reader.read_to_end(&mut body) {
        body.zeroize();
        let timed_out = e.kind() == std::io::ErrorKind::TimedOut
            || e.get_ref()
                .and_then(|i| i.downcast_ref::<reqwest::Error>())
                .map_or(false, |r| r.is_timeout());
        let m = crate::util::clean_text(&e.to_string(), 200);
        return Err(if timed_out {
            HttpFailure::Timeout {
                sent: true,
                message: m,
            }
        } else {
            HttpFailure::Broken(m)
        });
    }
    // The rest of an error body is never read: the connection is closed, not reused.
    drop(reader);
    if body.len() as u64 > limit {
        if success {
            body.zeroize();
            return Err(HttpFailure::Broken(format!(
                "the response is larger than {limit} bytes, more than a page can be; it was refused"
            )));
        }
        body.truncate(limit as usize);
    }
    let body = match content_encoding(&headers) {
        Encoding::Identity => body,
        Encoding::Gzip if !success => {
            // What decompresses of the (possibly cut) error body, up to the same cap.
            let plain = gunzip_prefix(&body, limit);
            body.zeroize();
            plain
        }
        Encoding::Gzip => {
            let plain = gunzip(&body, limit);
            body.zeroize();
            plain?
        }
        Encoding::Other(name) => {
            body.zeroize();
            return Err(HttpFailure::Broken(format!(
                "the response is encoded as '{name}', which this client did not ask for"
            )));
        }
    };
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// As much of a gzip body as decompresses, at most `limit` bytes (error bodies: a cut or
/// broken stream still yields its readable start).
fn gunzip_prefix(compressed: &[u8], limit: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::MultiGzDecoder::new(compressed).take(limit);
    let mut chunk = [0u8; 4096];
    loop {
        match decoder.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&chunk[..n]),
        }
    }
    chunk.zeroize();
    out
}

enum Encoding {
    Identity,
    Gzip,
    Other(String),
}

fn content_encoding(headers: &HeaderMap) -> Encoding {
    let v = match headers.get(reqwest::header::CONTENT_ENCODING) {
        None => return Encoding::Identity,
        Some(v) => v.to_str().unwrap_or("?").trim().to_ascii_lowercase(),
    };
    match v.as_str() {
        "" | "identity" => Encoding::Identity,
        "gzip" | "x-gzip" => Encoding::Gzip,
        other => Encoding::Other(crate::util::clean_text(other, 32)),
    }
}

/// Decompress a gzip body, refusing more than `limit` bytes of output: a small
/// compressed body can expand to gigabytes (a decompression bomb), so the cap on
/// plain bodies applies to what the body expands to, not only to what was received.
pub(crate) fn gunzip(compressed: &[u8], limit: u64) -> Result<Vec<u8>, HttpFailure> {
    let mut out = Vec::with_capacity(gunzip_capacity(compressed, limit));
    let decoder = flate2::read::MultiGzDecoder::new(compressed);
    if let Err(e) = decoder.take(limit + 1).read_to_end(&mut out) {
        out.zeroize();
        return Err(HttpFailure::Broken(format!(
            "the gzip-compressed response could not be decompressed: {}",
            crate::util::clean_text(&e.to_string(), 120)
        )));
    }
    if out.len() as u64 > limit {
        out.zeroize();
        return Err(HttpFailure::Broken(format!(
            "the gzip-compressed response expands to more than {limit} bytes (the limit for one \
             response); it was refused as a possible decompression bomb"
        )));
    }
    Ok(out)
}

/// Room for a gzip body's plain text: the trailer's ISIZE (the plain size, mod 2^32, of the
/// last member), so a page is decompressed into one block instead of one grown by doubling
/// (each step a copy of megabytes and a wipe). Only a hint: never more than `limit` or than
/// deflate can expand `compressed` to, and a body it does not fit (several members, a wrong
/// trailer) still grows as needed. `PAGE_SLACK` more: the page the cursor hands on
/// (`exchange::cursor`) is built in this block.
fn gunzip_capacity(compressed: &[u8], limit: u64) -> usize {
    const GZIP_FRAME: usize = 18;
    const MAX_DEFLATE_RATIO: u64 = 1032;
    let n = compressed.len();
    if n < GZIP_FRAME {
        return 0;
    }
    let mut isize = [0u8; 4];
    isize.copy_from_slice(&compressed[n - 4..]);
    let plain = u64::from(u32::from_le_bytes(isize))
        .min(limit)
        .min((n as u64).saturating_mul(MAX_DEFLATE_RATIO));
    plain as usize + PAGE_SLACK
}

/// Spare room after a page's plain body: see `gunzip_capacity`.
pub(crate) const PAGE_SLACK: usize = 1024;

struct Slot {
    result: Mutex<Option<Result<HttpResponse, HttpFailure>>>,
}

/// Run one exchange on a worker thread; return when it completes, `timeout`
/// plus a grace period passes, or `cancel` is cancelled.
pub(crate) fn execute(
    mut req: HttpRequest,
    cancel: &Arc<CancelToken>,
) -> Result<HttpResponse, HttpFailure> {
    if cancel.is_cancelled() {
        req.body.zeroize();
        return Err(HttpFailure::Cancelled);
    }
    // Backstop: reqwest enforces `timeout`; this only guards against a stuck worker.
    let deadline = Instant::now() + req.timeout + req.connect_timeout + Duration::from_secs(5);
    let slot = Arc::new(Slot {
        result: Mutex::new(None),
    });
    let (slot2, cancel2) = (slot.clone(), cancel.clone());
    let spawned = std::thread::Builder::new()
        .name("exo-http".into())
        .spawn(move || {
            let r = perform(&mut req);
            req.body.zeroize();
            *lock(&slot2.result) = Some(r);
            cancel2.wake();
        });
    if spawned.is_err() {
        return Err(HttpFailure::NotSent(
            "could not start a worker thread".into(),
        ));
    }
    let done = cancel
        .wait_until(deadline, || lock(&slot.result).is_some())
        .map_err(|_| HttpFailure::Cancelled)?;
    if !done {
        return Err(HttpFailure::Timeout {
            sent: true,
            message: "no answer before the deadline".into(),
        });
    }
    let taken = lock(&slot.result).take();
    taken.unwrap_or_else(|| {
        Err(HttpFailure::Broken(
            "the exchange ended without a result".into(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    fn req(url: &str, timeout_ms: u64) -> HttpRequest {
        HttpRequest {
            method: reqwest::Method::POST,
            url: Url::parse(url).unwrap(),
            headers: vec![],
            sensitive: vec![],
            content_type: "application/json",
            body: b"{}".to_vec(),
            max_body: MAX_PAGE_BODY_BYTES,
            pooled: true,
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_millis(timeout_ms),
        }
    }

    #[test]
    fn connection_refused_is_not_sent() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let cancel = Arc::new(CancelToken::new());
        match execute(req(&format!("http://127.0.0.1:{port}/x"), 2000), &cancel) {
            Err(HttpFailure::NotSent(_)) => {}
            other => panic!("{:?}", other.map(|r| r.status)),
        }
    }

    #[test]
    fn cancel_returns_promptly_while_server_is_silent() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let hold = std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            std::thread::sleep(Duration::from_secs(3));
            drop(s);
        });
        let cancel = Arc::new(CancelToken::new());
        let c2 = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            c2.cancel();
        });
        let start = Instant::now();
        let r = execute(req(&format!("http://127.0.0.1:{port}/x"), 20_000), &cancel);
        assert!(matches!(r, Err(HttpFailure::Cancelled)));
        assert!(start.elapsed() < Duration::from_secs(1));
        hold.join().unwrap();
    }

    #[test]
    fn a_connection_closed_after_the_request_is_broken_not_unsent() {
        // The server closes each connection without answering. hyper wrote the request before it
        // saw the close (IncompleteMessage): the service may have run it, so it must not count
        // as not sent (which would let a write be retried).
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let mut s = match s {
                    Ok(s) => s,
                    Err(_) => return,
                };
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
            }
        });
        let cancel = Arc::new(CancelToken::new());
        for _ in 0..20 {
            match execute(req(&format!("http://127.0.0.1:{port}/x"), 2000), &cancel) {
                Err(HttpFailure::Broken(m)) => assert!(m.contains("closed"), "{m}"),
                other => panic!("{:?}", other.map(|r| r.status)),
            }
        }
    }

    #[derive(Debug)]
    struct Wrapper(Box<dyn std::error::Error + 'static>);
    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("error sending request")
        }
    }
    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&*self.0)
        }
    }
    /// Stands in for hyper's error (whose constructors are private), with its Debug form.
    struct FakeHyper(&'static str, &'static str);
    impl std::fmt::Debug for FakeHyper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "hyper::Error({})", self.0)
        }
    }
    impl std::fmt::Display for FakeHyper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.1)
        }
    }
    impl std::error::Error for FakeHyper {}

    #[test]
    fn only_hyper_canceled_means_never_started() {
        let canceled = Wrapper(Box::new(FakeHyper(
            "Canceled, \"connection closed\"",
            "operation was canceled",
        )));
        assert!(never_started(&canceled));
        let incomplete = Wrapper(Box::new(FakeHyper(
            "IncompleteMessage",
            "connection closed before message completed",
        )));
        assert!(!never_started(&incomplete));
        let io = Wrapper(Box::new(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset",
        )));
        assert!(!never_started(&io));
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// Serves one response with `head` (status line and headers, without Content-Length) and `body`.
    fn serve_once(head: &'static str, body: Vec<u8>) -> (u16, std::thread::JoinHandle<()>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let h = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                format!(
                    "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            let _ = s.write_all(&body);
        });
        (port, h)
    }

    #[test]
    fn a_gzip_body_is_decompressed() {
        let plain = br#"{"value":[{"Name":"a"},{"Name":"b"}]}"#.repeat(200);
        let packed = gzip(&plain);
        assert!(packed.len() * 5 < plain.len());
        let (port, h) = serve_once("HTTP/1.1 200 OK\r\nContent-Encoding: gzip", packed);
        let cancel = Arc::new(CancelToken::new());
        let r = execute(req(&format!("http://127.0.0.1:{port}/x"), 5000), &cancel)
            .ok()
            .unwrap();
        assert_eq!(r.body, plain);
        h.join().unwrap();
    }

    #[test]
    fn a_gzip_body_is_decompressed_into_one_block() {
        let plain: Vec<u8> = (0..300_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let packed = gzip(&plain);
        assert_eq!(gunzip_capacity(&packed, 64 << 20), plain.len() + PAGE_SLACK);
        let out = gunzip(&packed, 64 << 20).unwrap();
        assert_eq!(out, plain);
        assert_eq!(out.capacity(), plain.len() + PAGE_SLACK);
        // The trailer is only a hint: bounded by the cap and by what deflate can expand to.
        assert_eq!(gunzip_capacity(&packed, 1000), 1000 + PAGE_SLACK);
        let mut lying = gzip(b"tiny");
        let n = lying.len();
        lying[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(gunzip_capacity(&lying, 64 << 20) <= n * 1032 + PAGE_SLACK);
        assert_eq!(gunzip_capacity(b"short", 64 << 20), 0);
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let packed = gzip(&vec![0u8; 1 << 20]);
        assert!(packed.len() < 8 << 10);
        assert_eq!(gunzip(&packed, 1 << 20).unwrap().len(), 1 << 20);
        match gunzip(&packed, (1 << 20) - 1) {
            Err(HttpFailure::Broken(m)) => assert!(m.contains("decompression bomb"), "{m}"),
            other => panic!("{:?}", other.map(|b| b.len())),
        }
        match gunzip(b"not gzip at all", 1 << 20) {
            Err(HttpFailure::Broken(m)) => assert!(m.contains("could not be decompressed"), "{m}"),
            other => panic!("{:?}", other.map(|b| b.len())),
        }
    }

    #[test]
    fn an_unasked_for_encoding_is_refused() {
        let (port, h) = serve_once("HTTP/1.1 200 OK\r\nContent-Encoding: br", b"xx".to_vec());
        let cancel = Arc::new(CancelToken::new());
        match execute(req(&format!("http://127.0.0.1:{port}/x"), 5000), &cancel) {
            Err(HttpFailure::Broken(m)) => assert!(m.contains("'br'"), "{m}"),
            other => panic!("{:?}", other.map(|r| r.status)),
        }
        h.join().unwrap();
    }

    #[test]
    fn response_and_retry_after() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let srv = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            s.write_all(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                .unwrap();
        });
        let cancel = Arc::new(CancelToken::new());
        let r = execute(req(&format!("http://127.0.0.1:{port}/x"), 5000), &cancel)
            .ok()
            .unwrap();
        assert_eq!(r.status, 429);
        assert_eq!(r.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(r.body, b"{}");
        srv.join().unwrap();
    }
}
