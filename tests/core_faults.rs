//! Every fault kind, for reads and for writes, checked against the
//! emulator's stats: reads complete through retries; writes are retried only
//! when the service provably did not run them; nothing is applied twice.

mod core_support;

use core_support::*;
use exo_bridge::{Connection, Secrets};
use exo_bridge::{Error, ExoResult, Secret};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::Arc;

const PATIENT: &str = r#"{"maxRetries": 12, "maxRetryWaitMs": 20, "readTimeoutMs": 3000}"#;

fn patient() -> Value {
    serde_json::from_str(PATIENT).unwrap()
}

/// The retry budget for many threads against `--faults concurrency=N`: the emulator, like
/// Exchange, refuses rather than queues, so no request is promised a turn and in the worst case
/// one waits until every other request of the test has run (each holds a slot for
/// `--latency-ms 20` plus overhead), plus a retry wait at each hand-over where the finishing
/// thread has nothing left to send and the slot sits idle. For 20 writes through one slot that
/// is about 20 × 21 ms + 4 × 100 ms ≈ 0.8 s; `PATIENT` (12 retries of at most 20 ms, 0.24 s) is
/// shorter, so a write could starve by construction. This allows 20 × 100 ms = 2 s.
const CONTENDED: &str = r#"{"maxRetries": 20, "maxRetryWaitMs": 100, "readTimeoutMs": 3000}"#;

fn contended() -> Value {
    serde_json::from_str(CONTENDED).unwrap()
}

/// Connect despite token-endpoint faults (a 5xx is retried only once).
fn connect(emu: &Emulator, extra: Value) -> Arc<Connection> {
    let mut last = None;
    for _ in 0..20 {
        match emu.connect_rt(&emu.customer(0), extra.clone()) {
            Ok(c) => return c,
            Err(e) => last = Some(e),
        }
    }
    panic!("could not connect: {last:?}");
}

fn read_all(emu: &Emulator, args: &[&str]) -> (usize, Vec<String>) {
    let _ = args;
    let conn = connect(emu, patient());
    let mut cur = invoke(
        &conn,
        json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited"},"pageSize":10}),
    );
    let (records, pages) = drain(&mut cur).expect("a read completes through retries");
    let guids: HashSet<String> = records
        .iter()
        .map(|r| r["Guid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(guids.len(), records.len(), "no duplicate records");
    let reasons = pages
        .iter()
        .flat_map(|p| p.retries.iter().map(|r| r.reason.clone()))
        .collect();
    (records.len(), reasons)
}

#[test]
fn reads_survive_throttling() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "120",
        "--faults",
        "throttle=0.3",
        "--seed",
        "3",
    ]);
    let (n, reasons) = read_all(&emu, &[]);
    assert_eq!(n, 120);
    assert!(reasons.iter().any(|r| r == "Throttled"), "{reasons:?}");
    assert!(
        emu.stats()["faults"]["byKind"]["throttle"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn reads_survive_transient_failures() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "120",
        "--faults",
        "transient=0.3",
        "--seed",
        "4",
    ]);
    let (n, reasons) = read_all(&emu, &[]);
    assert_eq!(n, 120);
    assert!(
        reasons
            .iter()
            .any(|r| r == "TransientException" || r == "ServiceUnavailable"),
        "{reasons:?}"
    );
    assert!(
        emu.stats()["faults"]["byKind"]["transient"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn reads_survive_connection_resets() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "120",
        "--faults",
        "reset=0.3",
        "--seed",
        "5",
    ]);
    let (n, reasons) = read_all(&emu, &[]);
    assert_eq!(n, 120);
    assert!(
        reasons.iter().any(|r| r == "ConnectionBroken"),
        "{reasons:?}"
    );
    assert!(emu.stats()["faults"]["byKind"]["reset"].as_u64().unwrap() > 0);
}

