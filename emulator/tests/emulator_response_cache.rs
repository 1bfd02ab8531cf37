//! `--response-cache`: a repeated read is answered from the kept page, byte for byte what
//! rendering gives (after gunzip), with a fresh skip token, fresh headers, faults and auth as
//! before; a write drops what was kept; the stats count hits as rendered pages.

mod common;

use common::Emulator;
use serde_json::{json, Value};
use std::io::Read;

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// One raw InvokeCommand POST: status, headers (lower-cased names), the body after gunzip
/// (when the response says gzip) and whether it was gzip-encoded.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    gzipped: bool,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn next_link(&self) -> Option<String> {
        self.json()["@odata.nextLink"]
            .as_str()
            .map(|s| s.to_string())
    }
}

fn post(emu: &Emulator, url: &str, tok: &str, body: &Value, extra: &[(&str, &str)]) -> Raw {
    let mut rb = emu
        .http
        .post(url)
        .header("Authorization", format!("Bearer {}", tok))
        .header("Content-Type", "application/json")
        .body(body.to_string());
    for (k, v) in extra {
        rb = rb.header(*k, *v);
    }
    let r = rb.send().expect("InvokeCommand");
    let status = r.status().as_u16();
    let headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let bytes = r.bytes().unwrap().to_vec();
    let gzipped = headers
        .iter()
        .any(|(k, v)| k == "content-encoding" && v == "gzip");
    let body = if gzipped { gunzip(&bytes) } else { bytes };
    Raw {
        status,
        headers,
        body,
        gzipped,
    }
}

/// Every page of one enumeration, following nextLinks (asserting 200s), as sent.
fn enumerate(emu: &Emulator, t: &str, tok: &str, body: &Value, extra: &[(&str, &str)]) -> Vec<Raw> {
    let mut url = emu.invoke_url(t);
    let mut pages = vec![];
    loop {
        let r = post(emu, &url, tok, body, extra);
        assert_eq!(
            r.status,
            200,
            "page {}: {}",
            pages.len(),
            String::from_utf8_lossy(&r.body)
        );
        let next = r.next_link();
        pages.push(r);
        match next {
            Some(n) => url = n,
            None => return pages,
        }
    }
}

