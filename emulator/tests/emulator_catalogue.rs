//! The cmdlet catalogue: binding errors in the real shape, the MSP runbook cmdlets (settings,
//! policies, groups, permissions, offboarding), writes applied once and visible to later reads,
//! server-side -WhatIf, and Get-MessageTraceV2's own paging.

mod common;

use common::Emulator;
use serde_json::{json, Value};

fn setup(args: &[&str]) -> (Emulator, String, String) {
    let emu = Emulator::start(args);
    let (t, _) = emu.customer(0);
    let tok = emu.exchange_token(&t);
    (emu, t, tok)
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{} missing in {}", k, v))
        .to_string()
}

/// First user mailbox alias with index ≥ `from`.
fn user(emu: &Emulator, t: &str, tok: &str, nth: usize) -> String {
    let rows = emu.invoke_all(
        t,
        tok,
        "Get-Mailbox",
        json!({"RecipientTypeDetails": "UserMailbox", "ResultSize": "Unlimited"}),
    );
    s(&rows[nth], "Alias")
}

#[test]
fn unknown_parameter_and_cmdlet_have_the_real_shape() {
    let (emu, t, tok) = setup(&["--mailboxes", "12"]);
    for cmdlet in [
        "Get-OrganizationConfig",
        "Set-CASMailbox",
        "Get-MessageTraceV2",
    ] {
        let r = emu.invoke(&t, &tok, cmdlet, json!({"Identitty": "x"}));
        assert_eq!(r.status, 400, "{}: {}", cmdlet, r.text);
        assert_eq!(r.json["error"]["code"], "BadRequest");
        let parts: Vec<&str> = r.exo_detail().split('|').collect();
        assert_eq!(parts.len(), 3, "{}", r.text);
        assert_eq!(parts[0], "NamedParameterNotFound");
        assert_eq!(
            parts[1],
            "System.Management.Automation.ParameterBindingException"
        );
        assert!(parts[2].contains("'Identitty'"), "{}", parts[2]);
        assert_eq!(
            r.header("X-ExceptionType"),
            Some("ParameterBindingException")
        );
    }
    let r = emu.invoke(&t, &tok, "Get-MailboxAutoReplyConfig", json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.exo_exception(),
        "System.Management.Automation.CommandNotFoundException"
    );
    assert!(r.exo_detail().contains("'Get-MailboxAutoReplyConfig'"));
    // Typed parameters: enum, int, date, Boolean.
    for (cmdlet, params, needle) in [
        (
            "Set-Mailbox",
            json!({"Identity": "x", "Type": "Shard"}),
            "Type",
        ),
        (
            "Get-QuarantineMessage",
            json!({"PageSize": "many"}),
            "System.Int32",
        ),
        (
            "Get-MessageTraceV2",
            json!({"StartDate": "yesterday"}),
            "System.DateTime",
        ),
        (
            "Set-CASMailbox",
            json!({"Identity": "x", "PopEnabled": "no"}),
            "PopEnabled",
        ),
    ] {
        let r = emu.invoke(&t, &tok, cmdlet, params);
        assert_eq!(r.status, 400, "{}: {}", cmdlet, r.text);
        assert_eq!(
            r.exo_exception(),
            "System.Management.Automation.ParameterBindingException",
            "{}",
            r.text
        );
        assert!(r.exo_detail().contains(needle), "{}: {}", cmdlet, r.text);
    }
    // Missing mandatory parameter.
    let r = emu.invoke(&t, &tok, "Get-UnifiedGroupLinks", json!({"Identity": "x"}));
    assert_eq!(r.status, 400);
    assert!(r.exo_detail().contains("LinkType"), "{}", r.text);
}