#[test]
fn reads_survive_the_concurrency_limit() {
    let emu = Arc::new(Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "60",
        "--faults",
        "concurrency=2",
        "--latency-ms",
        "20",
    ]));
    let conn = connect(&emu, contended());
    let hs: Vec<_> = (0..6)
        .map(|_| {
            let c = conn.clone();
            std::thread::spawn(move || {
                let mut cur = invoke(&c, json!({"cmdlet":"Get-Mailbox","pageSize":10}));
                let (records, pages) = drain(&mut cur).expect("read");
                let reasons: Vec<String> = pages
                    .iter()
                    .flat_map(|p| p.retries.iter().map(|r| r.reason.clone()))
                    .collect();
                (records.len(), reasons)
            })
        })
        .collect();
    let mut all = Vec::new();
    for h in hs {
        let (n, r) = h.join().unwrap();
        assert_eq!(n, 60);
        all.extend(r);
    }
    assert!(all.iter().any(|r| r == "ConcurrencyLimit"), "{all:?}");
    assert!(
        emu.stats()["faults"]["byKind"]["concurrency"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn expired_links_fail_clearly_without_restarting() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "100",
        "--faults",
        "expired=0.5",
        "--seed",
        "6",
    ]);
    let conn = connect(&emu, patient());
    emu.reset_stats();
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox","pageSize":10}));
    let mut pages = 0;
    let err = loop {
        match cur.next_page() {
            Ok(p) if p.more => pages += 1,
            Ok(_) => panic!("expected an expired link with p = 0.5 over 9 links"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.code, ExoResult::PageExpired);
    let st = emu.stats();
    assert_eq!(
        st["requests"]["byEndpoint"]["invokeCommand"]
            .as_u64()
            .unwrap(),
        pages + 1,
        "not retried, not restarted"
    );
    assert_eq!(st["faults"]["byKind"]["expired"], 1);
}

#[test]
fn read_timeouts_are_retried_then_reported() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "3", "--latency-ms", "1500"]);
    let _warm = connect(&emu, json!({})); // the token endpoint is slow too; share its token
    let conn = connect(
        &emu,
        json!({"readTimeoutMs": 300, "maxRetries": 2, "maxRetryWaitMs": 10}),
    );
    emu.reset_stats();
    let e = run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap_err();
    assert_eq!(e.code, ExoResult::Timeout, "{e:?}");
    assert_eq!(e.retries, 2);
    std::thread::sleep(std::time::Duration::from_millis(1600));
    assert_eq!(emu.stats()["requests"]["byEndpoint"]["invokeCommand"], 3);
}

// ---------------------------------------------------------------- writes

/// Run `n` distinct Set-Mailbox writes; returns (ok, errors).
fn writes(conn: &Arc<Connection>, n: usize, tag: &str) -> (usize, Vec<Error>) {
    let mbx = run(
        conn,
        json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited"}}),
    )
    .expect("list mailboxes");
    let mut ok = 0;
    let mut errors = Vec::new();
    for i in 0..n {
        let id = mbx[i % mbx.len()]["UserPrincipalName"].as_str().unwrap();
        let r = run(
            conn,
            json!({"cmdlet":"Set-Mailbox","parameters":{"Identity": id, "CustomAttribute1": format!("{tag}-{i}")}}),
        );
        match r {
            Ok(_) => ok += 1,
            Err(e) => errors.push(e),
        }
    }
    (ok, errors)
}

fn assert_applied_once(emu: &Emulator) -> Value {
    let st = emu.stats();
    assert_eq!(
        st["writes"]["duplicates"], 0,
        "a write was applied twice: {}",
        st["writes"]["duplicateFingerprints"]
    );
    st
}

#[test]
fn throttled_writes_are_retried_and_applied_once() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "30",
        "--faults",
        "throttle=0.4",
        "--seed",
        "8",
    ]);
    let conn = connect(&emu, patient());
    let (ok, errors) = writes(&conn, 20, "throttle");
    assert_eq!((ok, errors.len()), (20, 0), "{errors:?}");
    let st = assert_applied_once(&emu);
    assert_eq!(st["writes"]["applied"], 20);
    assert!(st["faults"]["byKind"]["throttle"].as_u64().unwrap() > 0);
}

#[test]
fn transient_write_failures_are_not_retried() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "30",
        "--faults",
        "transient=0.4",
        "--seed",
        "9",
    ]);
    let conn = connect(&emu, patient());
    let _ = writes(&conn, 0, "warmup"); // the list read is retried as needed
    emu.reset_stats();
    let mbx = run(
        &conn,
        json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited"}}),
    )
    .unwrap();
    let reads = emu.stats()["requests"]["byEndpoint"]["invokeCommand"]
        .as_u64()
        .unwrap();
    let mut failed = 0;
    for i in 0..20 {
        let id = mbx[i]["UserPrincipalName"].as_str().unwrap();
        if let Err(e) = run(
            &conn,
            json!({"cmdlet":"Set-Mailbox","parameters":{"Identity": id, "CustomAttribute2": format!("t{i}")}}),
        ) {
            assert_eq!(e.code, ExoResult::Transient, "{e:?}");
            assert_eq!(e.retries, 0);
            assert!(
                e.message.contains("may or may not have been applied"),
                "{}",
                e.message
            );
            failed += 1;
        }
    }
    assert!(failed > 0, "p = 0.4 over 20 writes");
    let st = assert_applied_once(&emu);
    assert_eq!(
        st["requests"]["byEndpoint"]["invokeCommand"]
            .as_u64()
            .unwrap()
            - reads,
        20,
        "one attempt per write"
    );
    assert!(st["faults"]["byKind"]["transient"].as_u64().unwrap() > 0);
}

