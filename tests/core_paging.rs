//! InvokeCommand and the cursor against the emulator: paging, $select,
//! warnings, parameter encoding, mapped service errors, cancellation,
//! expired and foreign nextLinks.

mod core_support;

use core_support::*;
use exo_bridge::{Connection, Secrets};
use exo_bridge::{ExoResult, Secret};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[test]
fn pages_through_every_record_once() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "50"]);
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    let mut cur = invoke(
        &conn,
        json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited"},"pageSize":7}),
    );
    let (records, pages) = drain(&mut cur).unwrap();
    assert_eq!(records.len(), 50);
    assert_eq!(pages.len(), 8);
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p.page as usize, i + 1);
        assert_eq!(p.more, i + 1 < 8);
        assert_eq!(p.request_id.len(), 36);
    }
    let ids: HashSet<String> = pages.iter().map(|p| p.request_id.clone()).collect();
    assert_eq!(ids.len(), 8, "a new client-request-id per request");
    let guids: HashSet<&str> = records
        .iter()
        .map(|r| r["Guid"].as_str().unwrap())
        .collect();
    assert_eq!(guids.len(), 50);
    // After the end: empty pages, no requests.
    let before = emu.stats()["requests"]["byEndpoint"]["invokeCommand"]
        .as_u64()
        .unwrap();
    let p = cur.next_page().unwrap();
    assert_eq!((p.value_json.as_str(), p.more), ("[]", false));
    assert_eq!(
        emu.stats()["requests"]["byEndpoint"]["invokeCommand"]
            .as_u64()
            .unwrap(),
        before
    );
    let st = emu.stats();
    assert_eq!(st["pages"]["nextLinksFollowed"], 7);
    assert_eq!(st["auth"]["anchorMailboxMismatch"], 0);
    assert_eq!(st["auth"]["anchorMailboxPresent"], 8);
}

#[test]
fn select_trims_and_default_page_size_is_the_connections() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "12"]);
    let conn = emu
        .connect_rt(&emu.customer(0), json!({"pageSize": 5}))
        .unwrap();
    let mut cur = invoke(
        &conn,
        json!({"cmdlet":"Get-Mailbox","select":["DisplayName","Guid"]}),
    );
    let (records, pages) = drain(&mut cur).unwrap();
    assert_eq!((records.len(), pages.len()), (12, 3));
    for r in &records {
        let keys: HashSet<&str> = r.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert!(keys.contains("DisplayName") && keys.contains("Guid"));
        assert!(!keys.contains("EmailAddresses"), "{keys:?}");
    }
}

#[test]
fn warnings_reach_the_caller() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "10"]);
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    let mut cur = invoke(
        &conn,
        json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":3}}),
    );
    let (records, pages) = drain(&mut cur).unwrap();
    assert_eq!(records.len(), 3);
    let warnings: Vec<&String> = pages.iter().flat_map(|p| p.warnings.iter()).collect();
    assert!(
        !warnings.is_empty(),
        "ResultSize cut the list: Exchange warns"
    );
}

#[test]
fn hashtable_parameters_bind_and_writes_apply_once() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "3"]);
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    let mbx = run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    let id = mbx[0]["UserPrincipalName"].as_str().unwrap().to_string();
    let domain = id.rsplit('@').next().unwrap().to_string();
    let addr = format!("smtp:extra.alias@{domain}");
    run(&conn, json!({"cmdlet":"Set-Mailbox","parameters":{"Identity": id, "EmailAddresses": {"Add":[addr]},
        "HiddenFromAddressListsEnabled": true}}))
    .expect("Set-Mailbox with a hashtable");
    let after = run(
        &conn,
        json!({"cmdlet":"Get-Mailbox","parameters":{"Identity": id}}),
    )
    .unwrap();
    let emails = after[0]["EmailAddresses"].to_string();
    assert!(emails.to_lowercase().contains("extra.alias@"), "{emails}");
    assert_eq!(after[0]["HiddenFromAddressListsEnabled"], true);
    let st = emu.stats();
    assert_eq!(st["writes"]["applied"], 1);
    assert_eq!(st["writes"]["duplicates"], 0);
}