#[test]
fn settings_and_policies_are_served() {
    let (emu, t, tok) = setup(&["--mailboxes", "12"]);
    let one = |cmdlet: &str| -> Value {
        let rows = emu.invoke_all(&t, &tok, cmdlet, json!({}));
        assert!(!rows.is_empty(), "{} returned nothing", cmdlet);
        rows[0].clone()
    };
    let org = one("Get-OrganizationConfig");
    assert_eq!(s(&org, "Name"), emu.customer(0).1);
    assert_eq!(org["OAuth2ClientProfileEnabled"], true);
    assert!(org["MailTipsLargeAudienceThreshold"].is_i64());
    let domains = emu.invoke_all(&t, &tok, "Get-AcceptedDomain", json!({}));
    assert_eq!(domains.len(), 2);
    assert_eq!(domains[0]["Default"], true);
    assert_eq!(s(&domains[0], "DomainType"), "Authoritative");
    let r = emu.invoke(
        &t,
        &tok,
        "Get-AcceptedDomain",
        json!({"Identity": "nope.example.com"}),
    );
    assert_eq!(r.status, 404);
    let rules = emu.invoke_all(&t, &tok, "Get-TransportRule", json!({}));
    assert_eq!(rules.len(), 3);
    let enabled = emu.invoke_all(&t, &tok, "Get-TransportRule", json!({"State": "Enabled"}));
    assert_eq!(enabled.len(), 2);
    for (cmdlet, prop) in [
        ("Get-HostedContentFilterPolicy", "BulkThreshold"),
        ("Get-HostedOutboundSpamFilterPolicy", "AutoForwardingMode"),
        ("Get-AntiPhishPolicy", "EnableSpoofIntelligence"),
        ("Get-MalwareFilterPolicy", "FileTypes"),
        ("Get-SafeLinksPolicy", "TrackClicks"),
        ("Get-SafeAttachmentPolicy", "Action"),
        ("Get-AdminAuditLogConfig", "UnifiedAuditLogIngestionEnabled"),
    ] {
        let o = one(cmdlet);
        assert!(!o[prop].is_null(), "{}.{} missing: {}", cmdlet, prop, o);
        assert!(o["Guid"].is_string() && o["WhenChanged"].is_string());
    }
    let by_name = emu.invoke_all(
        &t,
        &tok,
        "Get-HostedContentFilterPolicy",
        json!({"Identity": "Default"}),
    );
    assert_eq!(by_name.len(), 1);
    // Get-* has no -WhatIf: a binding error like the real service.
    let r = emu.invoke(&t, &tok, "Get-OrganizationConfig", json!({"WhatIf": true}));
    assert_eq!(r.status, 400);
    assert!(r.exo_detail().contains("'WhatIf'"), "{}", r.text);
}