#[test]
fn reset_write_failures_are_not_retried() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "30",
        "--faults",
        "reset=0.4",
        "--seed",
        "10",
    ]);
    let conn = connect(&emu, patient());
    let mbx = run(
        &conn,
        json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited"}}),
    )
    .unwrap();
    emu.reset_stats();
    let mut failed = 0;
    for i in 0..20 {
        let id = mbx[i]["UserPrincipalName"].as_str().unwrap();
        if let Err(e) = run(
            &conn,
            json!({"cmdlet":"Set-Mailbox","parameters":{"Identity": id, "CustomAttribute3": format!("r{i}")}}),
        ) {
            assert_eq!(e.code, ExoResult::Network, "{e:?}");
            assert_eq!(e.retries, 0);
            assert!(
                e.message.contains("may or may not have been applied"),
                "{}",
                e.message
            );
            failed += 1;
        }
    }
    assert!(failed > 0);
    let st = assert_applied_once(&emu);
    assert_eq!(
        st["requests"]["byEndpoint"]["invokeCommand"], 20,
        "one attempt per write"
    );
}

#[test]
fn concurrency_refused_writes_are_retried_and_applied_once() {
    let emu = Arc::new(Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "30",
        "--faults",
        "concurrency=1",
        "--latency-ms",
        "20",
    ]));
    let conn = connect(&emu, contended());
    let mbx = Arc::new(
        run(
            &conn,
            json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited"}}),
        )
        .unwrap(),
    );
    // No warm-up: the five writers open their connections in one burst.
    let hs: Vec<_> = (0..5)
        .map(|t| {
            let (c, m) = (conn.clone(), mbx.clone());
            std::thread::spawn(move || {
                let mut reasons = Vec::new();
                for i in 0..4 {
                    let id = m[t * 4 + i]["UserPrincipalName"].as_str().unwrap();
                    let mut cur = invoke(&c, json!({"cmdlet":"Set-Mailbox","parameters":{"Identity": id, "CustomAttribute4": format!("c{t}-{i}")}}));
                    let (_, pages) = drain(&mut cur).expect("write succeeds after retries");
                    reasons.extend(pages.iter().flat_map(|p| p.retries.iter().map(|r| r.reason.clone())));
                }
                reasons
            })
        })
        .collect();
    let reasons: Vec<String> = hs.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert!(
        reasons.iter().all(|r| r == "ConcurrencyLimit"),
        "{reasons:?}"
    );
    assert!(
        !reasons.is_empty(),
        "five writers through one slot were never refused"
    );
    let st = assert_applied_once(&emu);
    assert_eq!(st["writes"]["applied"], 20);
    assert_eq!(
        st["faults"]["byKind"]["concurrency"].as_u64().unwrap() as usize,
        reasons.len()
    );
}

#[test]
fn connection_refused_is_retried_for_reads_and_writes() {
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let srv = FakeServer::start(|_| {
        FakeResponse::json(200, json!({"access_token":"tok","expires_in":3600}))
    });
    let o = exo_bridge::ConnectionOptions::from_json(
        &json!({"tenantId":"contoso.onmicrosoft.com","applicationId":"11111111-2222-3333-4444-555555555555",
                "authorityHost": srv.url, "exchangeHost": format!("http://127.0.0.1:{closed}"),
                "maxRetries": 3, "maxRetryWaitMs": 10})
        .to_string(),
    )
    .unwrap();
    let conn = Connection::connect(
        o,
        Secrets {
            client_secret: Some(Secret::from("s")),
            ..Default::default()
        },
    )
    .unwrap();
    for cmdlet in ["Get-Mailbox", "Set-Mailbox"] {
        let e = run(
            &conn,
            json!({"cmdlet": cmdlet, "parameters":{"Identity":"x"}}),
        )
        .unwrap_err();
        assert_eq!(e.code, ExoResult::Network, "{cmdlet}: {e:?}");
        assert_eq!(e.reason.as_str(), "ConnectFailed");
        assert_eq!(e.retries, 3, "{cmdlet}: not sent, so retried");
        assert!(!e.message.contains("may or may not"), "{}", e.message);
    }
}

#[test]
fn write_timeouts_are_not_retried() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "3", "--latency-ms", "1500"]);
    // Learn an identity without timing out (and share its token: the token endpoint is slow too).
    let slow = connect(&emu, json!({"maxRetries": 0}));
    let conn = connect(
        &emu,
        json!({"readTimeoutMs": 300, "maxRetries": 3, "maxRetryWaitMs": 10}),
    );
    let mbx = run(&slow, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    let id = mbx[0]["UserPrincipalName"].as_str().unwrap();
    emu.reset_stats();
    let e = run(
        &conn,
        json!({"cmdlet":"Set-Mailbox","parameters":{"Identity": id, "CustomAttribute5":"x"}}),
    )
    .unwrap_err();
    assert_eq!(e.code, ExoResult::Timeout, "{e:?}");
    assert_eq!(e.retries, 0);
    assert!(e.message.contains("may or may not have been applied"));
    std::thread::sleep(std::time::Duration::from_millis(1600));
    let st = assert_applied_once(&emu);
    assert_eq!(st["requests"]["byEndpoint"]["invokeCommand"], 1);
}
