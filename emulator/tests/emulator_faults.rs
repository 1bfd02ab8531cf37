//! Seeded fault injection: throttle, concurrency, transient (before/after writes), reset, expired
//! links, tokens expiring mid-enumeration, reproducibility, and the stats that reveal them.

mod common;

use common::Emulator;
use serde_json::json;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn setup(args: &[&str]) -> (Emulator, String, String) {
    let emu = Emulator::start(args);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    (emu, t, tok)
}

#[test]
fn throttle_is_429_with_retry_after_and_blocks_writes() {
    let (emu, t, tok) = setup(&["--faults", "throttle=1,scope=exchange"]);
    let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({}));
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.json["error"]["code"], "TooManyRequests");
    let w = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({"Identity": "anyone", "CustomAttribute1": "x"}),
    );
    assert_eq!(w.status, 429);
    let s = emu.stats();
    assert_eq!(s["faults"]["byKind"]["throttle"], 2);
    assert_eq!(s["faults"]["byEndpoint"]["invokeCommand"], 2);
    assert_eq!(s["faults"]["byTenant"][&t], 2);
    assert_eq!(
        s["writes"]["applied"], 0,
        "throttled writes are never applied"
    );
    assert_eq!(s["requests"]["byStatus"]["429"], 2);
}

#[test]
fn per_tenant_concurrency_limit() {
    let emu = Arc::new(Emulator::start(&[
        "--faults",
        "concurrency=2",
        "--latency-ms",
        "400",
    ]));
    let tenants: Vec<String> = emu.customers().into_iter().map(|c| c.0).collect();
    let tokens: Vec<String> = tenants.iter().map(|t| emu.exchange_token(t)).collect();
    emu.reset_stats();
    // Six at once against one tenant: at most two get in.
    let barrier = Arc::new(Barrier::new(6));
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let (emu, b, t, tok) = (
                emu.clone(),
                barrier.clone(),
                tenants[0].clone(),
                tokens[0].clone(),
            );
            std::thread::spawn(move || {
                b.wait();
                emu.invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": 1}))
            })
        })
        .collect();
    let replies: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let refused: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    let ok = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok + refused.len(), 6);
    assert!(
        refused.len() >= 4 && ok >= 1,
        "ok={} refused={}",
        ok,
        refused.len()
    );
    let msg = "You have reached the maximum number of concurrent requests per tenant. Please wait and try again";
    assert_eq!(
        refused[0].json["error"]["message"]
            .as_str()
            .unwrap()
            .rsplit('|')
            .next()
            .unwrap(),
        msg,
        "{}",
        refused[0].text
    );
    assert!(refused[0].exo_detail().ends_with(msg));
    let s = emu.stats();
    assert_eq!(
        s["faults"]["byKind"]["concurrency"].as_u64().unwrap() as usize,
        refused.len()
    );
    // Two per tenant across three tenants is fine.
    let barrier = Arc::new(Barrier::new(6));
    let handles: Vec<_> = (0..6)
        .map(|k| {
            let (emu, b, t, tok) = (
                emu.clone(),
                barrier.clone(),
                tenants[k % 3].clone(),
                tokens[k % 3].clone(),
            );
            std::thread::spawn(move || {
                b.wait();
                emu.invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": 1}))
                    .status
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
    let s = emu.stats();
    assert!(s["concurrency"]["maxInFlight"].as_u64().unwrap() >= 6);
    assert_eq!(s["concurrency"]["inFlight"], 0);
    for t in &tenants {
        assert!(s["concurrency"]["maxInFlightByTenant"][t].as_u64().unwrap() >= 2);
    }
}

#[test]
fn requests_count_as_in_flight_from_arrival() {
    // One handler: requests queue for it, and still count as in flight for their tenant.
    let emu = Arc::new(Emulator::start(&[
        "--threads",
        "1",
        "--latency-ms",
        "200",
        "--faults",
        "concurrency=2",
    ]));
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    let barrier = Arc::new(Barrier::new(5));
    let handles: Vec<_> = (0..5)
        .map(|_| {
            let (emu, b, t, tok) = (emu.clone(), barrier.clone(), t.clone(), tok.clone());
            std::thread::spawn(move || {
                b.wait();
                emu.invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": 1}))
                    .status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(
        statuses.iter().filter(|s| **s == 429).count() >= 2,
        "{:?}",
        statuses
    );
    assert!(statuses.contains(&200), "{:?}", statuses);
    assert!(
        emu.stats()["concurrency"]["maxInFlightByTenant"][&t]
            .as_u64()
            .unwrap()
            >= 3
    );
}

#[test]
fn transient_faults_cycle_through_the_real_shapes() {
    let (emu, t, tok) = setup(&["--faults", "transient=1,scope=exchange"]);
    let mut seen = Vec::new();
    for _ in 0..6 {
        let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({}));
        if r.status == 503 {
            assert!(r.header("retry-after").is_some());
        }
        seen.push((
            r.status,
            r.exo_exception()
                .rsplit('.')
                .next()
                .unwrap_or("")
                .to_string(),
        ));
    }
    assert_eq!(
        &seen[..3],
        &[
            (503, "ServerBusyException".to_string()),
            (500, "ADServerSettingsChangedException".to_string()),
            (500, "ADTransientException".to_string()),
        ]
    );
    assert_eq!(seen[..3], seen[3..]);
    assert_eq!(emu.stats()["faults"]["byKind"]["transient"], 6);
}

#[test]
fn transient_faults_on_writes_may_come_after_the_write_was_applied() {
    let (emu, t, tok) = setup(&["--faults", "transient=1,scope=exchange", "--seed", "3"]);
    let rows = {
        // Reads are faulted too: read the estate from a clean twin with the same seed.
        let twin = Emulator::start(&["--seed", "3"]);
        let tt = twin.exchange_token(&t);
        twin.invoke_all(&t, &tt, "Get-Mailbox", json!({"ResultSize": 20}))
    };
    for (k, m) in rows.iter().enumerate() {
        let r = emu.invoke(
            &t,
            &tok,
            "Set-Mailbox",
            json!({"Identity": m["Alias"], "CustomAttribute2": format!("v{}", k)}),
        );
        assert!(r.status == 500 || r.status == 503, "{}", r.text);
    }
    let s = emu.stats();
    let applied = s["writes"]["applied"].as_u64().unwrap();
    assert_eq!(
        applied,
        s["faults"]["transientAfterWrite"].as_u64().unwrap(),
        "{}",
        s["faults"]
    );
    assert!(
        applied > 0 && applied < 20,
        "some writes were applied before the fault, some not: {}",
        applied
    );
    assert_eq!(s["writes"]["log"].as_array().unwrap().len() as u64, applied);
    // A blind retry of an applied write shows up as a duplicate fingerprint.
    let first_applied = &s["writes"]["log"][0];
    let alias = first_applied["identity"].as_str().unwrap();
    let k = rows.iter().position(|m| m["Alias"] == alias).unwrap();
    let _ = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({"Identity": alias, "CustomAttribute2": format!("v{}", k)}),
    );
    // The value did not change, so the retry is a no-op and is not applied again.
    let s2 = emu.stats();
    assert_eq!(s2["writes"]["duplicates"], 0);
}

#[test]
fn duplicate_writes_are_counted_by_fingerprint() {
    let (emu, t, tok) = setup(&[]);
    let m = emu
        .invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": 1}))
        .values()[0]
        .clone();
    let folder = format!("{}:\\Calendar", m["Alias"].as_str().unwrap());
    let other = emu
        .invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": 9}))
        .values()[8]["UserPrincipalName"]
        .clone();
    let add = json!({"Identity": folder, "User": other, "AccessRights": ["Reviewer"]});
    let rem = json!({"Identity": folder, "User": other});
    let _ = emu.invoke(&t, &tok, "Remove-MailboxFolderPermission", rem.clone());
    emu.reset_stats();
    assert_eq!(
        emu.invoke(&t, &tok, "Add-MailboxFolderPermission", add.clone())
            .status,
        200
    );
    assert_eq!(
        emu.invoke(&t, &tok, "Remove-MailboxFolderPermission", rem)
            .status,
        200
    );
    assert_eq!(
        emu.invoke(&t, &tok, "Add-MailboxFolderPermission", add)
            .status,
        200
    );
    let s = emu.stats();
    assert_eq!(s["writes"]["applied"], 3);
    assert_eq!(s["writes"]["duplicates"], 1);
    let fp = s["writes"]["duplicateFingerprints"][0].as_str().unwrap();
    assert_eq!(s["writes"]["fingerprints"][fp], 2);
}

#[test]
fn reset_drops_the_connection_mid_response() {
    let (emu, t, tok) = setup(&["--faults", "reset=1,scope=exchange"]);
    let started = Instant::now();
    let res = emu
        .http
        .post(emu.invoke_url(&t))
        .header("Authorization", format!("Bearer {}", tok))
        .body(common::Emulator::body("Get-Mailbox", json!({})).to_string())
        .send()
        .and_then(|r| r.text());
    assert!(
        res.is_err(),
        "the client must see a connection error, got {:?}",
        res.map(|s| s.len())
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no hang: {:?}",
        started.elapsed()
    );
    // A write under reset was applied before the drop.
    let alias = {
        let twin = Emulator::start(&[]);
        let tt = twin.exchange_token(&t);
        twin.invoke(&t, &tt, "Get-Mailbox", json!({"ResultSize": 1}))
            .values()[0]["Alias"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let res = emu
        .http
        .post(emu.invoke_url(&t))
        .header("Authorization", format!("Bearer {}", tok))
        .body(
            common::Emulator::body(
                "Set-Mailbox",
                json!({"Identity": alias, "CustomAttribute3": "r"}),
            )
            .to_string(),
        )
        .send()
        .and_then(|r| r.text());
    assert!(res.is_err());
    let s = emu.stats();
    assert_eq!(s["faults"]["byKind"]["reset"], 2);
    assert_eq!(s["faults"]["resetAfterWrite"], 1);
    assert_eq!(s["writes"]["applied"], 1);
    // The server keeps serving.
    assert_eq!(emu.get("/_emulator/health").status, 200);
}

#[test]
fn expired_fault_refuses_next_links() {
    let (emu, t, tok) = setup(&["--faults", "expired=1,scope=exchange"]);
    let body = Emulator::body("Get-Mailbox", json!({}));
    let first = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&tok),
        &body,
        &[("Prefer", "odata.maxpagesize=10")],
    );
    assert_eq!(first.status, 200, "the first page has no link to expire");
    let r = emu.invoke_raw(&first.next_link().unwrap(), Some(&tok), &body, &[]);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json["error"]["message"],
        "Expired or Invalid pagination request. Default Expiry time is 00:30:00"
    );
    assert_eq!(emu.stats()["faults"]["byKind"]["expired"], 1);
}

#[test]
fn access_token_expiring_mid_enumeration() {
    let (emu, t, tok) = setup(&["--token-lifetime", "2"]);
    let body = Emulator::body("Get-Mailbox", json!({}));
    let first = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&tok),
        &body,
        &[("Prefer", "odata.maxpagesize=10")],
    );
    assert_eq!(first.status, 200);
    let next = first.next_link().unwrap();
    std::thread::sleep(Duration::from_millis(2200));
    assert_eq!(emu.invoke_raw(&next, Some(&tok), &body, &[]).status, 401);
    // A fresh token continues the same enumeration.
    let tok2 = emu.exchange_token(&t);
    let r = emu.invoke_raw(
        &next,
        Some(&tok2),
        &body,
        &[("Prefer", "odata.maxpagesize=10")],
    );
    assert_eq!(r.status, 200);
    assert_ne!(r.values()[0], first.values()[0]);
}

fn status_sequence(seed: &str) -> Vec<u16> {
    let (emu, t, tok) = setup(&[
        "--seed",
        seed,
        "--faults",
        "throttle=0.3,transient=0.2,scope=exchange",
    ]);
    (0..30)
        .map(|_| {
            emu.invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": 1}))
                .status
        })
        .collect()
}

#[test]
fn faults_are_reproducible_per_seed() {
    let a = status_sequence("7");
    let b = status_sequence("7");
    let c = status_sequence("8");
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(
        a.contains(&200) && a.contains(&429) && a.iter().any(|s| *s >= 500),
        "{:?}",
        a
    );
}