/// The body with the emulator's URL and each skip token replaced: a skip token carries the time
/// it was made and a MAC under the process's secret, so it differs per response by design;
/// everything else must not.
fn normalized(body: &[u8], url: &str) -> String {
    let s = String::from_utf8(body.to_vec()).expect("UTF-8 body");
    let s = s.replace(url, "URL");
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(k) = rest.find("$skiptoken=") {
        let after = &rest[k + "$skiptoken=".len()..];
        let end = after.find(['&', '"']).unwrap_or(after.len());
        assert!(end > 0, "empty skip token");
        out.push_str(&rest[..k]);
        out.push_str("$skiptoken=TOKEN");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn normalized_pages(emu: &Emulator, pages: &[Raw]) -> Vec<String> {
    pages
        .iter()
        .map(|p| normalized(&p.body, &emu.url))
        .collect()
}

/// One enumeration: the body, the query string of the first URL, extra headers.
type Query = (Value, String, Vec<(&'static str, &'static str)>);

/// The queries compared: plain paging, $select with a page size, a ResultSize cut (warning).
fn queries() -> Vec<Query> {
    vec![
        (
            Emulator::body("Get-Mailbox", json!({"ResultSize": "Unlimited"})),
            String::new(),
            vec![("Prefer", "odata.maxpagesize=7")],
        ),
        (
            Emulator::body("Get-Mailbox", json!({"ResultSize": "Unlimited"})),
            "?$select=Alias,PrimarySmtpAddress".to_string(),
            vec![("Prefer", "odata.maxpagesize=11")],
        ),
        (
            Emulator::body("Get-Mailbox", json!({"ResultSize": 20})),
            String::new(),
            vec![("Prefer", "odata.maxpagesize=9")],
        ),
        (
            Emulator::body("Get-Recipient", json!({})),
            String::new(),
            vec![],
        ),
    ]
}

fn enumerate_query(emu: &Emulator, t: &str, tok: &str, q: &Query, gzip: bool) -> Vec<Raw> {
    let mut extra = q.2.clone();
    if gzip {
        extra.push(("Accept-Encoding", "gzip"));
    }
    let mut url = emu.invoke_url(t);
    url.push_str(&q.1);
    let mut pages = vec![];
    loop {
        let r = post(emu, &url, tok, &q.0, &extra);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.gzipped, gzip);
        let next = r.next_link();
        pages.push(r);
        match next {
            Some(n) => url = n,
            None => return pages,
        }
    }
}

/// Without the cache, the same enumeration twice gives the same pages but for the skip
/// tokens: what the cache keeps (the value array and the rest of the envelope) is deterministic,
/// and the tokens are made per response (with the cache too).
#[test]
fn repeated_enumerations_render_the_same_pages_without_the_cache() {
    let emu = Emulator::start(&["--mailboxes", "40"]);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    for q in queries() {
        let a = enumerate_query(&emu, &t, &tok, &q, false);
        std::thread::sleep(std::time::Duration::from_millis(5));
        let b = enumerate_query(&emu, &t, &tok, &q, false);
        assert_eq!(normalized_pages(&emu, &a), normalized_pages(&emu, &b));
        if a.len() > 1 {
            assert_ne!(
                a[0].next_link(),
                b[0].next_link(),
                "a skip token carries its creation time"
            );
        }
    }
    assert_eq!(emu.stats()["responseCache"]["hits"], 0);
    assert_eq!(emu.stats()["responseCache"]["misses"], 0);
}

/// With the cache, the first enumeration renders and keeps, the second is answered from what
/// was kept; both equal (after gunzip, URL and tokens aside) the pages an emulator without the
/// cache renders, for gzip and plain clients; the stats count the hits as served pages.
#[test]
fn cached_pages_equal_rendered_pages_byte_for_byte() {
    let plain = Emulator::start(&["--mailboxes", "40"]);
    let cached = Emulator::start(&["--mailboxes", "40", "--response-cache"]);
    let (t, _) = plain.customer(0);
    assert_eq!(cached.customer(0).0, t, "same seed, same estate");
    let tok_p = plain.exchange_token(&t);
    let tok_c = cached.exchange_token(&t);
    let mut pages_per_round = 0u64;
    let mut rows_per_round = 0u64;
    let (mut gzip_pages, mut gzip_before) = (0u64, 0u64);
    for q in queries() {
        for gzip in [true, false] {
            let want = normalized_pages(&plain, &enumerate_query(&plain, &t, &tok_p, &q, gzip));
            let first = enumerate_query(&cached, &t, &tok_c, &q, gzip);
            // A token made in another millisecond differs (the time is in it).
            std::thread::sleep(std::time::Duration::from_millis(3));
            let second = enumerate_query(&cached, &t, &tok_c, &q, gzip);
            assert_eq!(
                normalized_pages(&cached, &first),
                want,
                "{} gzip={}",
                q.0,
                gzip
            );
            assert_eq!(
                normalized_pages(&cached, &second),
                want,
                "{} gzip={}",
                q.0,
                gzip
            );
            // Fresh per response: the request id and the skip tokens.
            assert_ne!(
                first[0].header("request-id"),
                second[0].header("request-id")
            );
            if first.len() > 1 {
                assert_ne!(first[0].next_link(), second[0].next_link());
            }
            pages_per_round += first.len() as u64;
            if gzip {
                gzip_pages += (first.len() + second.len()) as u64;
                gzip_before += first
                    .iter()
                    .chain(second.iter())
                    .map(|p| p.body.len() as u64)
                    .sum::<u64>();
            }
            rows_per_round += first
                .iter()
                .map(|p| p.json()["value"].as_array().unwrap().len() as u64)
                .sum::<u64>();
            if q.2.is_empty() {
                continue;
            }
            assert_eq!(
                second[0].header("preference-applied"),
                first[0].header("preference-applied")
            );
        }
    }
    let st = cached.stats();
    assert_eq!(st["responseCache"]["misses"], pages_per_round);
    assert_eq!(st["responseCache"]["hits"], pages_per_round);
    assert!(st["responseCache"]["bytes"].as_u64().unwrap() > 0);
    assert_eq!(st["pages"]["served"], 2 * pages_per_round);
    assert_eq!(st["records"]["total"], 2 * rows_per_round);
    let plain_st = plain.stats();
    assert_eq!(plain_st["records"]["total"], rows_per_round);
    // The gzip counters as if every gzip page had been compressed afresh.
    assert_eq!(st["compression"]["gzipResponses"], gzip_pages);
    assert_eq!(
        plain_st["compression"]["gzipResponses"].as_u64().unwrap() * 2,
        gzip_pages
    );
    assert_eq!(st["compression"]["bytesBefore"], gzip_before);
    // A reset of the stats resets the counters, not the kept pages.
    cached.reset_stats();
    let q = &queries()[0];
    let again = enumerate_query(&cached, &t, &tok_c, q, true);
    let st = cached.stats();
    assert_eq!(st["responseCache"]["hits"], again.len() as u64);
    assert_eq!(st["responseCache"]["misses"], 0);
}

/// A write between two reads: the second read shows it (whole pages and -Identity reads).
#[test]
fn a_write_drops_the_kept_pages() {
    let emu = Emulator::start(&["--mailboxes", "30", "--response-cache"]);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    let list = Emulator::body("Get-Mailbox", json!({"ResultSize": "Unlimited"}));
    let gz = [("Accept-Encoding", "gzip")];
    let before = enumerate(&emu, &t, &tok, &list, &gz);
    let again = enumerate(&emu, &t, &tok, &list, &gz);
    assert_eq!(
        normalized_pages(&emu, &before),
        normalized_pages(&emu, &again)
    );
    let alias = before[0].json()["value"][0]["Alias"]
        .as_str()
        .unwrap()
        .to_string();
    let one = Emulator::body("Get-Mailbox", json!({"Identity": alias}));
    let r = post(&emu, &emu.invoke_url(&t), &tok, &one, &gz);
    assert_eq!(r.json()["value"][0]["CustomAttribute1"], "");
    let hits = emu.stats()["responseCache"]["hits"].as_u64().unwrap();
    assert!(hits >= before.len() as u64);
    let w = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({"Identity": alias, "CustomAttribute1": "cached-no-more"}),
    );
    assert_eq!(w.status, 200, "{}", w.text);
    let r = post(&emu, &emu.invoke_url(&t), &tok, &one, &gz);
    assert_eq!(r.json()["value"][0]["CustomAttribute1"], "cached-no-more");
    let after = enumerate(&emu, &t, &tok, &list, &gz);
    assert_eq!(
        after[0].json()["value"][0]["CustomAttribute1"],
        "cached-no-more"
    );
    assert_ne!(
        normalized_pages(&emu, &before),
        normalized_pages(&emu, &after)
    );
    // Nothing of the reads after the write came from before it.
    assert_eq!(emu.stats()["responseCache"]["hits"].as_u64().unwrap(), hits);
    // And the new state is kept in turn.
    let last = enumerate(&emu, &t, &tok, &list, &gz);
    assert_eq!(
        normalized_pages(&emu, &after),
        normalized_pages(&emu, &last)
    );
    assert!(emu.stats()["responseCache"]["hits"].as_u64().unwrap() > hits);
}

