//! `$batch` (PROTOCOL.md §4), gzip and the latency model (issue 9): partial failure, a sub-request
//! that pages, size and tenant refusals, per-sub-request faults, gzip round trip, stats.

mod common;

use common::Emulator;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Read;
use std::time::{Duration, Instant};

fn setup(args: &[&str]) -> (Emulator, String, String) {
    let emu = Emulator::start(args);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    (emu, t, tok)
}

fn batch_url(emu: &Emulator, tenant: &str) -> String {
    format!("{}/adminapi/beta/{}/$batch", emu.url, tenant)
}

/// One sub-request as CIPP sends it.
fn sub(id: &str, url: &str, cmdlet: &str, params: Value) -> Value {
    json!({
        "id": id, "method": "POST", "url": url,
        "headers": {"X-CmdletName": cmdlet, "Accept": "application/json; odata.metadata=minimal"},
        "body": {"CmdletInput": {"CmdletName": cmdlet, "Parameters": params}},
    })
}

fn send(emu: &Emulator, tenant: &str, token: &str, subs: &[Value], prefer: &str) -> common::Reply {
    let mut extra = vec![];
    if !prefer.is_empty() {
        extra.push(("Prefer", prefer));
    }
    emu.invoke_raw(
        &batch_url(emu, tenant),
        Some(token),
        &json!({ "requests": subs }),
        &extra,
    )
}

/// The responses by id (asserting each id once).
fn by_id(r: &common::Reply) -> HashMap<String, Value> {
    assert_eq!(r.status, 200, "batch: {}", r.text);
    let mut m = HashMap::new();
    for x in r.json["responses"].as_array().expect("responses[]") {
        let id = x["id"].as_str().expect("id").to_string();
        assert!(m.insert(id.clone(), x.clone()).is_none(), "id {} twice", id);
    }
    m
}

fn alias_of(emu: &Emulator, t: &str, tok: &str, k: usize) -> String {
    let r = emu.invoke(t, tok, "Get-Mailbox", json!({"ResultSize": k + 1}));
    r.values()[k]["Alias"].as_str().unwrap().to_string()
}

#[test]
fn partial_failure_continues_and_writes_count_once() {
    let (emu, t, tok) = setup(&["--mailboxes", "20"]);
    let url = emu.invoke_url(&t);
    let a0 = alias_of(&emu, &t, &tok, 0);
    let a1 = alias_of(&emu, &t, &tok, 1);
    emu.reset_stats();
    let subs = vec![
        sub("read", &url, "Get-Mailbox", json!({"Identity": a0})),
        sub(
            "missing",
            &url,
            "Get-Mailbox",
            json!({"Identity": "nobody-here"}),
        ),
        sub(
            "write",
            &url,
            "Set-Mailbox",
            json!({"Identity": a1, "CustomAttribute3": "batched"}),
        ),
        sub(
            "perms",
            &url,
            "Get-MailboxPermission",
            json!({"Identity": a0}),
        ),
    ];
    let r = send(
        &emu,
        &t,
        &tok,
        &subs,
        "odata.maxpagesize=1000;odata.continue-on-error",
    );
    let m = by_id(&r);
    assert_eq!(m.len(), 4);
    assert_eq!(m["read"]["status"], 200);
    assert_eq!(m["read"]["body"]["value"][0]["Alias"], a0.as_str());
    assert!(m["read"]["body"]["@odata.context"].is_string());
    assert_eq!(m["missing"]["status"], 404, "{}", m["missing"]);
    let detail = m["missing"]["body"]["error"]["details"][0]["message"]
        .as_str()
        .unwrap();
    assert!(
        detail.contains("ManagementObjectNotFoundException"),
        "{}",
        detail
    );
    assert_eq!(
        m["missing"]["headers"]["X-ExceptionType"],
        "ManagementObjectNotFoundException"
    );
    assert_eq!(m["write"]["status"], 200);
    assert_eq!(m["write"]["body"]["value"], json!([]));
    assert_eq!(m["perms"]["status"], 200);
    assert!(!m["perms"]["body"]["value"].as_array().unwrap().is_empty());
    // The write is visible and was applied exactly once.
    let after = emu.invoke(&t, &tok, "Get-Mailbox", json!({"Identity": a1}));
    assert_eq!(after.values()[0]["CustomAttribute3"], "batched");
    let st = emu.stats();
    assert_eq!(st["writes"]["applied"], 1, "{}", st["writes"]);
    assert_eq!(st["writes"]["duplicates"], 0);
    assert_eq!(st["batch"]["requests"], 1);
    assert_eq!(st["batch"]["subRequests"], 4);
    assert_eq!(st["batch"]["subRequestsByStatus"]["200"], 3);
    assert_eq!(st["batch"]["subRequestsByStatus"]["404"], 1);
    assert_eq!(st["requests"]["byEndpoint"]["batch"], 1);
    assert_eq!(st["requests"]["byCmdlet"]["Get-Mailbox"], 3);

    // Without continue-on-error: the requests after the failure are not executed (424), so a
    // write behind a failure never runs.
    emu.reset_stats();
    let subs = vec![
        sub(
            "first",
            &url,
            "Get-Mailbox",
            json!({"Identity": "nobody-here"}),
        ),
        sub(
            "later-write",
            &url,
            "Set-Mailbox",
            json!({"Identity": a1, "CustomAttribute4": "never"}),
        ),
    ];
    let m = by_id(&send(&emu, &t, &tok, &subs, ""));
    assert_eq!(m["first"]["status"], 404);
    assert_eq!(m["later-write"]["status"], 424);
    assert_eq!(
        m["later-write"]["body"]["error"]["code"],
        "FailedDependency"
    );
    let st = emu.stats();
    assert_eq!(st["writes"]["applied"], 0);
    assert_eq!(st["batch"]["notExecuted"], 1);
}

