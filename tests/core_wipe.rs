//! Issue 14, finding 2: after Disconnect and free, no secret is left in the process's memory.
//! The refresh token, the client secret, the access token and the rotated refresh token go
//! through the real exchange (token request, InvokeCommand with the bearer header, over a
//! kept-alive connection), then every readable mapping of the process (/proc/self/maps,
//! read through /proc/self/mem) is searched for them. Its own binary: nothing else runs in
//! the process. The test keeps the secrets only masked (XOR), so its own copies are not hits.

use exo_bridge::{Connection, Cursor, InvokeRequest, Secret, Secrets};
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::time::Duration;

const MASK: u8 = 0x5A;

/// A random secret of `prefix` and 48 hex digits, returned masked; never held in clear by
/// the test except inside the `Secret` it is moved into.
fn masked_secret(prefix: &str) -> Vec<u8> {
    let mut text = String::from(prefix);
    for _ in 0..3 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(std::process::id() as u64);
        text.push_str(&format!("{:016x}", h.finish()));
    }
    text.bytes().map(|b| b ^ MASK).collect()
}

fn unmask(masked: &[u8]) -> String {
    String::from_utf8(masked.iter().map(|b| b ^ MASK).collect()).unwrap()
}

/// Where `masked` (unmasked) occurs in `hay`, comparing masked bytes only.
fn find_masked(hay: &[u8], masked: &[u8]) -> Option<usize> {
    let first = masked[0] ^ MASK;
    let mut i = 0;
    while i + masked.len() <= hay.len() {
        match hay[i..hay.len() - masked.len() + 1]
            .iter()
            .position(|b| *b == first)
        {
            None => return None,
            Some(p) => i += p,
        }
        if hay[i..i + masked.len()]
            .iter()
            .zip(masked)
            .all(|(h, m)| h ^ MASK == *m)
        {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The token endpoint and Exchange: answers with the masked access and refresh tokens,
/// unmasked only in heap buffers that are dropped (and wiped) right after.
fn serve(
    l: TcpListener,
    access: Vec<u8>,
    rotated: Vec<u8>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) {
    l.set_nonblocking(true).unwrap();
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let s = match l.accept() {
            Ok((s, _)) => s,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
        };
        s.set_nonblocking(false).unwrap();
        handle(s, &access, &rotated);
    }
}

fn handle(mut s: TcpStream, access: &[u8], rotated: &[u8]) {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    loop {
        let mut req: Vec<u8> = Vec::new();
        let mut byte = vec![0u8; 1];
        while !req.ends_with(b"\r\n\r\n") {
            match s.read(&mut byte) {
                Ok(1) => req.push(byte[0]),
                _ => return,
            }
        }
        let head = String::from_utf8_lossy(&req).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        if s.read_exact(&mut body).is_err() {
            return;
        }
        let answer = if head.contains("/oauth2/v2.0/token") {
            format!(
                r#"{{"access_token":"{}","expires_in":3600,"refresh_token":"{}"}}"#,
                unmask(access),
                unmask(rotated)
            )
        } else {
            r#"{"value":[{"Name":"a"},{"Name":"b"}]}"#.to_string()
        };
        let out = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if s.write_all(out.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn no_secret_is_left_in_memory_after_disconnect_and_free() {
    let refresh = masked_secret("rt-wipe-");
    let client = masked_secret("cs~wipe ");
    let access = masked_secret("at.wipe.");
    let rotated = masked_secret("rt-rotated-");

    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (a2, r2, s2) = (access.clone(), rotated.clone(), stop.clone());
    let server = std::thread::spawn(move || serve(l, a2, r2, s2));

    {
        let options = exo_bridge::ConnectionOptions::from_json(&format!(
            r#"{{"tenantId":"contoso.onmicrosoft.com","applicationId":"11111111-2222-3333-4444-555555555555","authorityHost":"{url}","exchangeHost":"{url}"}}"#
        ))
        .unwrap();
        let conn = Connection::connect(
            options,
            Secrets {
                refresh_token: Some(Secret::new(unmask(&refresh))),
                client_secret: Some(Secret::new(unmask(&client))),
                access_token: None,
            },
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        for _ in 0..3 {
            let mut cur = Cursor::new(
                conn.clone(),
                InvokeRequest::from_json(r#"{"cmdlet":"Get-Mailbox"}"#).unwrap(),
            )
            .unwrap();
            let page = cur.next_page().unwrap();
            assert!(page.value_json.contains("\"a\""));
        }
        let (rt, rotated_flag) = conn.refresh_token().unwrap();
        assert!(rotated_flag);
        assert!(
            find_masked(rt.expose().as_bytes(), &rotated).is_some(),
            "the rotation arrived"
        );
        drop(rt);
        conn.disconnect();
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    server.join().unwrap();
    // Worker threads that finish in the background are bounded by their request; these
    // exchanges have all ended, so a moment lets their threads exit.
    std::thread::sleep(Duration::from_millis(300));

    let hits = scan(&[
        ("refresh token", &refresh),
        ("client secret", &client),
        ("access token", &access),
        ("rotated refresh token", &rotated),
    ]);
    assert!(hits.is_empty(), "secrets left in memory: {hits:?}");
}

/// Every readable mapping, searched for each masked secret: "what at address (mapping)".
fn scan(secrets: &[(&str, &Vec<u8>)]) -> Vec<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let mem = std::fs::File::open("/proc/self/mem").unwrap();
    const CHUNK: usize = 1 << 20;
    let longest = secrets.iter().map(|(_, s)| s.len()).max().unwrap();
    let mut buf = vec![0u8; CHUNK + longest];
    let own = (buf.as_ptr() as usize, buf.as_ptr() as usize + buf.len());
    let mut hits = Vec::new();
    let mut scanned = 0usize;
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let (range, perms) = (parts.next().unwrap(), parts.next().unwrap());
        let name = line
            .split_whitespace()
            .nth(5)
            .unwrap_or("[anon]")
            .to_string();
        if !perms.starts_with('r') || name == "[vvar]" || name == "[vsyscall]" {
            continue;
        }
        let (start, end) = range.split_once('-').unwrap();
        let (start, end) = (
            usize::from_str_radix(start, 16).unwrap(),
            usize::from_str_radix(end, 16).unwrap(),
        );
        let mut at = start;
        while at < end {
            let n = (end - at).min(CHUNK + longest);
            // The scan's own buffer holds copies of what it read.
            if at < own.1 && at + n > own.0 {
                at += CHUNK;
                continue;
            }
            buf[..n].fill(0);
            if mem.read_exact_at(&mut buf[..n], at as u64).is_ok() {
                scanned += n;
                for (what, s) in secrets {
                    if let Some(p) = find_masked(&buf[..n], s) {
                        hits.push(format!("{what} at {:#x} ({name})", at + p));
                    }
                }
            }
            at += CHUNK;
        }
    }
    buf.fill(0);
    assert!(
        scanned > 1 << 20,
        "the scan read the process's memory ({scanned} bytes)"
    );
    hits.sort();
    hits.dedup();
    hits
}
