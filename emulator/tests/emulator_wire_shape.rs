//! What the real service's answers look like beyond the values: full-width Get-Mailbox rows,
//! OData annotations (`--annotations`), 401 role denials versus token problems, routing by
//! tenant GUID (nextLinks, X-AnchorMailbox).

mod common;

use common::Emulator;
use serde_json::{json, Value};

fn setup(args: &[&str]) -> (Emulator, String, String) {
    let emu = Emulator::start(args);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    (emu, t, tok)
}

#[test]
fn get_mailbox_rows_have_the_real_width_and_no_annotations_when_off() {
    let (emu, t, tok) = setup(&[
        "--mailboxes",
        "1000",
        "--tenants",
        "1",
        "--full-rows",
        "--annotations=off",
    ]);
    emu.reset_stats();
    let r = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&tok),
        &Emulator::body("Get-Mailbox", json!({"ResultSize": 1000})),
        &[("Prefer", "odata.maxpagesize=1000")],
    );
    assert_eq!(r.status, 200);
    let rows = r.values();
    assert_eq!(rows.len(), 1000);
    let width = rows[0].as_object().unwrap().len();
    assert!(width > 200, "Get-Mailbox rows carry {} properties", width);
    assert!(rows[0]
        .as_object()
        .unwrap()
        .keys()
        .all(|k| !k.contains('@')));
    for k in [
        "DatabaseGuid",
        "MailboxLocations",
        "AuditOwner",
        "UMDtmfMap",
        "RecipientSoftDeletedStatus",
        "ArchiveQuota",
    ] {
        assert!(rows[0].get(k).is_some(), "{} missing", k);
    }
    eprintln!(
        "1000-row Get-Mailbox page: {} bytes ({} properties per row)",
        r.text.len(),
        width
    );
}

#[test]
fn annotations_are_on_by_default_like_the_real_service() {
    let (emu, t, tok) = setup(&["--mailboxes", "3", "--tenants", "1"]);
    let r = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&tok),
        &Emulator::body("Get-Mailbox", json!({"ResultSize": 1})),
        &[],
    );
    assert_eq!(r.status, 200);
    let rows = r.values();
    let row = rows[0].as_object().unwrap();
    assert!(
        row.keys()
            .any(|k| k.ends_with("@odata.type") || k.ends_with("@data.type")),
        "no annotation on a default row: {:?}",
        row.keys().collect::<Vec<_>>()
    );
}

#[test]
fn annotations_flag_writes_odata_types_and_select_trims_them() {
    let (emu, t, tok) = setup(&["--mailboxes", "20", "--annotations", "--full-rows"]);
    let r = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&tok),
        &Emulator::body("Get-Mailbox", json!({"ResultSize": 1000})),
        &[("Prefer", "odata.maxpagesize=1000")],
    );
    assert_eq!(r.status, 200);
    let row = &r.values()[0];
    assert_eq!(row["EmailAddresses@odata.type"], "#Collection(String)");
    assert_eq!(row["Guid@odata.type"], "#Guid");
    assert_eq!(row["Guid@data.type"], "System.Guid");
    assert_eq!(row["ExchangeGuid@data.type"], "System.Guid");
    assert_eq!(row["WhenCreated@data.type"], "System.DateTime");
    assert_eq!(row["WhenMailboxCreated@data.type"], "System.DateTime");
    assert_eq!(row["RecipientSoftDeletedStatus@data.type"], "System.Int32");
    assert_eq!(row["IsDirSynced@data.type"], "System.Boolean");
    assert!(row["ProhibitSendQuota"]
        .as_str()
        .unwrap()
        .ends_with(" bytes)"));
    assert!(row.get("ProhibitSendQuota@data.type").is_none());
    assert!(row.get("Name@data.type").is_none());
    // Annotations precede their value in the text, as OData writes them.
    let a = r.text.find("\"Guid@odata.type\"").unwrap();
    let v = r.text.find("\"Guid\":").unwrap();
    assert!(a < v);
    // $select keeps a property's annotations with it and drops the others.
    let r = emu.invoke_raw(
        &format!("{}?$select=Guid,Name", emu.invoke_url(&t)),
        Some(&tok),
        &Emulator::body("Get-Mailbox", json!({"ResultSize": 2})),
        &[],
    );
    let row = r.values()[0].as_object().unwrap().clone();
    let mut keys: Vec<&String> = row.keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        vec!["Guid", "Guid@data.type", "Guid@odata.type", "Name"]
    );
    // Other cmdlets too.
    let r = emu.invoke(&t, &tok, "Get-MailboxStatistics", json!({"Identity": emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"ResultSize": 1}))[0]["Alias"]}));
    assert_eq!(r.values()[0]["ItemCount@data.type"], "System.Int32");
}