#[test]
fn a_sub_request_pages_through_later_batches() {
    let (emu, t, tok) = setup(&["--mailboxes", "25"]);
    let all = emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"ResultSize": "Unlimited"}));
    assert_eq!(all.len(), 25);
    let first_alias = all[0]["Alias"].as_str().unwrap().to_string();
    let mut url = emu.invoke_url(&t);
    let mut rows = vec![];
    let mut batches = 0;
    loop {
        // The paging sub-request travels with a one-page read each time.
        let subs = vec![
            sub(
                "mbx",
                &url,
                "Get-Mailbox",
                json!({"ResultSize": "Unlimited"}),
            ),
            sub(
                "stats",
                &emu.invoke_url(&t),
                "Get-MailboxStatistics",
                json!({"Identity": first_alias}),
            ),
        ];
        let m = by_id(&send(&emu, &t, &tok, &subs, "odata.maxpagesize=7"));
        batches += 1;
        assert_eq!(m["stats"]["status"], 200, "{}", m["stats"]);
        let page = &m["mbx"];
        assert_eq!(page["status"], 200, "{}", page);
        let vals = page["body"]["value"].as_array().unwrap();
        assert!(vals.len() <= 7);
        rows.extend(vals.iter().cloned());
        match page["body"]["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
        assert!(batches < 10, "paging does not end");
    }
    assert_eq!(batches, 4); // 7 + 7 + 7 + 4
    let ids = |v: &[Value]| {
        v.iter()
            .map(|r| r["Guid"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&rows), ids(&all), "every row exactly once, in order");
    let st = emu.stats();
    assert_eq!(st["pages"]["nextLinksFollowed"], 3);
}

#[test]
fn eleven_requests_and_foreign_tenants_are_refused() {
    let (emu, t, tok) = setup(&["--mailboxes", "5"]);
    let url = emu.invoke_url(&t);
    let a0 = alias_of(&emu, &t, &tok, 0);
    emu.reset_stats();
    let eleven: Vec<Value> = (0..11)
        .map(|k| {
            sub(
                &format!("r{}", k),
                &url,
                "Set-Mailbox",
                json!({"Identity": a0, "CustomAttribute5": format!("v{}", k)}),
            )
        })
        .collect();
    let r = send(&emu, &t, &tok, &eleven, "odata.continue-on-error");
    assert_eq!(r.status, 400, "{}", r.text);
    let msg = r.json["error"]["message"].as_str().unwrap();
    assert!(msg.contains("11") && msg.contains("at most 10"), "{}", msg);
    // Ten is fine.
    let r = send(&emu, &t, &tok, &eleven[..10], "odata.continue-on-error");
    assert_eq!(by_id(&r).len(), 10);
    let st = emu.stats();
    assert_eq!(st["batch"]["refused"], 1);
    assert_eq!(st["batch"]["largest"], 10);
    assert_eq!(
        st["writes"]["applied"], 10,
        "the refused batch applied nothing"
    );

    // A sub-request for another tenant refuses the whole batch before anything runs.
    emu.reset_stats();
    let (other, other_domain) = emu.customer(1);
    let subs = vec![
        sub(
            "mine",
            &url,
            "Set-Mailbox",
            json!({"Identity": a0, "CustomAttribute6": "x"}),
        ),
        sub(
            "theirs",
            &emu.invoke_url(&other_domain),
            "Get-Mailbox",
            json!({}),
        ),
    ];
    let r = send(&emu, &t, &tok, &subs, "odata.continue-on-error");
    assert_eq!(r.status, 400, "{}", r.text);
    let msg = r.json["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("theirs") && msg.contains(&other_domain),
        "{}",
        msg
    );
    assert_eq!(emu.stats()["writes"]["applied"], 0);
    // The batch's own tenant must match the token (403), and it needs a token (401).
    let r = send(&emu, &other, &tok, &subs[..1], "");
    assert_eq!(r.status, 403, "{}", r.text);
    let r = emu.invoke_raw(&batch_url(&emu, &t), None, &json!({"requests": []}), &[]);
    assert_eq!(r.status, 401);
    // Shape errors.
    let r = emu.invoke_raw(
        &batch_url(&emu, &t),
        Some(&tok),
        &json!({"requests": []}),
        &[],
    );
    assert_eq!(r.status, 400);
    let dup = vec![
        sub("same", &url, "Get-Mailbox", json!({})),
        sub("same", &url, "Get-Mailbox", json!({})),
    ];
    let r = send(&emu, &t, &tok, &dup, "");
    assert_eq!(r.status, 400);
    assert!(r.text.contains("twice"), "{}", r.text);
    let get = emu
        .http
        .get(batch_url(&emu, &t))
        .header("Authorization", format!("Bearer {}", tok))
        .send()
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
}

#[test]
fn faults_apply_per_sub_request() {
    // Every InvokeCommand-class request throttled: each sub-request answers 429 on its own.
    let (emu, t, tok) = setup(&["--mailboxes", "5", "--faults", "throttle=1,scope=exchange"]);
    let url = emu.invoke_url(&t);
    emu.reset_stats();
    let subs: Vec<Value> = (0..3)
        .map(|k| sub(&format!("s{}", k), &url, "Get-Mailbox", json!({})))
        .collect();
    let m = by_id(&send(&emu, &t, &tok, &subs, "odata.continue-on-error"));
    for k in 0..3 {
        let x = &m[&format!("s{}", k)];
        assert_eq!(x["status"], 429, "{}", x);
        assert_eq!(x["headers"]["Retry-After"], "1");
        assert_eq!(x["body"]["error"]["code"], "TooManyRequests");
    }
    let st = emu.stats();
    assert_eq!(st["faults"]["byKind"]["throttle"], 3);
    assert_eq!(st["batch"]["subRequestsByStatus"]["429"], 3);
}

#[test]
fn a_reset_in_a_batch_breaks_its_connection_after_the_write() {
    // The estate is a function of the seed: learn an alias on a fault-free twin.
    let alias = {
        let (twin, t, tok) = setup(&["--mailboxes", "5"]);
        alias_of(&twin, &t, &tok, 0)
    };
    let (emu, t, tok) = setup(&["--mailboxes", "5", "--faults", "reset=1,scope=exchange"]);
    let url = emu.invoke_url(&t);
    emu.reset_stats();
    let subs = vec![
        sub(
            "w",
            &url,
            "Set-Mailbox",
            json!({"Identity": alias, "CustomAttribute7": "cut"}),
        ),
        sub("r", &url, "Get-Mailbox", json!({"ResultSize": 2})),
    ];
    let res = emu
        .http
        .post(batch_url(&emu, &t))
        .header("Authorization", format!("Bearer {}", tok))
        .body(json!({ "requests": subs }).to_string())
        .send()
        .and_then(|r| r.bytes());
    assert!(res.is_err(), "the batch connection must break");
    let st = emu.stats();
    assert_eq!(st["batch"]["requests"], 1);
    assert_eq!(st["faults"]["byKind"]["reset"], 2, "{}", st["faults"]);
    // The write ran once although the client saw only a broken connection.
    assert_eq!(st["writes"]["applied"], 1, "{}", st["writes"]);
    assert_eq!(st["faults"]["resetAfterWrite"], 1);
    assert_eq!(st["writes"]["log"][0]["cmdlet"], "Set-Mailbox");
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

#[test]
fn gzip_round_trip_and_ratio_on_a_thousand_row_page() {
    let (emu, t, tok) = setup(&["--mailboxes", "1000"]);
    let body = Emulator::body("Get-Mailbox", json!({"ResultSize": "Unlimited"}));
    let post = |gzip: bool| {
        let mut rb = emu
            .http
            .post(emu.invoke_url(&t))
            .header("Authorization", format!("Bearer {}", tok))
            .header("Prefer", "odata.maxpagesize=1000")
            .body(body.to_string());
        if gzip {
            rb = rb.header("Accept-Encoding", "gzip, deflate");
        }
        let r = rb.send().unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let enc = r
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_string());
        (enc, r.bytes().unwrap().to_vec())
    };
    emu.reset_stats();
    let (enc_plain, plain) = post(false);
    assert_eq!(enc_plain, None);
    let (enc, zipped) = post(true);
    assert_eq!(enc.as_deref(), Some("gzip"));
    let unzipped = gunzip(&zipped);
    let a: Value = serde_json::from_slice(&plain).unwrap();
    let b: Value = serde_json::from_slice(&unzipped).unwrap();
    assert_eq!(a["value"].as_array().unwrap().len(), 1000);
    assert_eq!(a["value"], b["value"]);
    let ratio = unzipped.len() as f64 / zipped.len() as f64;
    eprintln!(
        "1,000-row Get-Mailbox page: {} bytes plain, {} gzip ({:.1}x)",
        unzipped.len(),
        zipped.len(),
        ratio
    );
    assert!(ratio >= 5.0, "gzip ratio {:.1}", ratio);
    let st = emu.stats();
    assert_eq!(st["compression"]["gzipResponses"], 1);
    assert_eq!(st["compression"]["bytesBefore"], unzipped.len() as u64);
    assert_eq!(st["compression"]["bytesAfter"], zipped.len() as u64);
    // bytesSent counts what went on the wire.
    assert_eq!(
        st["bytesSent"]["byEndpoint"]["invokeCommand"],
        (plain.len() + zipped.len()) as u64
    );
    // A batch is compressed as a whole; q=0 refuses gzip.
    let subs = vec![sub(
        "a",
        &emu.invoke_url(&t),
        "Get-Mailbox",
        json!({"ResultSize": 50}),
    )];
    let r = emu
        .http
        .post(batch_url(&emu, &t))
        .header("Authorization", format!("Bearer {}", tok))
        .header("Accept-Encoding", "gzip")
        .body(json!({ "requests": subs }).to_string())
        .send()
        .unwrap();
    assert_eq!(
        r.headers()
            .get("content-encoding")
            .unwrap()
            .to_str()
            .unwrap(),
        "gzip"
    );
    let v: Value = serde_json::from_slice(&gunzip(&r.bytes().unwrap())).unwrap();
    assert_eq!(
        v["responses"][0]["body"]["value"].as_array().unwrap().len(),
        50
    );
    let r = emu
        .http
        .post(batch_url(&emu, &t))
        .header("Authorization", format!("Bearer {}", tok))
        .header("Accept-Encoding", "gzip;q=0, identity")
        .body(json!({ "requests": subs }).to_string())
        .send()
        .unwrap();
    assert!(r.headers().get("content-encoding").is_none());
}

fn timed_batch(args: &[&str], n: usize) -> (Duration, Value) {
    let (emu, t, tok) = setup(args);
    let url = emu.invoke_url(&t);
    let subs: Vec<Value> = (0..n)
        .map(|k| {
            sub(
                &format!("q{}", k),
                &url,
                "Get-Mailbox",
                json!({"ResultSize": 1}),
            )
        })
        .collect();
    emu.reset_stats();
    let t0 = Instant::now();
    let m = by_id(&send(&emu, &t, &tok, &subs, ""));
    let took = t0.elapsed();
    assert_eq!(m.len(), n);
    (took, emu.stats())
}

#[test]
fn batch_cost_models_and_in_flight_stats() {
    // Lower bounds only (timing upper bounds belong in the benchmark): serial pays one latency
    // per sub-request, parallel one per batch.
    let (serial, _) = timed_batch(
        &[
            "--mailboxes",
            "3",
            "--latency-ms",
            "120",
            "--batch-cost",
            "serial",
        ],
        5,
    );
    assert!(serial >= Duration::from_millis(600), "serial: {:?}", serial);
    let (parallel, st) = timed_batch(
        &[
            "--mailboxes",
            "3",
            "--latency-ms",
            "120",
            "--latency-jitter-ms",
            "10",
        ],
        5,
    );
    assert!(
        parallel >= Duration::from_millis(120),
        "parallel: {:?}",
        parallel
    );
    assert!(
        parallel < serial,
        "parallel {:?} vs serial {:?}",
        parallel,
        serial
    );
    // The batch is one request in flight for its tenant.
    let by_tenant = st["concurrency"]["maxInFlightByTenant"]
        .as_object()
        .unwrap();
    assert_eq!(
        by_tenant.values().map(|v| v.as_u64().unwrap()).max(),
        Some(1)
    );
    assert_eq!(st["batch"]["subRequests"], 5);
    // Bad values are refused at the command line.
    assert!(Emulator::try_start(&["--batch-cost", "sometimes"]).is_err());
}