/// Faults, authorization and role checks come before the cache: a kept query is still
/// throttled, failed and refused as often as without it, and its 200s are the kept page.
#[test]
fn faults_and_auth_still_apply_to_a_kept_query() {
    let emu = Emulator::start(&[
        "--mailboxes",
        "20",
        "--response-cache",
        "--faults",
        "throttle=0.3,transient=0.3,scope=exchange",
        "--deny-cmdlet",
        "Get-CASMailbox",
    ]);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    let body = Emulator::body("Get-Mailbox", json!({"ResultSize": 5}));
    let url = emu.invoke_url(&t);
    let gz = [("Accept-Encoding", "gzip")];
    let mut ok = vec![];
    let mut failed = 0;
    for _ in 0..40 {
        let r = post(&emu, &url, &tok, &body, &gz);
        match r.status {
            200 => ok.push(normalized(&r.body, &emu.url)),
            429 | 500 | 503 => failed += 1,
            s => panic!("status {}: {}", s, String::from_utf8_lossy(&r.body)),
        }
    }
    assert!(
        ok.len() >= 2 && failed >= 2,
        "{} ok, {} failed",
        ok.len(),
        failed
    );
    assert!(ok.iter().all(|b| *b == ok[0]));
    let st = emu.stats();
    assert_eq!(st["responseCache"]["misses"], 1);
    assert_eq!(st["responseCache"]["hits"], ok.len() as u64 - 1);
    let faults = &st["faults"]["byKind"];
    assert_eq!(
        faults["throttle"].as_u64().unwrap() + faults["transient"].as_u64().unwrap(),
        failed
    );
    // No token, another tenant's token, a denied cmdlet: refused as before.
    let r = emu.invoke_raw(&url, None, &body, &[]);
    assert_eq!(r.status, 401);
    let (t2, _) = emu.customer(1);
    let tok2 = emu.exchange_token(&t2);
    assert_eq!(post(&emu, &url, &tok2, &body, &gz).status, 403);
    let cas = Emulator::body("Get-CASMailbox", json!({"ResultSize": 5}));
    let statuses: Vec<u16> = (0..6)
        .map(|_| post(&emu, &url, &tok, &cas, &gz).status)
        .collect();
    assert!(statuses.contains(&401), "{:?}", statuses);
    assert!(!statuses.contains(&200), "{:?}", statuses);
}

