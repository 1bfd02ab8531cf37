//! Shared helper for integration tests that drive `exo-emulator` over HTTP.
//!
//! The emulator's own integration tests drive the real binary (`CARGO_BIN_EXE_exo-emulator`),
//! so the command-line contract is tested with everything else:
//!
//! ```ignore
//! mod common;
//! use common::Emulator;
//! let emu = Emulator::start(&["--mailboxes", "20"]);
//! let token = emu.exchange_token(&emu.customer(0).0);
//! let rows = emu.invoke_all(&emu.customer(0).0, &token, "Get-Mailbox", serde_json::json!({}));
//! ```
//!
//! The child is started with `--listen 127.0.0.1:0` (unless given), its JSON startup line is
//! parsed (`emu.info`), and it is killed when the `Emulator` is dropped.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

pub const EXCHANGE_SCOPE: &str = "https://outlook.office365.com/.default";

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_exo-emulator")
}

/// A response from the emulator: status, lower-cased headers, raw body and parsed JSON (Null if not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// `error` of a token-endpoint error body.
    pub fn aad_error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }
    /// First entry of `error_codes`.
    pub fn aad_code(&self) -> u64 {
        self.json["error_codes"][0].as_u64().unwrap_or(0)
    }
    /// `details[0].message` of an Exchange error (the `ErrCode|ExceptionType|text` triple).
    pub fn exo_detail(&self) -> &str {
        self.json["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or("")
    }
    /// The exception type from the triple (e.g. `Microsoft.Exchange...ManagementObjectNotFoundException`).
    pub fn exo_exception(&self) -> &str {
        self.exo_detail().split('|').nth(1).unwrap_or("")
    }
    pub fn values(&self) -> Vec<Value> {
        self.json["value"].as_array().cloned().unwrap_or_default()
    }
    pub fn next_link(&self) -> Option<String> {
        self.json["@odata.nextLink"].as_str().map(|s| s.to_string())
    }
    pub fn warnings(&self) -> Vec<String> {
        self.json["@adminapi.warnings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|w| w.as_str().map(|s| s.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct Emulator {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The parsed startup line.
    pub info: Value,
    pub url: String,
    pub http: reqwest::blocking::Client,
    stderr: Arc<Mutex<String>>,
    extra_stdout: Arc<Mutex<Vec<String>>>,
}

impl Emulator {
    /// Starts the emulator with extra arguments; panics (with its stderr) if it does not print
    /// its startup line within 30 s.
    pub fn start(args: &[&str]) -> Emulator {
        Emulator::try_start(args).unwrap_or_else(|e| panic!("exo-emulator failed to start: {}", e))
    }

    pub fn try_start(args: &[&str]) -> Result<Emulator, String> {
        let mut all: Vec<String> = Vec::new();
        if !args
            .iter()
            .any(|a| *a == "--listen" || a.starts_with("--listen="))
        {
            all.push("--listen".into());
            all.push("127.0.0.1:0".into());
        }
        all.extend(args.iter().map(|s| s.to_string()));
        let mut child = Command::new(binary())
            .args(&all)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn {}: {}", binary(), e))?;
        let stderr = Arc::new(Mutex::new(String::new()));
        {
            let mut err = child.stderr.take().unwrap();
            let sink = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        let extra_stdout = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        {
            let out = child.stdout.take().unwrap();
            let extra = extra_stdout.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(out);
                let mut first = String::new();
                let _ = r.read_line(&mut first);
                let _ = tx.send(first);
                for line in r.lines() {
                    match line {
                        Ok(l) => extra.lock().unwrap().push(l),
                        Err(_) => break,
                    }
                }
            });
        }
        let stdin = child.stdin.take();
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(l) if !l.trim().is_empty() => l,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(50));
                return Err(format!(
                    "no startup line ({:?}); stderr: {}",
                    other.err(),
                    stderr.lock().unwrap()
                ));
            }
        };
        let info: Value = serde_json::from_str(line.trim())
            .map_err(|e| format!("startup line is not JSON ({}): {}", e, line))?;
        let url = info["url"]
            .as_str()
            .ok_or("startup line has no url")?
            .to_string();
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Emulator {
            child,
            stdin,
            info,
            url,
            http,
            stderr,
            extra_stdout,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the emulator wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Lines printed on stdout after the startup line (the contract says: none).
    pub fn extra_stdout(&self) -> Vec<String> {
        self.extra_stdout.lock().unwrap().clone()
    }

    /// Closes stdin and waits (up to `timeout`) for the process to exit.
    pub fn close_stdin_and_wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        drop(self.stdin.take());
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.child.try_wait() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    // --- startup line accessors -------------------------------------------------------------

    pub fn str(&self, key: &str) -> String {
        self.info[key]
            .as_str()
            .unwrap_or_else(|| panic!("startup line has no string '{}'", key))
            .to_string()
    }
    pub fn partner_tenant(&self) -> String {
        self.str("partnerTenantId")
    }
    pub fn application_id(&self) -> String {
        self.str("applicationId")
    }
    pub fn client_secret(&self) -> String {
        self.str("clientSecret")
    }
    pub fn public_client_id(&self) -> String {
        self.str("publicClientId")
    }
    pub fn refresh_token(&self) -> String {
        self.str("refreshToken")
    }
    /// (tenantId, domain) of customer `i`.
    pub fn customer(&self, i: usize) -> (String, String) {
        let c = &self.info["customers"][i];
        (
            c["tenantId"].as_str().unwrap().to_string(),
            c["domain"].as_str().unwrap().to_string(),
        )
    }
    pub fn customers(&self) -> Vec<(String, String)> {
        (0..self.info["customers"]
            .as_array()
            .map(|a| a.len())
            .unwrap_or(0))
            .map(|i| self.customer(i))
            .collect()
    }
    /// (tenantId, domain) of a special tenant: mfaRequired, consentMissing, conditionalAccess, appMissing, noExchange.
    pub fn special(&self, kind: &str) -> (String, String) {
        let c = &self.info["specialTenants"][kind];
        (
            c["tenantId"].as_str().unwrap().to_string(),
            c["domain"].as_str().unwrap().to_string(),
        )
    }
    pub fn unrelated(&self) -> (String, String) {
        let c = &self.info["unrelatedTenant"];
        (
            c["tenantId"].as_str().unwrap().to_string(),
            c["domain"].as_str().unwrap().to_string(),
        )
    }

    // --- HTTP ---------------------------------------------------------------------------------

    fn reply(resp: reqwest::blocking::Response) -> Reply {
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let text = resp.text().unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.url, tenant)
    }
    pub fn devicecode_url(&self, tenant: &str) -> String {
        format!("{}/{}/oauth2/v2.0/devicecode", self.url, tenant)
    }
    pub fn invoke_url(&self, tenant: &str) -> String {
        format!("{}/adminapi/beta/{}/InvokeCommand", self.url, tenant)
    }

    /// POSTs a form to the token endpoint of `tenant`.
    pub fn token_request(&self, tenant: &str, form: &[(&str, &str)]) -> Reply {
        Emulator::reply(
            self.http
                .post(self.token_url(tenant))
                .form(form)
                .send()
                .expect("token request"),
        )
    }

    /// refresh_token grant; `secret` only for the confidential app.
    pub fn redeem(
        &self,
        tenant: &str,
        client: &str,
        secret: Option<&str>,
        rt: &str,
        scope: &str,
    ) -> Reply {
        let mut f = vec![
            ("grant_type", "refresh_token"),
            ("client_id", client),
            ("refresh_token", rt),
            ("scope", scope),
        ];
        if let Some(s) = secret {
            f.push(("client_secret", s));
        }
        self.token_request(tenant, &f)
    }

    /// An Exchange access token for `tenant` from the partner app's refresh token (asserts success).
    pub fn exchange_token(&self, tenant: &str) -> String {
        let r = self.redeem(
            tenant,
            &self.application_id(),
            Some(&self.client_secret()),
            &self.refresh_token(),
            EXCHANGE_SCOPE,
        );
        assert_eq!(r.status, 200, "token for {}: {}", tenant, r.text);
        r.json["access_token"].as_str().unwrap().to_string()
    }

    /// An app-only Exchange token (client_credentials) for `tenant` (asserts success).
    pub fn app_token(&self, tenant: &str) -> String {
        let r = self.token_request(
            tenant,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &self.application_id()),
                ("client_secret", &self.client_secret()),
                ("scope", EXCHANGE_SCOPE),
            ],
        );
        assert_eq!(r.status, 200, "app token for {}: {}", tenant, r.text);
        r.json["access_token"].as_str().unwrap().to_string()
    }

    /// POSTs `{"CmdletInput":{...}}` to `url` with the usual headers; `extra` adds/overrides headers.
    pub fn invoke_raw(
        &self,
        url: &str,
        token: Option<&str>,
        body: &Value,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut rb = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .body(body.to_string());
        if let Some(t) = token {
            rb = rb.header("Authorization", format!("Bearer {}", t));
        }
        for (k, v) in extra {
            rb = rb.header(*k, *v);
        }
        Emulator::reply(rb.send().expect("InvokeCommand request"))
    }

    pub fn body(cmdlet: &str, params: Value) -> Value {
        json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": params}})
    }

    /// One InvokeCommand call (first page).
    pub fn invoke(&self, tenant: &str, token: &str, cmdlet: &str, params: Value) -> Reply {
        self.invoke_raw(
            &self.invoke_url(tenant),
            Some(token),
            &Emulator::body(cmdlet, params),
            &[("X-CmdletName", cmdlet)],
        )
    }

    /// Follows `@odata.nextLink` (re-POSTing the same body) and returns every row; panics on a non-200.
    pub fn invoke_all(&self, tenant: &str, token: &str, cmdlet: &str, params: Value) -> Vec<Value> {
        self.invoke_all_paged(tenant, token, cmdlet, params, None).0
    }

    /// Like `invoke_all` with `Prefer: odata.maxpagesize`; also returns the number of pages.
    pub fn invoke_all_paged(
        &self,
        tenant: &str,
        token: &str,
        cmdlet: &str,
        params: Value,
        page_size: Option<usize>,
    ) -> (Vec<Value>, usize) {
        let body = Emulator::body(cmdlet, params);
        let prefer = page_size.map(|n| format!("odata.maxpagesize={}", n));
        let mut headers: Vec<(&str, &str)> = vec![("X-CmdletName", cmdlet)];
        if let Some(p) = &prefer {
            headers.push(("Prefer", p));
        }
        let mut url = self.invoke_url(tenant);
        let mut rows = Vec::new();
        let mut pages = 0;
        loop {
            let r = self.invoke_raw(&url, Some(token), &body, &headers);
            assert_eq!(r.status, 200, "{} page {}: {}", cmdlet, pages, r.text);
            pages += 1;
            rows.extend(r.values());
            match r.next_link() {
                Some(n) => url = n,
                None => return (rows, pages),
            }
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        Emulator::reply(
            self.http
                .get(format!("{}{}", self.url, path))
                .send()
                .expect("GET"),
        )
    }
    pub fn post(&self, path: &str) -> Reply {
        Emulator::reply(
            self.http
                .post(format!("{}{}", self.url, path))
                .send()
                .expect("POST"),
        )
    }

    /// `GET /_emulator/stats`.
    pub fn stats(&self) -> Value {
        let r = self.get("/_emulator/stats");
        assert_eq!(r.status, 200, "stats: {}", r.text);
        r.json
    }
    pub fn reset_stats(&self) {
        assert_eq!(self.post("/_emulator/reset-stats").status, 200);
    }
    pub fn revoke(&self) {
        assert_eq!(self.post("/_emulator/revoke").status, 200);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Decodes the payload of a JWT-shaped token.
pub fn jwt_payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("JWT has a payload");
    let mut bytes = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in part.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => continue,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    serde_json::from_slice(&bytes).expect("JWT payload is JSON")
}