#[test]
fn service_errors_are_mapped() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "3"]);
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    let check = |req: Value, code: ExoResult, reason: &str| {
        let e = run(&conn, req.clone()).unwrap_err();
        assert_eq!((e.code, e.reason.as_str()), (code, reason), "{req}: {e:?}");
        assert!(
            e.request_id.as_deref().map_or(false, |r| r.len() == 36),
            "{e:?}"
        );
        assert!(e.message.contains("client-request-id"), "{}", e.message);
        assert!(e.exception_type.is_some(), "{e:?}");
        assert_no_secrets(&emu, &e);
        e
    };
    let nf = check(
        json!({"cmdlet":"Get-Mailbox","parameters":{"Identity":"nobody-at-all"}}),
        ExoResult::ExchangeError,
        "NotFound",
    );
    assert_eq!(
        nf.exception_type.as_deref(),
        Some("ManagementObjectNotFoundException")
    );
    assert!(nf.message.starts_with("Get-Mailbox: "));
    check(
        json!({"cmdlet":"Get-Mailbox","parameters":{"NoSuchParameter":1}}),
        ExoResult::ExchangeError,
        "InvalidParameter",
    );
    check(
        json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited","Filter":"((("}}),
        ExoResult::ExchangeError,
        "InvalidParameter",
    );
    check(
        json!({"cmdlet":"Get-NoSuchThing"}),
        ExoResult::ExchangeError,
        "UnknownCmdlet",
    );
    let mbx = run(&conn, json!({"cmdlet":"Get-Mailbox"})).unwrap();
    let (a, b) = (
        mbx[0]["Alias"].as_str().unwrap(),
        mbx[1]["Alias"].as_str().unwrap(),
    );
    let folders = run(&conn, json!({"cmdlet":"Get-MailboxFolderStatistics","parameters":{"Identity": a, "FolderScope":"Calendar"}})).unwrap();
    let path = folders[0]["FolderPath"]
        .as_str()
        .unwrap()
        .replace('/', "\\");
    let folder = format!("{a}:{path}");
    let add = json!({"cmdlet":"Add-MailboxFolderPermission","parameters":{"Identity": folder, "User": b, "AccessRights":["Reviewer"]}});
    run(&conn, add.clone()).expect("first add");
    check(add, ExoResult::ExchangeError, "AlreadyExists");
    check(
        json!({"cmdlet":"Remove-MailboxFolderPermission","parameters":{"Identity": format!("{b}:\\Calendar"), "User": "nobody-at-all", "Confirm": false}}),
        ExoResult::ExchangeError,
        "NotFound",
    );
}

#[test]
fn cancel_from_another_thread_returns_promptly() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "3", "--latency-ms", "4000"]);
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
    let token = cur.cancel_token();
    let h = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        token.cancel();
    });
    let t = Instant::now();
    let e = cur.next_page().unwrap_err();
    assert_eq!(e.code, ExoResult::Cancelled);
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(
        cur.next_page().unwrap_err().code,
        ExoResult::Cancelled,
        "stays cancelled"
    );
    h.join().unwrap();
}

#[test]
fn cancel_during_a_retry_wait_returns_promptly() {
    let srv = FakeServer::start(|r| {
        if r.path.contains("/oauth2/v2.0/token") {
            return FakeResponse::json(200, json!({"access_token":"tok","expires_in":3600}));
        }
        let mut resp = FakeResponse::json(
            429,
            json!({"error":{"code":"TooManyRequests","message":"slow down"}}),
        );
        resp.headers.push(("Retry-After".into(), "30".into()));
        resp
    });
    let o = exo_bridge::ConnectionOptions::from_json(
        &json!({"tenantId":"contoso.onmicrosoft.com","applicationId":"11111111-2222-3333-4444-555555555555",
                "authorityHost": srv.url, "exchangeHost": srv.url, "maxRetryWaitMs": 60000})
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
    let mut cur = invoke(
        &conn,
        json!({"cmdlet":"Set-Mailbox","parameters":{"Identity":"x"}}),
    );
    let token = cur.cancel_token();
    let h = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        token.cancel();
    });
    let t = Instant::now();
    assert_eq!(cur.next_page().unwrap_err().code, ExoResult::Cancelled);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(
        srv.request_count(),
        2,
        "token + one throttled attempt, then the wait was cancelled"
    );
    h.join().unwrap();
}

