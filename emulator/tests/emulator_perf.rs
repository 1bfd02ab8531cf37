//! The emulator must never be the bottleneck: a 100 000-mailbox enumeration at 1000 records a
//! page, and a 200-tenant fan-out with 50 ms latency from 16 clients. Prints its own rate.

mod common;

use common::Emulator;
use serde_json::json;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[test]
fn enumerates_100k_mailboxes_quickly() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "100000"]);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    emu.reset_stats();
    let started = Instant::now();
    let body = Emulator::body("Get-Mailbox", json!({"ResultSize": "Unlimited"}));
    let mut url = emu.invoke_url(&t);
    let (mut rows, mut pages) = (0usize, 0usize);
    let mut guids = HashSet::new();
    loop {
        let resp = emu
            .http
            .post(&url)
            .header("Authorization", format!("Bearer {}", tok))
            .header("Prefer", "odata.maxpagesize=1000")
            .body(body.to_string())
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let bytes = resp.bytes().unwrap();
        let page: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let v = page["value"].as_array().unwrap();
        pages += 1;
        rows += v.len();
        for r in v {
            guids.insert(r["Guid"].as_str().unwrap().to_string());
        }
        match page["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    let wall = started.elapsed();
    assert_eq!(rows, 100_000);
    assert_eq!(pages, 100);
    assert_eq!(guids.len(), 100_000);
    let s = emu.stats();
    let compute = s["computeMs"]["byEndpoint"]["invokeCommand"]
        .as_u64()
        .unwrap();
    let busy = s["busyMs"]["byEndpoint"]["invokeCommand"].as_u64().unwrap();
    let mb = s["bytesSent"]["byEndpoint"]["invokeCommand"]
        .as_u64()
        .unwrap() as f64
        / 1e6;
    eprintln!(
        "100k enumeration: wall {:?} (client included), emulator compute {} ms, busy {} ms, {:.0} MB, {:.0} records/s of compute",
        wall,
        compute,
        busy,
        mb,
        100_000.0 / (compute.max(1) as f64 / 1000.0)
    );
    assert!(compute < 5_000, "emulator compute time {} ms", compute);
}

#[test]
fn fans_out_over_200_tenants_with_latency() {
    let emu = Arc::new(Emulator::start(&[
        "--tenants",
        "200",
        "--mailboxes",
        "10",
        "--latency-ms",
        "50",
    ]));
    assert!(emu.info["threads"].as_u64().unwrap() >= 64);
    let tenants: Arc<Vec<String>> = Arc::new(emu.customers().into_iter().map(|c| c.0).collect());
    assert_eq!(tenants.len(), 200);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let (emu, tenants, next) = (emu.clone(), tenants.clone(), next.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    if k >= tenants.len() {
                        return n;
                    }
                    let tok = emu.exchange_token(&tenants[k]);
                    let rows = emu.invoke_all(&tenants[k], &tok, "Get-Mailbox", json!({}));
                    assert_eq!(rows.len(), 10);
                    n += 1;
                }
            })
        })
        .collect();
    let done: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let wall = started.elapsed();
    assert_eq!(done, 200);
    // 400 requests x 50 ms / 16 clients = 1.25 s when the emulator is not the bottleneck.
    eprintln!("200-tenant fan-out, 16 clients, 50 ms latency: {:?}", wall);
    assert!(wall.as_secs_f64() < 6.0, "fan-out took {:?}", wall);
    let s = emu.stats();
    assert_eq!(s["requests"]["byEndpoint"]["invokeCommand"], 200);
    assert_eq!(s["tokens"]["byGrant"]["refresh_token"], 200);
}