#[test]
fn set_organization_config_applies_once_and_whatif_changes_nothing() {
    let (emu, t, tok) = setup(&["--mailboxes", "5"]);
    emu.reset_stats();
    let before = emu.invoke_all(&t, &tok, "Get-OrganizationConfig", json!({}))[0].clone();
    let want = !before["FocusedInboxOn"].as_bool().unwrap();
    let r = emu.invoke(
        &t,
        &tok,
        "Set-OrganizationConfig",
        json!({"FocusedInboxOn": want, "WhatIf": true}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.warnings(),
        vec![format!(
            "What if: Performing the operation \"Set-OrganizationConfig\" on target \"{}\".",
            emu.customer(0).1
        )]
    );
    let same = emu.invoke_all(&t, &tok, "Get-OrganizationConfig", json!({}))[0].clone();
    assert_eq!(same["FocusedInboxOn"], before["FocusedInboxOn"]);
    let r = emu.invoke(
        &t,
        &tok,
        "Set-OrganizationConfig",
        json!({"FocusedInboxOn": want}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.warnings().is_empty());
    let after = emu.invoke_all(&t, &tok, "Get-OrganizationConfig", json!({}))[0].clone();
    assert_eq!(after["FocusedInboxOn"], want);
    // Same call again: nothing to change, Exchange's warning, not applied twice.
    let r = emu.invoke(
        &t,
        &tok,
        "Set-OrganizationConfig",
        json!({"FocusedInboxOn": want}),
    );
    assert!(r.warnings()[0].contains("no settings of"), "{}", r.text);
    let st = emu.stats();
    assert_eq!(st["writes"]["applied"], 1);
    assert_eq!(st["writes"]["whatIf"], 1);
    assert_eq!(st["writes"]["whatIfByCmdlet"]["Set-OrganizationConfig"], 1);
    assert_eq!(st["writes"]["duplicates"], 0);
}

#[test]
fn per_mailbox_settings_read_and_write() {
    let (emu, t, tok) = setup(&["--mailboxes", "12"]);
    let a = user(&emu, &t, &tok, 1);
    let auto = emu.invoke_all(
        &t,
        &tok,
        "Get-MailboxAutoReplyConfiguration",
        json!({"Identity": a}),
    );
    assert_eq!(auto.len(), 1);
    assert_eq!(s(&auto[0], "Identity"), a);
    let r = emu.invoke(
        &t,
        &tok,
        "Set-MailboxAutoReplyConfiguration",
        json!({"Identity": a, "AutoReplyState": "scheduled", "StartTime": "2026-12-01T08:00:00Z",
               "EndTime": "2026-12-24T17:00:00Z", "InternalMessage": "Gone", "ExternalAudience": "Known"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let auto = emu.invoke_all(
        &t,
        &tok,
        "Get-MailboxAutoReplyConfiguration",
        json!({"Identity": a}),
    )[0]
    .clone();
    assert_eq!(s(&auto, "AutoReplyState"), "Scheduled");
    assert_eq!(s(&auto, "InternalMessage"), "Gone");
    assert_eq!(s(&auto, "ExternalAudience"), "Known");
    assert!(s(&auto, "StartTime").starts_with("2026-12-01T08:00:00"));
    let r = emu.invoke(
        &t,
        &tok,
        "Set-MailboxAutoReplyConfiguration",
        json!({"Identity": a, "AutoReplyState": "Scheduled", "StartTime": "2026-12-24T08:00:00Z", "EndTime": "2026-12-01T08:00:00Z"}),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.exo_exception().ends_with("DataValidationException"));

    let reg = emu.invoke_all(
        &t,
        &tok,
        "Get-MailboxRegionalConfiguration",
        json!({"Identity": a}),
    )[0]
    .clone();
    assert!(reg["TimeZone"].is_string() && reg["Language"].is_string());
    let r = emu.invoke(
        &t,
        &tok,
        "Set-MailboxRegionalConfiguration",
        json!({"Identity": a, "TimeZone": "Mars Standard Time"}),
    );
    assert_eq!(r.status, 400);
    assert!(r.exo_detail().contains("Mars Standard Time"));
    let r = emu.invoke(
        &t,
        &tok,
        "Set-MailboxRegionalConfiguration",
        json!({"Identity": a, "TimeZone": "tokyo standard time", "Language": "ja-JP", "DateFormat": "yyyy/MM/dd"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let reg = emu.invoke_all(
        &t,
        &tok,
        "Get-MailboxRegionalConfiguration",
        json!({"Identity": a}),
    )[0]
    .clone();
    assert_eq!(s(&reg, "TimeZone"), "Tokyo Standard Time");
    assert_eq!(s(&reg, "Language"), "ja-JP");

    // Set-CASMailbox is visible to Get-CASMailbox and its -Filter.
    let r = emu.invoke(
        &t,
        &tok,
        "Set-CASMailbox",
        json!({"Identity": a, "PopEnabled": false, "ImapEnabled": false, "ActiveSyncEnabled": false, "OWAEnabled": false}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let cas = emu.invoke_all(&t, &tok, "Get-CASMailbox", json!({"Identity": a}))[0].clone();
    assert_eq!(cas["OWAEnabled"], false);
    assert_eq!(cas["ActiveSyncEnabled"], false);
    let off = emu.invoke_all(
        &t,
        &tok,
        "Get-CASMailbox",
        json!({"Filter": "OWAEnabled -eq $false"}),
    );
    assert_eq!(off.len(), 1);
    assert_eq!(s(&off[0], "Name"), a);
    // Unknown mailbox: the not-found error, with and without WhatIf.
    for wi in [false, true] {
        let r = emu.invoke(
            &t,
            &tok,
            "Set-CASMailbox",
            json!({"Identity": "nobody.here", "PopEnabled": false, "WhatIf": wi}),
        );
        assert_eq!(r.status, 404, "{}", r.text);
        assert!(r
            .exo_exception()
            .ends_with("ManagementObjectNotFoundException"));
    }
}

#[test]
fn inbox_rules_users_and_devices() {
    let (emu, t, tok) = setup(&["--mailboxes", "40"]);
    let users = emu.invoke_all(&t, &tok, "Get-User", json!({"ResultSize": "Unlimited"}));
    assert_eq!(users.len(), 40);
    let with_mgr: Vec<&Value> = users.iter().filter(|u| u["Manager"].is_string()).collect();
    assert!(!with_mgr.is_empty());
    let mgr = s(with_mgr[0], "Manager");
    let m = emu.invoke_all(&t, &tok, "Get-User", json!({"Identity": mgr}));
    assert_eq!(m.len(), 1);
    let f = emu.invoke_all(
        &t,
        &tok,
        "Get-User",
        json!({"Filter": format!("Manager -eq '{}'", mgr)}),
    );
    assert!(f.iter().any(|u| u["Name"] == with_mgr[0]["Name"]));

    let mut total_rules = 0;
    for u in users.iter().take(20) {
        let r = emu.invoke(&t, &tok, "Get-InboxRule", json!({"Mailbox": s(u, "Name")}));
        assert_eq!(r.status, 200, "{}", r.text);
        total_rules += r.values().len();
        for rule in r.values() {
            assert!(s(&rule, "Identity").starts_with(&s(u, "Name")));
            assert!(rule["Priority"].is_i64());
        }
    }
    assert!(total_rules > 0);
    let r = emu.invoke(&t, &tok, "Get-InboxRule", json!({}));
    assert_eq!(r.status, 404, "{}", r.text);

    let devices = emu.invoke_all(&t, &tok, "Get-MobileDevice", json!({}));
    assert!(!devices.is_empty());
    assert!(devices[0]["DeviceId"].is_string() && devices[0]["UserDisplayName"].is_string());
    let ios = emu.invoke_all(
        &t,
        &tok,
        "Get-MobileDevice",
        json!({"Filter": "DeviceType -eq 'iPhone'"}),
    );
    assert!(ios.iter().all(|d| d["DeviceType"] == "iPhone"));
    let id = s(&devices[0], "Identity");
    let one = emu.invoke_all(&t, &tok, "Get-MobileDevice", json!({"Identity": id}));
    assert_eq!(one.len(), 1);
}

#[test]
fn groups_and_membership_writes() {
    let (emu, t, tok) = setup(&["--mailboxes", "40"]);
    let dgs = emu.invoke_all(&t, &tok, "Get-DistributionGroup", json!({}));
    assert!(!dgs.is_empty());
    assert!(dgs.iter().all(
        |g| g["RecipientTypeDetails"] == "MailUniversalDistributionGroup"
            || g["RecipientTypeDetails"] == "MailUniversalSecurityGroup"
    ));
    let sec = emu.invoke_all(
        &t,
        &tok,
        "Get-DistributionGroup",
        json!({"Filter": "GroupType -like '*SecurityEnabled*'"}),
    );
    assert!(!sec.is_empty() && sec.len() < dgs.len());
    let ugs = emu.invoke_all(&t, &tok, "Get-UnifiedGroup", json!({}));
    assert!(!ugs.is_empty());
    assert!(ugs
        .iter()
        .all(|g| g["RecipientTypeDetails"] == "GroupMailbox"));
    let ug = s(&ugs[0], "PrimarySmtpAddress");
    let owners = emu.invoke_all(
        &t,
        &tok,
        "Get-UnifiedGroupLinks",
        json!({"Identity": ug, "LinkType": "Owners"}),
    );
    assert_eq!(owners.len(), 1);
    // A unified group is not a distribution group.
    let r = emu.invoke(
        &t,
        &tok,
        "Get-DistributionGroupMember",
        json!({"Identity": ug}),
    );
    assert_eq!(r.status, 404);

    let g = s(&dgs[0], "PrimarySmtpAddress");
    let members = emu.invoke_all(
        &t,
        &tok,
        "Get-DistributionGroupMember",
        json!({"Identity": g}),
    );
    let names: Vec<String> = members.iter().map(|m| s(m, "Name")).collect();
    let all = emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"ResultSize": "Unlimited"}));
    let outsider = all
        .iter()
        .map(|m| s(m, "Alias"))
        .find(|a| !names.contains(a))
        .unwrap();
    emu.reset_stats();
    let p = json!({"Identity": g, "Member": outsider, "WhatIf": true});
    let r = emu.invoke(&t, &tok, "Add-DistributionGroupMember", p);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.warnings()[0].starts_with("What if: Adding recipient"),
        "{:?}",
        r.warnings()
    );
    assert_eq!(
        emu.invoke_all(
            &t,
            &tok,
            "Get-DistributionGroupMember",
            json!({"Identity": g})
        )
        .len(),
        members.len()
    );
    let r = emu.invoke(
        &t,
        &tok,
        "Add-DistributionGroupMember",
        json!({"Identity": g, "Member": outsider}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let after = emu.invoke_all(
        &t,
        &tok,
        "Get-DistributionGroupMember",
        json!({"Identity": g}),
    );
    assert_eq!(after.len(), members.len() + 1);
    let r = emu.invoke(
        &t,
        &tok,
        "Add-DistributionGroupMember",
        json!({"Identity": g, "Member": outsider}),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.exo_exception().ends_with("MemberAlreadyExistsException"),
        "{}",
        r.text
    );
    let r = emu.invoke(
        &t,
        &tok,
        "Remove-DistributionGroupMember",
        json!({"Identity": g, "Member": outsider}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let r = emu.invoke(
        &t,
        &tok,
        "Remove-DistributionGroupMember",
        json!({"Identity": g, "Member": outsider}),
    );
    assert_eq!(r.status, 400);
    assert!(r.exo_exception().ends_with("MemberNotFoundException"));
    let st = emu.stats();
    assert_eq!(st["writes"]["applied"], 2);
    assert_eq!(st["writes"]["whatIf"], 1);
}

#[test]
fn offboarding_runbook_whatif_then_real() {
    let (emu, t, tok) = setup(&["--mailboxes", "30"]);
    let leaver = user(&emu, &t, &tok, 2);
    let manager = user(&emu, &t, &tok, 0);
    let steps = vec![
        (
            "Set-Mailbox",
            json!({"Identity": leaver, "Type": "Shared", "HiddenFromAddressListsEnabled": true,
                   "ForwardingAddress": manager, "DeliverToMailboxAndForward": true,
                   "LitigationHoldEnabled": true}),
        ),
        (
            "Add-MailboxPermission",
            json!({"Identity": leaver, "User": manager, "AccessRights": ["FullAccess"], "AutoMapping": false}),
        ),
        (
            "Add-RecipientPermission",
            json!({"Identity": leaver, "Trustee": manager, "AccessRights": "SendAs", "Confirm": false}),
        ),
        (
            "Set-MailboxAutoReplyConfiguration",
            json!({"Identity": leaver, "AutoReplyState": "Enabled", "ExternalMessage": "I have left.", "InternalMessage": "I have left."}),
        ),
        (
            "Set-CASMailbox",
            json!({"Identity": leaver, "ActiveSyncEnabled": false, "OWAEnabled": false, "PopEnabled": false, "ImapEnabled": false}),
        ),
        (
            "Enable-Mailbox",
            json!({"Identity": leaver, "Archive": true}),
        ),
    ];
    let snapshot = |emu: &Emulator| -> Vec<Value> {
        vec![
            emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"Identity": leaver}))[0].clone(),
            Value::Array(emu.invoke_all(
                &t,
                &tok,
                "Get-MailboxPermission",
                json!({"Identity": leaver}),
            )),
            Value::Array(emu.invoke_all(
                &t,
                &tok,
                "Get-RecipientPermission",
                json!({"Identity": leaver}),
            )),
            emu.invoke_all(
                &t,
                &tok,
                "Get-MailboxAutoReplyConfiguration",
                json!({"Identity": leaver}),
            )[0]
            .clone(),
            emu.invoke_all(&t, &tok, "Get-CASMailbox", json!({"Identity": leaver}))[0].clone(),
        ]
    };
    let archived = emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"Identity": leaver}))[0]
        ["ArchiveStatus"]
        == "Active";
    let before = snapshot(&emu);
    emu.reset_stats();
    // Dry run: every step validated, nothing changed.
    for (cmdlet, params) in &steps {
        let mut p = params.clone();
        p["WhatIf"] = json!(true);
        let r = emu.invoke(&t, &tok, cmdlet, p);
        if *cmdlet == "Enable-Mailbox" && archived {
            assert_eq!(r.status, 400, "{}", r.text);
            continue;
        }
        assert_eq!(r.status, 200, "{}: {}", cmdlet, r.text);
        assert!(
            r.warnings().iter().any(|w| w.starts_with("What if: ")),
            "{}: {:?}",
            cmdlet,
            r.warnings()
        );
    }
    assert_eq!(snapshot(&emu), before, "WhatIf changed something");
    // A misspelled parameter and an unknown identity are caught by the dry run.
    let r = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({"Identity": leaver, "ForwardingAdress": manager, "WhatIf": true}),
    );
    assert_eq!(r.status, 400);
    assert!(r.exo_detail().contains("'ForwardingAdress'"));
    let r = emu.invoke(&t, &tok, "Add-MailboxPermission", json!({"Identity": "gone.user", "User": manager, "AccessRights": "FullAccess", "WhatIf": true}));
    assert_eq!(r.status, 404);
    let st = emu.stats();
    assert_eq!(st["writes"]["applied"], 0);
    assert!(st["writes"]["whatIf"].as_u64().unwrap() >= 5);

    // The real run: each step applied once.
    for (cmdlet, params) in &steps {
        let r = emu.invoke(&t, &tok, cmdlet, params.clone());
        if *cmdlet == "Enable-Mailbox" && archived {
            continue;
        }
        assert_eq!(r.status, 200, "{}: {}", cmdlet, r.text);
    }
    let mbx = emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"Identity": leaver}))[0].clone();
    assert_eq!(mbx["RecipientTypeDetails"], "SharedMailbox");
    assert_eq!(mbx["HiddenFromAddressListsEnabled"], true);
    assert_eq!(mbx["ForwardingAddress"], json!(manager));
    assert_eq!(mbx["DeliverToMailboxAndForward"], true);
    assert_eq!(mbx["LitigationHoldEnabled"], true);
    assert_eq!(mbx["ArchiveStatus"], "Active");
    let shared = emu.invoke_all(
        &t,
        &tok,
        "Get-Mailbox",
        json!({"RecipientTypeDetails": "SharedMailbox", "ResultSize": "Unlimited"}),
    );
    assert!(shared.iter().any(|m| m["Alias"] == json!(leaver)));
    let archives = emu.invoke_all(
        &t,
        &tok,
        "Get-Mailbox",
        json!({"Archive": true, "ResultSize": "Unlimited"}),
    );
    assert!(archives.iter().any(|m| m["Alias"] == json!(leaver)));
    let perms = emu.invoke_all(
        &t,
        &tok,
        "Get-MailboxPermission",
        json!({"Identity": leaver}),
    );
    assert!(perms.iter().any(|p| p["User"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}@", manager))));
    let sendas = emu.invoke_all(
        &t,
        &tok,
        "Get-RecipientPermission",
        json!({"Identity": leaver}),
    );
    assert!(sendas.iter().any(|p| p["Trustee"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}@", manager))));
    let cas = emu.invoke_all(&t, &tok, "Get-CASMailbox", json!({"Identity": leaver}))[0].clone();
    assert_eq!(cas["OWAEnabled"], false);
    let auto = emu.invoke_all(
        &t,
        &tok,
        "Get-MailboxAutoReplyConfiguration",
        json!({"Identity": leaver}),
    )[0]
    .clone();
    assert_eq!(auto["AutoReplyState"], "Enabled");
    let st = emu.stats();
    let expected = if archived { 5 } else { 6 };
    assert_eq!(st["writes"]["applied"], expected);
    assert_eq!(st["writes"]["duplicates"], 0);
    // Removing what was added; removing again only warns.
    let r = emu.invoke(&t, &tok, "Remove-MailboxPermission", json!({"Identity": leaver, "User": manager, "AccessRights": "FullAccess", "Confirm": false}));
    assert_eq!(r.status, 200, "{}", r.text);
    let r = emu.invoke(
        &t,
        &tok,
        "Remove-MailboxPermission",
        json!({"Identity": leaver, "User": manager, "AccessRights": "FullAccess"}),
    );
    assert!(
        r.warnings()[0].contains("because the ACE doesn't exist"),
        "{}",
        r.text
    );
    let r = emu.invoke(
        &t,
        &tok,
        "Remove-RecipientPermission",
        json!({"Identity": leaver, "Trustee": manager, "AccessRights": "SendAs"}),
    );
    assert_eq!(r.status, 200);
    let sendas = emu.invoke_all(
        &t,
        &tok,
        "Get-RecipientPermission",
        json!({"Identity": leaver}),
    );
    assert!(!sendas.iter().any(|p| p["Trustee"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}@", manager))));
    // Enable-Mailbox -Archive twice fails like the real service.
    let r = emu.invoke(
        &t,
        &tok,
        "Enable-Mailbox",
        json!({"Identity": leaver, "Archive": true}),
    );
    assert_eq!(r.status, 400);
    assert!(r.exo_detail().contains("already has an archive"));
}

#[test]
fn quarantine_and_message_trace_page_by_their_own_parameters() {
    let (emu, t, tok) = setup(&["--mailboxes", "60"]);
    let q1 = emu.invoke_all(
        &t,
        &tok,
        "Get-QuarantineMessage",
        json!({"PageSize": 5, "Page": 1}),
    );
    let q2 = emu.invoke_all(
        &t,
        &tok,
        "Get-QuarantineMessage",
        json!({"PageSize": 5, "Page": 2}),
    );
    assert_eq!(q1.len(), 5);
    assert!(!q2.is_empty());
    assert_ne!(q1[0]["Identity"], q2[0]["Identity"]);
    assert!(s(&q1[0], "ReceivedTime") >= s(&q1[4], "ReceivedTime"));
    let phish = emu.invoke_all(
        &t,
        &tok,
        "Get-QuarantineMessage",
        json!({"QuarantineTypes": "Phish", "PageSize": 1000}),
    );
    assert!(phish.iter().all(|m| m["Type"] == "Phish"));

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let iso = |t: u64| {
        let days = t / 86400;
        // 1970-01-01 + days via the emulator's own echo is overkill: use chrono-free arithmetic.
        let (y, m, d) = civil(days as i64);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            y,
            m,
            d,
            t % 86400 / 3600,
            t % 3600 / 60,
            t % 60
        )
    };
    let start = iso(now - 2 * 86400);
    let end = iso(now - 3600);
    let all = emu.invoke_all(
        &t,
        &tok,
        "Get-MessageTraceV2",
        json!({"StartDate": start, "EndDate": end, "ResultSize": 5000}),
    );
    assert!(all.len() > 30, "only {} traces", all.len());
    // Page through with ResultSize + StartingRecipientAddress/EndDate from the warning.
    let mut seen: Vec<String> = vec![];
    let mut params = json!({"StartDate": start, "EndDate": end, "ResultSize": 10});
    let mut rounds = 0;
    loop {
        let r = emu.invoke(&t, &tok, "Get-MessageTraceV2", params.clone());
        assert_eq!(r.status, 200, "{}", r.text);
        for v in r.values() {
            seen.push(s(&v, "MessageTraceId"));
        }
        rounds += 1;
        let w = r.warnings();
        let next = match w.iter().find(|x| x.contains("-StartingRecipientAddress")) {
            Some(n) => n.clone(),
            None => break,
        };
        assert_eq!(r.values().len(), 10);
        let q = |flag: &str| -> String {
            let k = next.find(flag).unwrap() + flag.len() + 2;
            next[k..].split('"').next().unwrap().to_string()
        };
        params = json!({"StartDate": start, "EndDate": q("-EndDate"), "StartingRecipientAddress": q("-StartingRecipientAddress"), "ResultSize": 10});
        assert!(rounds < 1000);
    }
    let want: Vec<String> = all.iter().map(|v| s(v, "MessageTraceId")).collect();
    assert_eq!(seen, want, "continuation lost or repeated rows");
    let r = emu.invoke(
        &t,
        &tok,
        "Get-MessageTraceV2",
        json!({"StartDate": iso(now - 20 * 86400), "EndDate": iso(now)}),
    );
    assert_eq!(r.status, 400);
    assert!(r.exo_detail().contains("10 days"));
}

fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
