//! Helpers for the core's integration tests (`tests/core_*.rs`): the emulator
//! started in-process (the `exo-emulator` crate), options and secrets from its
//! start line, paging a cursor to the end, and a scripted fake HTTP server for the
//! cases the emulator cannot produce (401 then success, foreign nextLinks,
//! device-code slow_down).
#![allow(dead_code)]

use exo_bridge::ConnectionOptions;
use exo_bridge::InvokeRequest;
use exo_bridge::{Connection, Secrets};
use exo_bridge::{Cursor, Page};
use exo_bridge::{Error, Secret};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The emulator, started in-process for one test (stopped when dropped).
pub struct Emulator {
    inner: exo_emulator::Emulator,
    pub start: Value,
    pub url: String,
    http: reqwest::blocking::Client,
}

impl Emulator {
    /// Starts the emulator with command-line style arguments (docs/EMULATOR.md).
    pub fn start(args: &[&str]) -> Emulator {
        let cfg = match exo_emulator::parse_args(args) {
            Ok(exo_emulator::Command::Run(cfg)) => cfg,
            Ok(exo_emulator::Command::Help) => panic!("--help is not a test"),
            Err(e) => panic!("emulator arguments: {e}"),
        };
        let inner = exo_emulator::start(cfg).expect("emulator starts");
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("control client");
        Emulator {
            start: inner.startup.clone(),
            url: inner.url.clone(),
            inner,
            http,
        }
    }

    fn control(&self, method: reqwest::Method, path: &str) -> Value {
        let r = self
            .http
            .request(method, format!("{}/_emulator/{}", self.inner.url, path))
            .send()
            .expect("control request");
        assert_eq!(r.status().as_u16(), 200, "/_emulator/{path}");
        r.json().unwrap_or(Value::Null)
    }

    pub fn s(&self, key: &str) -> String {
        self.start[key]
            .as_str()
            .unwrap_or_else(|| panic!("start line has no {key}"))
            .to_string()
    }