#[test]
fn expired_next_link_is_a_clear_error_and_never_restarts() {
    let emu = Emulator::start(&[
        "--tenants",
        "1",
        "--mailboxes",
        "10",
        "--next-link-ttl",
        "1",
    ]);
    let conn = emu
        .connect_rt(&emu.customer(0), json!({"pageSize": 4}))
        .unwrap();
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
    cur.next_page().unwrap();
    std::thread::sleep(Duration::from_millis(2200));
    let e = cur.next_page().unwrap_err();
    assert_eq!(e.code, ExoResult::PageExpired, "{e:?}");
    assert!(e.message.contains("30 minutes"));
    assert_eq!(
        cur.next_page().unwrap_err().code,
        ExoResult::PageExpired,
        "stays expired"
    );
    let st = emu.stats();
    assert_eq!(
        st["requests"]["byEndpoint"]["invokeCommand"], 2,
        "no silent restart, no retry"
    );
    assert_eq!(st["pages"]["expiredLinks"], 1);
}

#[test]
fn foreign_next_link_is_refused_and_never_contacted() {
    let elsewhere =
        FakeServer::start(|_| FakeResponse::json(200, json!({"value":[{"stolen":true}]})));
    let foreign = format!(
        "{}/adminapi/beta/t/InvokeCommand?$skiptoken=x",
        elsewhere.url
    );
    let f2 = foreign.clone();
    let srv = FakeServer::start(move |r| {
        if r.path.contains("/oauth2/v2.0/token") {
            return FakeResponse::json(
                200,
                json!({"access_token":"secret-bearer","expires_in":3600}),
            );
        }
        FakeResponse::json(200, json!({"value":[{"Name":"a"}], "@odata.nextLink": f2}))
    });
    let o = exo_bridge::ConnectionOptions::from_json(
        &json!({"tenantId":"contoso.onmicrosoft.com","applicationId":"11111111-2222-3333-4444-555555555555",
                "authorityHost": srv.url, "exchangeHost": srv.url})
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
    let mut cur = invoke(&conn, json!({"cmdlet":"Get-Mailbox"}));
    let p = cur.next_page().unwrap();
    assert_eq!(p.value_json, r#"[{"Name":"a"}]"#);
    assert!(p.more);
    let e = cur.next_page().unwrap_err();
    assert_eq!(e.code, ExoResult::InsecureEndpoint);
    assert_eq!(e.reason.as_str(), "ForeignNextLink");
    assert_eq!(
        cur.next_page().unwrap_err().code,
        ExoResult::InsecureEndpoint
    );
    assert_eq!(
        elsewhere.connections.load(Ordering::SeqCst),
        0,
        "the token never left"
    );
    // Same host, other port is foreign too.
    let port_only = FakeServer::start(|_| FakeResponse::json(200, json!({})));
    let o = exo_bridge::BaseUrl::parse(&srv.url, "exchangeHost").unwrap();
    assert!(exo_bridge::check_next_link(&o, &format!("{}/x", port_only.url)).is_err());
}

#[test]
fn request_headers_match_what_real_clients_send() {
    let srv = FakeServer::start(|r| {
        if r.path.contains("/oauth2/v2.0/token") {
            return FakeResponse::json(200, json!({"access_token":"tok","expires_in":3600}));
        }
        FakeResponse::json(200, json!({"value":[]}))
    });
    let o = exo_bridge::ConnectionOptions::from_json(
        &json!({"tenantId":"contoso.onmicrosoft.com","applicationId":"11111111-2222-3333-4444-555555555555",
                "authorityHost": srv.url, "exchangeHost": srv.url, "clientApplication": "MyRunbook"})
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
    run(
        &conn,
        json!({"cmdlet":"Get-Mailbox","select":["Name","Guid"],"pageSize":250,
        "parameters":{"Identity":"x","Archive":true,"EmailAddresses":{"Add":["a"]}}}),
    )
    .unwrap();
    let reqs = srv.requests.lock().unwrap();
    let token_req = reqs[0].body_str();
    assert!(token_req.contains("grant_type=client_credentials"));
    assert!(
        token_req.contains(&format!("scope={}", "http%3A%2F%2F127.0.0.1%3A")),
        "{token_req}"
    );
    let r = &reqs[1];
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.path,
        "/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$select=Name,Guid"
    );
    assert_eq!(r.header("authorization"), Some("Bearer tok"));
    assert_eq!(
        r.header("x-anchormailbox"),
        Some("APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com")
    );
    assert_eq!(r.header("x-cmdletname"), Some("Get-Mailbox"));
    assert_eq!(r.header("x-responseformat"), Some("json"));
    assert_eq!(r.header("x-clientapplication"), Some("MyRunbook"));
    assert_eq!(r.header("x-serializationlevel"), Some("Partial"));
    assert_eq!(r.header("prefer"), Some("odata.maxpagesize=250"));
    assert_eq!(
        r.header("accept"),
        Some("application/json; odata.metadata=minimal")
    );
    assert_eq!(r.header("client-request-id").map(str::len), Some(36));
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["CmdletInput"]["CmdletName"], "Get-Mailbox");
    assert_eq!(body["CmdletInput"]["Parameters"]["Archive"], true);
    assert_eq!(
        body["CmdletInput"]["Parameters"]["EmailAddresses"]["@odata.type"],
        "#Exchange.GenericHashTable"
    );
}

/// Throughput of the core alone: `cargo test --release -p exo-bridge --test core_paging
/// -- --ignored --nocapture bench_page_100k`.
#[test]
#[ignore]
fn bench_page_100k() {
    let emu = Emulator::start(&["--tenants", "1", "--mailboxes", "100000"]);
    let conn = emu.connect_rt(&emu.customer(0), json!({})).unwrap();
    // The properties Get-EXOMailbox asks for by default (its Minimum set).
    let minimum = json!([
        "Alias",
        "DisplayName",
        "DistinguishedName",
        "EmailAddresses",
        "ExchangeVersion",
        "ExternalDirectoryObjectId",
        "Guid",
        "Id",
        "Name",
        "OrganizationId",
        "PrimarySmtpAddress",
        "RecipientType",
        "RecipientTypeDetails",
        "UserPrincipalName"
    ]);
    for (label, select) in [
        ("all", None),
        (
            "three",
            Some(json!(["DisplayName", "PrimarySmtpAddress", "Guid"])),
        ),
        ("minimum", Some(minimum)),
    ] {
        let mut req = json!({"cmdlet":"Get-Mailbox","parameters":{"ResultSize":"Unlimited"}});
        if let Some(s) = &select {
            req["select"] = s.clone();
        }
        let t = Instant::now();
        let mut cur = invoke(&conn, req);
        let (mut records, mut pages, mut bytes) = (0usize, 0usize, 0usize);
        loop {
            let p = cur.next_page().unwrap();
            let json = p.to_json(); // what the ABI hands out
            bytes += json.len();
            let v: Vec<serde::de::IgnoredAny> = serde_json::from_str(&p.value_json).unwrap();
            records += v.len();
            pages += 1;
            if !p.more {
                break;
            }
        }
        let secs = t.elapsed().as_secs_f64();
        eprintln!(
            "select={label}: {records} records, {pages} pages, {:.1} MB in {secs:.2} s = {:.0} records/s",
            bytes as f64 / 1e6,
            records as f64 / secs
        );
        assert_eq!(records, 100_000);
    }
}