/// A batch's sub-requests are not answered from the cache (their bodies are nested in the
/// batch's), but a write inside a batch drops the kept pages.
#[test]
fn batches_bypass_the_cache_and_their_writes_drop_it() {
    let emu = Emulator::start(&["--mailboxes", "10", "--response-cache"]);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    let one = |alias: &str| Emulator::body("Get-Mailbox", json!({"Identity": alias}));
    let gz = [("Accept-Encoding", "gzip")];
    let first = post(
        &emu,
        &emu.invoke_url(&t),
        &tok,
        &Emulator::body("Get-Mailbox", json!({"ResultSize": 1})),
        &gz,
    );
    let alias = first.json()["value"][0]["Alias"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        post(&emu, &emu.invoke_url(&t), &tok, &one(&alias), &gz).json()["value"][0]
            ["CustomAttribute2"],
        ""
    );
    let sub = |id: &str, cmdlet: &str, params: Value| {
        json!({
            "id": id, "method": "POST", "url": emu.invoke_url(&t),
            "headers": {"X-CmdletName": cmdlet},
            "body": {"CmdletInput": {"CmdletName": cmdlet, "Parameters": params}},
        })
    };
    let batch = json!({"requests": [
        sub("r", "Get-Mailbox", json!({"Identity": alias})),
        sub("w", "Set-Mailbox", json!({"Identity": alias, "CustomAttribute2": "from-a-batch"})),
    ]});
    let r = emu.invoke_raw(
        &format!("{}/adminapi/beta/{}/$batch", emu.url, t),
        Some(&tok),
        &batch,
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let responses = r.json["responses"].as_array().unwrap().clone();
    let read = responses.iter().find(|x| x["id"] == "r").unwrap();
    assert_eq!(read["status"], 200);
    assert_eq!(read["body"]["value"][0]["Alias"], alias.as_str());
    assert_eq!(
        emu.stats()["responseCache"]["hits"],
        0,
        "a batch never reads the cache"
    );
    assert_eq!(
        post(&emu, &emu.invoke_url(&t), &tok, &one(&alias), &gz).json()["value"][0]
            ["CustomAttribute2"],
        "from-a-batch"
    );
}

/// Off by default; `--response-cache[=on|off]`; any other value is refused at start.
#[test]
fn the_flag_is_off_by_default_and_takes_on_or_off() {
    let enabled = |args: &[&str]| Emulator::start(args).stats()["responseCache"]["enabled"].clone();
    assert_eq!(enabled(&["--mailboxes", "1"]), false);
    assert_eq!(enabled(&["--mailboxes", "1", "--response-cache"]), true);
    assert_eq!(enabled(&["--mailboxes", "1", "--response-cache=on"]), true);
    assert_eq!(
        enabled(&["--mailboxes", "1", "--response-cache=off"]),
        false
    );
    let err = Emulator::try_start(&["--response-cache=maybe"])
        .err()
        .expect("a bad value is refused");
    assert!(err.contains("--response-cache takes on or off"), "{}", err);
}