    pub fn customer(&self, i: usize) -> String {
        self.start["customers"][i]["tenantId"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn customer_domain(&self, i: usize) -> String {
        self.start["customers"][i]["domain"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn mailboxes(&self, i: usize) -> usize {
        self.start["customers"][i]["mailboxes"].as_u64().unwrap() as usize
    }

    pub fn special(&self, name: &str) -> String {
        self.start["specialTenants"][name]["tenantId"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn app(&self) -> String {
        self.s("applicationId")
    }

    /// Options JSON for `tenant` and `app` against this emulator, with `extra` merged in.
    pub fn options_json(&self, tenant: &str, app: &str, extra: Value) -> String {
        let mut o = json!({
            "tenantId": tenant, "applicationId": app,
            "authorityHost": self.url, "exchangeHost": self.url,
            "maxRetryWaitMs": 100,
        });
        if let Value::Object(m) = extra {
            for (k, v) in m {
                o[k] = v;
            }
        }
        o.to_string()
    }

    pub fn options(&self, tenant: &str, app: &str, extra: Value) -> ConnectionOptions {
        ConnectionOptions::from_json(&self.options_json(tenant, app, extra)).expect("options")
    }

    /// The partner's refresh token and the confidential app's secret.
    pub fn rt_secrets(&self) -> Secrets {
        Secrets {
            refresh_token: Some(Secret::new(self.s("refreshToken"))),
            client_secret: Some(Secret::new(self.s("clientSecret"))),
            access_token: None,
        }
    }

    pub fn connect_rt(&self, tenant: &str, extra: Value) -> Result<Arc<Connection>, Error> {
        Connection::connect(self.options(tenant, &self.app(), extra), self.rt_secrets())
    }

    pub fn connect_app(&self, tenant: &str, extra: Value) -> Result<Arc<Connection>, Error> {
        Connection::connect(
            self.options(tenant, &self.app(), extra),
            Secrets {
                client_secret: Some(Secret::new(self.s("clientSecret"))),
                ..Default::default()
            },
        )
    }

    /// `GET /_emulator/stats`.
    pub fn stats(&self) -> Value {
        self.control(reqwest::Method::GET, "stats")
    }

    pub fn reset_stats(&self) {
        self.control(reqwest::Method::POST, "reset-stats");
    }

    pub fn revoke(&self) {
        self.control(reqwest::Method::POST, "revoke");
    }

    pub fn tokens_issued(&self) -> u64 {
        self.stats()["tokens"]["issued"].as_u64().unwrap()
    }
}

pub fn invoke(conn: &Arc<Connection>, req: Value) -> Cursor {
    Cursor::new(
        conn.clone(),
        InvokeRequest::from_json(&req.to_string()).expect("request"),
    )
    .expect("invoke")
}

/// Page to the end: (records, pages).
pub fn drain(cursor: &mut Cursor) -> Result<(Vec<Value>, Vec<Page>), Error> {
    let mut records = Vec::new();
    let mut pages = Vec::new();
    loop {
        let p = cursor.next_page()?;
        let v: Vec<Value> = serde_json::from_str(&p.value_json).expect("value is a JSON array");
        records.extend(v);
        let more = p.more;
        pages.push(p);
        if !more {
            return Ok((records, pages));
        }
    }
}

pub fn run(conn: &Arc<Connection>, req: Value) -> Result<Vec<Value>, Error> {
    drain(&mut invoke(conn, req)).map(|(r, _)| r)
}

/// The secrets of the start line never appear in an error.
pub fn assert_no_secrets(emu: &Emulator, e: &Error) {
    let text = format!("{} {} {:?}", e.message, e.to_json(), e);
    for k in [
        "refreshToken",
        "clientSecret",
        "publicRefreshToken",
        "expiredRefreshToken",
        "expiredClientSecret",
    ] {
        let s = emu.s(k);
        assert!(!text.contains(&s), "{k} leaked into an error: {text}");
    }
}

// ---------------------------------------------------------------------------
// A scripted HTTP/1.1 server on loopback.

pub struct FakeRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl FakeRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn body_str(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub struct FakeResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl FakeResponse {
    pub fn json(status: u16, body: Value) -> FakeResponse {
        FakeResponse {
            status,
            headers: vec![],
            body: body.to_string(),
        }
    }
}

pub struct FakeServer {
    pub url: String,
    pub connections: Arc<AtomicUsize>,
    pub requests: Arc<Mutex<Vec<FakeRequest>>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

type Handler = dyn Fn(&FakeRequest) -> FakeResponse + Send + Sync;

impl FakeServer {
    pub fn start(
        handler: impl Fn(&FakeRequest) -> FakeResponse + Send + Sync + 'static,
    ) -> FakeServer {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (c2, r2, s2) = (connections.clone(), requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in l.incoming() {
                if s2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                c2.fetch_add(1, Ordering::SeqCst);
                let (h, r) = (handler.clone(), r2.clone());
                std::thread::spawn(move || serve(stream, &*h, &r));
            }
        });
        FakeServer {
            url: format!("http://127.0.0.1:{port}"),
            connections,
            requests,
            stop,
            port,
        }
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(mut s: TcpStream, h: &Handler, log: &Mutex<Vec<FakeRequest>>) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    loop {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") {
            match s.read(&mut byte) {
                Ok(1) => buf.push(byte[0]),
                _ => return,
            }
        }
        let head = String::from_utf8_lossy(&buf).into_owned();
        let mut lines = head.split("\r\n");
        let first: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            })
            .collect();
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0usize);
        let mut body = vec![0u8; len];
        if s.read_exact(&mut body).is_err() {
            return;
        }
        let req = FakeRequest {
            method: first.first().unwrap_or(&"").to_string(),
            path: first.get(1).unwrap_or(&"").to_string(),
            headers,
            body,
        };
        let resp = h(&req);
        log.lock().unwrap().push(req);
        let mut out = format!(
            "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            resp.status,
            resp.body.len()
        );
        for (k, v) in &resp.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&resp.body);
        if s.write_all(out.as_bytes()).is_err() {
            return;
        }
    }
}

/// A JWT-shaped token with the given claims (unsigned; for the fake server).
pub fn fake_jwt(claims: Value) -> String {
    fn b64(data: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | (*b as u32) << (16 - 8 * i));
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
    format!(
        "{}.{}.c2ln",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    )
}
