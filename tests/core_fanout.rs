//! The fan-out over many connections against the emulator: every tenant's
//! records exactly once and each from its own tenant's URL, a failing
//! connection reported on its own while the others finish, the throttle
//! bounding the requests in flight, and a prompt cancel.

mod core_support;

use core_support::*;
use exo_bridge::{Connection, ExoResult, Fanout, FanoutEvent, InvokeRequest};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn request(v: Value) -> InvokeRequest {
    InvokeRequest::from_json(&v.to_string()).expect("request")
}

/// Every event until Finished: (pages per connection in order, failures per connection).
fn run(
    f: &mut Fanout,
) -> (
    HashMap<usize, Vec<exo_bridge::Page>>,
    HashMap<usize, exo_bridge::Error>,
) {
    let mut pages: HashMap<usize, Vec<exo_bridge::Page>> = HashMap::new();
    let mut failed = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "fan-out did not finish");
        match f.next(Duration::from_millis(200)).expect("next") {
            FanoutEvent::Page { index, page } => pages.entry(index).or_default().push(page),
            FanoutEvent::Failed { index, error } => {
                assert!(
                    failed.insert(index, error).is_none(),
                    "one failure per connection"
                );
            }
            FanoutEvent::Finished => return (pages, failed),
            FanoutEvent::Waiting => {}
        }
    }
}

#[test]
fn every_tenants_records_once_from_its_own_tenant() {
    let emu = Emulator::start(&["--tenants", "5", "--mailboxes", "11"]);
    let conns: Vec<Arc<Connection>> = (0..5)
        .map(|i| emu.connect_rt(&emu.customer(i), json!({})).unwrap())
        .collect();
    emu.reset_stats();
    let mut f = Fanout::start(
        conns.clone(),
        request(
            json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited"},"pageSize":4}),
        ),
        3,
    )
    .unwrap();
    let (pages, failed) = run(&mut f);
    assert!(failed.is_empty());
    assert_eq!(pages.len(), 5);
    let mut all = HashSet::new();
    for (i, ps) in &pages {
        // A connection's pages arrive in order, the last one says so.
        let numbers: Vec<u32> = ps.iter().map(|p| p.page).collect();
        assert_eq!(numbers, (1..=ps.len() as u32).collect::<Vec<_>>());
        assert!(!ps.last().unwrap().more);
        let mut n = 0;
        for p in ps {
            let v: Vec<Value> = serde_json::from_str(&p.value_json).unwrap();
            for r in v {
                n += 1;
                let upn = r["UserPrincipalName"]
                    .as_str()
                    .unwrap()
                    .to_ascii_lowercase();
                assert!(
                    upn.ends_with(&emu.customer_domain(*i).to_ascii_lowercase()),
                    "{upn} came from tenant {i}"
                );
                assert!(all.insert(upn), "a record twice");
            }
        }
        assert_eq!(n, emu.mailboxes(*i));
    }
    // Each tenant's requests went to its own URL (the emulator counts them per URL tenant),
    // one per page: no token of one tenant was sent to another's URL.
    let st = emu.stats();
    for (i, ps) in &pages {
        assert_eq!(
            st["requests"]["byTenant"][emu.customer(*i)].as_u64(),
            Some(ps.len() as u64),
            "tenant {i}"
        );
    }
}

#[test]
fn a_failing_connection_is_reported_and_the_others_finish() {
    let emu = Emulator::start(&["--tenants", "3", "--mailboxes", "4"]);
    let conns: Vec<Arc<Connection>> = (0..3)
        .map(|i| emu.connect_rt(&emu.customer(i), json!({})).unwrap())
        .collect();
    conns[1].disconnect();
    let mut f = Fanout::start(
        conns,
        request(json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited"}})),
        16,
    )
    .unwrap();
    let (pages, failed) = run(&mut f);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[&1].code, ExoResult::InvalidHandle);
    assert_eq!(
        pages.keys().copied().collect::<HashSet<_>>(),
        HashSet::from([0, 2])
    );
    // An Exchange error in one tenant: the same.
    let conns: Vec<Arc<Connection>> = (0..3)
        .map(|i| emu.connect_rt(&emu.customer(i), json!({})).unwrap())
        .collect();
    let mut f = Fanout::start(
        conns,
        request(json!({"cmdlet":"Get-Mailbox","parameters":{"Identity":format!("nobody@{}", emu.customer_domain(0))}})),
        2,
    )
    .unwrap();
    let (_, failed) = run(&mut f);
    assert_eq!(failed.len(), 3);
    assert!(failed.values().all(|e| e.code == ExoResult::ExchangeError));
}

#[test]
fn the_throttle_bounds_requests_in_flight() {
    let emu = Emulator::start(&["--tenants", "6", "--mailboxes", "2", "--latency-ms", "100"]);
    let conns: Vec<Arc<Connection>> = (0..6)
        .map(|i| emu.connect_rt(&emu.customer(i), json!({})).unwrap())
        .collect();
    emu.reset_stats();
    let mut f = Fanout::start(conns, request(json!({"cmdlet":"Get-Mailbox"})), 2).unwrap();
    let (pages, failed) = run(&mut f);
    assert!(failed.is_empty());
    assert_eq!(pages.len(), 6);
    let max = emu.stats()["concurrency"]["maxInFlight"].as_u64().unwrap();
    assert!(max <= 2, "{max} requests in flight with a throttle of 2");
}

#[test]
fn cancel_ends_every_tenants_work_promptly() {
    let emu = Emulator::start(&["--tenants", "4", "--mailboxes", "2", "--latency-ms", "2000"]);
    let conns: Vec<Arc<Connection>> = (0..4)
        .map(|i| emu.connect_rt(&emu.customer(i), json!({})).unwrap())
        .collect();
    let mut f = Fanout::start(conns, request(json!({"cmdlet":"Get-Mailbox"})), 4).unwrap();
    let cancel = f.cancel_token();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        cancel.cancel();
    });
    let start = Instant::now();
    let r = f.next(Duration::from_secs(30));
    t.join().unwrap();
    assert_eq!(r.err().map(|e| e.code), Some(ExoResult::Cancelled));
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn bad_arguments_are_refused() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "1"]);
    let c = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    let e = Fanout::start(vec![], request(json!({"cmdlet":"Get-Mailbox"})), 4)
        .err()
        .unwrap();
    assert_eq!(e.code, ExoResult::InvalidArgument);
    let e = Fanout::start(vec![c], request(json!({"cmdlet":"Get-Mailbox"})), 0)
        .err()
        .unwrap();
    assert_eq!(e.code, ExoResult::InvalidArgument);
}