#[test]
fn role_denial_is_a_401_without_a_token_challenge() {
    let (emu, t, tok) = setup(&[
        "--mailboxes",
        "5",
        "--deny-cmdlet",
        "Get-Mailbox,Set-Mailbox",
    ]);
    let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({}));
    assert_eq!(r.status, 401, "{}", r.text);
    assert!(r.header("WWW-Authenticate").is_none());
    let msg = r.json["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("User is not allowed to call Get-Mailbox"),
        "{}",
        msg
    );
    assert!(r.exo_exception().ends_with("CmdletAccessDeniedException"));
    let r = emu.invoke(
        &t,
        &tok,
        "set-mailbox",
        json!({"Identity": "x", "WhatIf": true}),
    );
    assert_eq!(r.status, 401);
    // Other cmdlets still work with the same token.
    assert_eq!(emu.invoke(&t, &tok, "Get-Recipient", json!({})).status, 200);
    // A bad token still gets the invalid_token challenge.
    let r = emu.invoke(&t, "eyJ.not.issued", "Get-Recipient", json!({}));
    assert_eq!(r.status, 401);
    assert!(r
        .header("WWW-Authenticate")
        .unwrap()
        .contains("error=\"invalid_token\""));
    let st = emu.stats();
    assert_eq!(st["auth"]["unauthorizedByReason"]["role"], 2);
}

#[test]
fn expired_token_gets_the_invalid_token_challenge() {
    let emu = Emulator::start(&["--mailboxes", "3", "--token-lifetime", "1"]);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({}));
    assert_eq!(r.status, 401);
    let h = r.header("WWW-Authenticate").unwrap();
    assert!(
        h.starts_with("Bearer ") && h.contains("error=\"invalid_token\""),
        "{}",
        h
    );
}

#[test]
fn routing_by_tenant_guid_next_links_and_anchors() {
    let (emu, t, tok) = setup(&["--mailboxes", "12"]);
    let dom = emu.customer(0).1;
    // The domain in the URL works; the nextLink carries the tenant GUID.
    let r = emu.invoke_raw(
        &emu.invoke_url(&dom),
        Some(&tok),
        &Emulator::body("Get-Mailbox", json!({})),
        &[("Prefer", "odata.maxpagesize=5")],
    );
    assert_eq!(r.status, 200);
    let next = r.next_link().unwrap();
    assert!(
        next.contains(&format!("/adminapi/beta/{}/InvokeCommand?", t)),
        "{}",
        next
    );
    let r2 = emu.invoke_raw(
        &next,
        Some(&tok),
        &Emulator::body("Get-Mailbox", json!({})),
        &[],
    );
    assert_eq!(r2.status, 200);
    let good = [
        format!(
            "APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{}",
            t
        ),
        format!(
            "UPN:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{}",
            dom
        ),
        format!(
            "UPN:{}",
            emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"ResultSize": 1}))[0]
                ["UserPrincipalName"]
                .as_str()
                .unwrap()
        ),
    ];
    for a in &good {
        let r = emu.invoke_raw(
            &emu.invoke_url(&t),
            Some(&tok),
            &Emulator::body("Get-Mailbox", json!({"ResultSize": 1})),
            &[("X-AnchorMailbox", a)],
        );
        assert_eq!(r.status, 200, "{}: {}", a, r.text);
    }
    let other = emu.customer(1).0;
    let bad = format!(
        "APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{}",
        other
    );
    let r = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&tok),
        &Emulator::body("Get-Mailbox", json!({})),
        &[("X-AnchorMailbox", &bad)],
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let msg = r.json["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(&t) && msg.contains("X-AnchorMailbox"),
        "{}",
        msg
    );
    let st: Value = emu.stats();
    assert_eq!(st["auth"]["anchorMailboxMismatch"], 1);
    assert_eq!(st["auth"]["anchorMailboxPresent"], 4);
}
