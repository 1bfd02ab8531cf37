//! Exchange side: auth checks, paging, $select, page size, every cmdlet, identity resolution,
//! -Filter, writes and their stats.

mod common;

use common::{Emulator, EXCHANGE_SCOPE};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

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

#[test]
fn authentication_and_tenant_checks() {
    let emu = Emulator::start(&[]);
    let (a, a_dom) = emu.customer(0);
    let (b, _) = emu.customer(1);
    let tok_a = emu.exchange_token(&a);
    let body = Emulator::body("Get-Mailbox", json!({}));

    let r = emu.invoke_raw(&emu.invoke_url(&a), None, &body, &[]);
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer "));
    let r = emu.invoke_raw(&emu.invoke_url(&a), Some("eyJ.not.issued"), &body, &[]);
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("error=\"invalid_token\""));
    // Wrong audience (a Graph token).
    let g = emu.redeem(
        &a,
        &emu.application_id(),
        Some(&emu.client_secret()),
        &emu.refresh_token(),
        "https://graph.microsoft.com/.default",
    );
    let r = emu.invoke_raw(
        &emu.invoke_url(&a),
        g.json["access_token"].as_str(),
        &body,
        &[],
    );
    assert_eq!(r.status, 401);
    // Token for A used at B, and at an unknown tenant.
    let r = emu.invoke_raw(&emu.invoke_url(&b), Some(&tok_a), &body, &[]);
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.json["error"]["code"], "Forbidden");
    let r = emu.invoke_raw(
        &emu.invoke_url("nosuch.onmicrosoft.com"),
        Some(&tok_a),
        &body,
        &[],
    );
    assert_eq!(r.status, 403);
    // The domain works as the tenant segment.
    let r = emu.invoke_raw(&emu.invoke_url(&a_dom), Some(&tok_a), &body, &[]);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["@odata.context"]
        .as_str()
        .unwrap()
        .contains("$metadata#"));
    let st = emu.stats();
    assert_eq!(st["tokenTenantMismatch"], 2);
    assert_eq!(st["auth"]["unauthorized"], 3);
    assert_eq!(st["auth"]["unauthorizedByReason"]["missing"], 1);
    assert_eq!(st["auth"]["unauthorizedByReason"]["unknown"], 1);
    assert_eq!(st["auth"]["unauthorizedByReason"]["audience"], 1);
}

#[test]
fn expired_access_token_is_refused() {
    let (emu, t, tok) = setup(&["--token-lifetime", "1"]);
    std::thread::sleep(Duration::from_millis(2100));
    let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({}));
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
    assert_eq!(emu.stats()["auth"]["unauthorizedByReason"]["expired"], 1);
}

#[test]
fn request_validation() {
    let (emu, t, tok) = setup(&[]);
    let url = emu.invoke_url(&t);
    let r = emu.invoke_raw(
        &url,
        Some(&tok),
        &Emulator::body("Get-Mailbox", json!({})),
        &[("X-CmdletName", "Get-Recipient")],
    );
    assert_eq!(r.status, 400, "X-CmdletName mismatch");
    let r = emu.invoke_raw(&url, Some(&tok), &json!({"nope": 1}), &[]);
    assert_eq!(r.status, 400);
    let resp = emu
        .http
        .post(&url)
        .header("Authorization", format!("Bearer {}", tok))
        .body("{not json")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    // Unknown cmdlet / parameter, in the real shapes.
    let r = emu.invoke(&t, &tok, "Get-Nothing", json!({}));
    assert_eq!(r.status, 400);
    assert!(
        r.exo_detail()
            .contains("The term 'Get-Nothing' is not recognized as a name of a cmdlet"),
        "{}",
        r.text
    );
    assert_eq!(
        r.exo_exception(),
        "System.Management.Automation.CommandNotFoundException"
    );
    let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({"Colour": "blue"}));
    assert_eq!(r.status, 400);
    assert!(
        r.exo_detail()
            .ends_with("A parameter cannot be found that matches parameter name 'Colour'."),
        "{}",
        r.text
    );
    assert_eq!(
        r.exo_exception(),
        "System.Management.Automation.ParameterBindingException"
    );
    assert!(r.json["error"]["innererror"]["internalexception"]["message"].is_string());
    assert!(r.header("x-exceptiontype").is_some());
    // Missing mandatory parameter; wrong types.
    let r = emu.invoke(&t, &tok, "Get-MailboxPermission", json!({}));
    assert_eq!(r.status, 400);
    assert!(
        r.exo_detail()
            .contains("missing mandatory parameters: Identity"),
        "{}",
        r.text
    );
    let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": "lots"}));
    assert_eq!(r.status, 400);
    let r = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({"Identity": "x", "HiddenFromAddressListsEnabled": "yes"}),
    );
    assert_eq!(r.status, 400);
    // Case-insensitive cmdlet and parameter names, common parameters accepted.
    let r = emu.invoke_raw(
        &url,
        Some(&tok),
        &Emulator::body(
            "get-mailbox",
            json!({"resultsize": 2, "ErrorAction": "Stop"}),
        ),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.values().len(), 2);
}

#[test]
fn paging_with_next_link_same_body_and_select() {
    let (emu, t, tok) = setup(&["--mailboxes", "50"]);
    let (rows, pages) = emu.invoke_all_paged(&t, &tok, "Get-Mailbox", json!({}), Some(7));
    assert_eq!(rows.len(), 50);
    assert_eq!(pages, 8);
    let ids: HashSet<String> = rows.iter().map(|r| s(r, "Guid")).collect();
    assert_eq!(ids.len(), 50, "no duplicates across pages");

    let body = Emulator::body("Get-Mailbox", json!({}));
    let first = emu.invoke_raw(
        &format!("{}?$select=alias,DISPLAYNAME,Nope", emu.invoke_url(&t)),
        Some(&tok),
        &body,
        &[("Prefer", "odata.maxpagesize=10")],
    );
    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("preference-applied"),
        Some("odata.maxpagesize=10")
    );
    assert_eq!(first.values().len(), 10);
    let keys: Vec<String> = first.values()[0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        keys.len(),
        2,
        "$select trims to known properties: {:?}",
        keys
    );
    assert!(keys.contains(&"Alias".to_string()) && keys.contains(&"DisplayName".to_string()));
    let next = first.next_link().unwrap();
    assert!(
        next.starts_with(&format!(
            "{}/adminapi/beta/{}/InvokeCommand?$skiptoken=",
            emu.url, t
        )),
        "{}",
        next
    );
    assert!(next.contains("$select=alias,DISPLAYNAME,Nope"), "{}", next);
    let second = emu.invoke_raw(
        &next,
        Some(&tok),
        &body,
        &[("Prefer", "odata.maxpagesize=10")],
    );
    assert_eq!(second.status, 200);
    assert_eq!(second.values()[0].as_object().unwrap().len(), 2);
    assert_ne!(second.values()[0], first.values()[0]);
    // A different body on the link.
    let other = emu.invoke_raw(
        &next,
        Some(&tok),
        &Emulator::body("Get-Mailbox", json!({"ResultSize": 5})),
        &[],
    );
    assert_eq!(other.status, 400);
    assert_eq!(
        other.json["error"]["message"],
        "Expired or Invalid pagination request. Default Expiry time is 00:30:00"
    );
    // A tampered link.
    let bad = emu.invoke_raw(
        &format!("{}?$skiptoken=AAAA", emu.invoke_url(&t)),
        Some(&tok),
        &body,
        &[],
    );
    assert_eq!(bad.status, 400);
    // The link is bound to its tenant.
    let (t2, _) = emu.customer(1);
    let tok2 = emu.exchange_token(&t2);
    let moved = emu.invoke_raw(&next.replace(&t, &t2), Some(&tok2), &body, &[]);
    assert_eq!(moved.status, 400);
    let st = emu.stats();
    assert_eq!(st["pages"]["bodyMismatch"], 1);
    assert_eq!(st["pages"]["invalidLinks"], 2);
    assert_eq!(st["pages"]["nextLinksFollowed"], 8);
    assert!(st["records"]["byCmdlet"]["Get-Mailbox"].as_u64().unwrap() >= 70);
}

#[test]
fn next_links_expire() {
    let (emu, t, tok) = setup(&["--next-link-ttl", "1"]);
    let body = Emulator::body("Get-Mailbox", json!({}));
    let first = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&tok),
        &body,
        &[("Prefer", "odata.maxpagesize=5")],
    );
    let next = first.next_link().unwrap();
    std::thread::sleep(Duration::from_millis(1600));
    let r = emu.invoke_raw(&next, Some(&tok), &body, &[]);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json["error"]["message"],
        "Expired or Invalid pagination request. Default Expiry time is 00:30:00"
    );
    assert_eq!(emu.stats()["pages"]["expiredLinks"], 1);
}

#[test]
fn page_size_is_capped_and_result_size_warns() {
    let (emu, t, tok) = setup(&[
        "--mailboxes",
        "1500",
        "--max-page-size",
        "400",
        "--tenants",
        "1",
    ]);
    let body = Emulator::body("Get-Mailbox", json!({}));
    let r = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&tok),
        &body,
        &[("Prefer", "odata.maxpagesize=5000")],
    );
    assert_eq!(r.values().len(), 400, "capped at --max-page-size");
    let r = emu.invoke_raw(&emu.invoke_url(&t), Some(&tok), &body, &[]);
    assert_eq!(r.values().len(), 400, "default page size = --max-page-size");
    // Default ResultSize is 1000, with the real warning on the last page.
    let url = emu.invoke_url(&t);
    let mut link = url.clone();
    let mut n = 0;
    let last;
    loop {
        let r = emu.invoke_raw(&link, Some(&tok), &body, &[]);
        assert_eq!(r.status, 200);
        n += r.values().len();
        match r.next_link() {
            Some(l) => {
                assert!(r.warnings().is_empty());
                link = l
            }
            None => {
                last = Some(r);
                break;
            }
        }
    }
    assert_eq!(n, 1000);
    assert_eq!(
        last.unwrap().warnings(),
        vec![
            "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter."
                .to_string()
        ]
    );
    assert_eq!(
        emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"ResultSize": "Unlimited"}))
            .len(),
        1500
    );
    let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": 10}));
    assert_eq!(r.values().len(), 10);
    assert_eq!(r.warnings().len(), 1);
    assert!(r.next_link().is_none());
    let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": "1500"}));
    assert!(r.warnings().is_empty() || r.next_link().is_some());
}

#[test]
fn get_mailbox_and_recipient_shapes() {
    let (emu, t, tok) = setup(&["--mailboxes", "200"]);
    let rows = emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"ResultSize": "Unlimited"}));
    assert_eq!(rows.len(), 200);
    let m = &rows[0];
    for k in [
        "Name",
        "Alias",
        "DisplayName",
        "UserPrincipalName",
        "PrimarySmtpAddress",
        "EmailAddresses",
        "RecipientTypeDetails",
        "RecipientType",
        "Identity",
        "Guid",
        "ExternalDirectoryObjectId",
        "ExchangeGuid",
        "Id",
        "DistinguishedName",
        "OrganizationalUnit",
        "Database",
        "IsMailboxEnabled",
        "HiddenFromAddressListsEnabled",
        "ForwardingSmtpAddress",
        "DeliverToMailboxAndForward",
        "LitigationHoldEnabled",
        "RetentionPolicy",
        "ArchiveStatus",
        "WhenCreated",
        "WhenChanged",
        "ProhibitSendQuota",
        "IssueWarningQuota",
        "UsageLocation",
        "CustomAttribute1",
        "Languages",
    ] {
        assert!(m.get(k).is_some(), "Get-Mailbox lacks {}", k);
    }
    assert!(m["EmailAddresses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e.as_str().unwrap().starts_with("SMTP:")));
    let kinds: HashSet<String> = rows.iter().map(|r| s(r, "RecipientTypeDetails")).collect();
    for k in ["UserMailbox", "SharedMailbox", "RoomMailbox"] {
        assert!(kinds.contains(k), "{:?}", kinds);
    }
    // -RecipientTypeDetails, single and array.
    let shared = emu.invoke_all(
        &t,
        &tok,
        "Get-Mailbox",
        json!({"RecipientTypeDetails": "SharedMailbox"}),
    );
    assert!(
        !shared.is_empty()
            && shared
                .iter()
                .all(|r| r["RecipientTypeDetails"] == "SharedMailbox")
    );
    let both = emu.invoke_all(
        &t,
        &tok,
        "Get-Mailbox",
        json!({"RecipientTypeDetails": ["SharedMailbox", "RoomMailbox"]}),
    );
    assert!(both.len() > shared.len());
    assert!(both
        .iter()
        .all(|r| r["RecipientTypeDetails"] != "UserMailbox"));
    assert_eq!(
        emu.invoke(
            &t,
            &tok,
            "Get-Mailbox",
            json!({"RecipientTypeDetails": "Spaceship"})
        )
        .status,
        400
    );
    // Get-Recipient includes groups and contacts.
    let rec = emu.invoke_all(
        &t,
        &tok,
        "Get-Recipient",
        json!({"ResultSize": "Unlimited"}),
    );
    assert!(rec.len() > 200);
    let rtd: HashSet<String> = rec.iter().map(|r| s(r, "RecipientTypeDetails")).collect();
    for k in [
        "UserMailbox",
        "MailUniversalDistributionGroup",
        "MailUniversalSecurityGroup",
        "GroupMailbox",
        "MailContact",
        "GuestMailUser",
    ] {
        assert!(rtd.contains(k), "{:?}", rtd);
    }
    let contacts = emu.invoke_all(
        &t,
        &tok,
        "Get-Recipient",
        json!({"RecipientTypeDetails": "MailContact"}),
    );
    assert!(!contacts.is_empty() && contacts.iter().all(|r| r["RecipientType"] == "MailContact"));
    let groups = emu.invoke_all(
        &t,
        &tok,
        "Get-Recipient",
        json!({"RecipientType": "MailUniversalSecurityGroup"}),
    );
    assert!(!groups.is_empty());
    // Identity of a group via Get-Recipient; Get-Mailbox does not find it.
    let g = s(&groups[0], "PrimarySmtpAddress");
    assert_eq!(
        emu.invoke(&t, &tok, "Get-Recipient", json!({"Identity": g}))
            .values()
            .len(),
        1
    );
    let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({"Identity": g}));
    assert_eq!(r.status, 404);
    // Get-CASMailbox.
    let cas = emu.invoke(
        &t,
        &tok,
        "Get-CASMailbox",
        json!({"Identity": s(m, "Alias")}),
    );
    assert_eq!(cas.status, 200);
    for k in [
        "ActiveSyncEnabled",
        "OWAEnabled",
        "PopEnabled",
        "ImapEnabled",
        "MAPIEnabled",
        "EwsEnabled",
        "PrimarySmtpAddress",
    ] {
        assert!(cas.values()[0].get(k).is_some(), "CAS lacks {}", k);
    }
    assert_eq!(
        emu.invoke_all(
            &t,
            &tok,
            "Get-CASMailbox",
            json!({"ResultSize": "Unlimited"})
        )
        .len(),
        200
    );
}

#[test]
fn identity_resolution() {
    let (emu, t, tok) = setup(&[]);
    let m = emu
        .invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": 5}))
        .values()[4]
        .clone();
    let alias = s(&m, "Alias");
    let addrs: Vec<String> = m["EmailAddresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    let secondary = addrs.iter().find(|a| a.starts_with("smtp:")).unwrap()[5..].to_string();
    for ident in [
        alias.clone(),
        alias.to_uppercase(),
        s(&m, "UserPrincipalName"),
        s(&m, "PrimarySmtpAddress"),
        secondary,
        s(&m, "Guid"),
        s(&m, "ExchangeGuid"),
        s(&m, "ExternalDirectoryObjectId"),
        s(&m, "Name"),
        s(&m, "DisplayName"),
        s(&m, "DistinguishedName"),
    ] {
        let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({"Identity": ident}));
        assert_eq!(r.status, 200, "{}: {}", ident, r.text);
        assert_eq!(r.values().len(), 1);
        assert_eq!(r.values()[0]["Guid"], m["Guid"], "{}", ident);
        assert!(r.next_link().is_none());
    }
    let r = emu.invoke(
        &t,
        &tok,
        "Get-Mailbox",
        json!({"Identity": "nobody@nowhere.example"}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json["error"]["code"], "NotFound");
    assert_eq!(
        r.exo_exception(),
        "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
    );
    assert!(r.exo_detail().contains("couldn't be found"), "{}", r.text);
    // Another tenant's mailbox is not visible here.
    let (t2, _) = emu.customer(1);
    let tok2 = emu.exchange_token(&t2);
    assert_eq!(
        emu.invoke(
            &t2,
            &tok2,
            "Get-Mailbox",
            json!({"Identity": s(&m, "Guid")})
        )
        .status,
        404
    );
}

#[test]
fn filters() {
    let (emu, t, tok) = setup(&["--mailboxes", "120"]);
    let all = emu.invoke_all(&t, &tok, "Get-Mailbox", json!({}));
    let a0 = s(&all[0], "Alias");
    let f = |filter: &str| emu.invoke_all(&t, &tok, "Get-Mailbox", json!({"Filter": filter}));
    assert_eq!(f(&format!("Alias -eq '{}'", a0)).len(), 1);
    assert_eq!(f(&format!("Alias -ne '{}'", a0)).len(), 119);
    let shared = all
        .iter()
        .filter(|r| r["RecipientTypeDetails"] == "SharedMailbox")
        .count();
    assert_eq!(f("RecipientTypeDetails -eq 'SharedMailbox'").len(), shared);
    assert_eq!(
        f("(RecipientTypeDetails -eq 'SharedMailbox') -or (RecipientTypeDetails -eq 'RoomMailbox')").len(),
        all.iter()
            .filter(|r| r["RecipientTypeDetails"] == "SharedMailbox" || r["RecipientTypeDetails"] == "RoomMailbox")
            .count()
    );
    let prefix: String = a0.chars().take(3).collect();
    let like = f(&format!("Alias -like '{}*'", prefix));
    assert!(!like.is_empty() && like.iter().all(|r| s(r, "Alias").starts_with(&prefix)));
    let hidden = all
        .iter()
        .filter(|r| r["HiddenFromAddressListsEnabled"] == true)
        .count();
    assert_eq!(f("HiddenFromAddressListsEnabled -eq $true").len(), hidden);
    assert_eq!(
        f("HiddenFromAddressListsEnabled -eq $false -and RecipientTypeDetails -eq 'UserMailbox'")
            .len(),
        all.iter()
            .filter(|r| r["HiddenFromAddressListsEnabled"] == false
                && r["RecipientTypeDetails"] == "UserMailbox")
            .count()
    );
    assert_eq!(
        f(&format!(
            "EmailAddresses -eq 'smtp:{}'",
            s(&all[3], "PrimarySmtpAddress")
        ))
        .len(),
        1
    );
    assert_eq!(
        f("{ForwardingSmtpAddress -ne $null}").len(),
        all.iter()
            .filter(|r| !r["ForwardingSmtpAddress"].is_null())
            .count()
    );
    for bad in [
        "Alias -eq",
        "Alias -eq 'x' -and",
        "(Alias -eq 'x'",
        "Alias -bogus 'x'",
        "NoSuchProperty -eq 'x'",
    ] {
        let r = emu.invoke(&t, &tok, "Get-Mailbox", json!({"Filter": bad}));
        assert_eq!(r.status, 400, "{}", bad);
        assert!(r.exo_detail().contains("Filter"), "{}", r.text);
    }
    // Filters page like everything else.
    let (rows, pages) = emu.invoke_all_paged(
        &t,
        &tok,
        "Get-Recipient",
        json!({"Filter": "RecipientType -eq 'UserMailbox'"}),
        Some(25),
    );
    assert_eq!(rows.len(), 120);
    assert_eq!(pages, 5);
}

#[test]
fn permissions_statistics_devices() {
    let (emu, t, tok) = setup(&["--mailboxes", "80"]);
    let shared = emu.invoke_all(
        &t,
        &tok,
        "Get-Mailbox",
        json!({"RecipientTypeDetails": "SharedMailbox"}),
    );
    let sh = s(&shared[0], "Alias");
    let perms = emu
        .invoke(&t, &tok, "Get-MailboxPermission", json!({"Identity": sh}))
        .values();
    assert!(perms.iter().any(|p| p["User"] == "NT AUTHORITY\\SELF"));
    let delegates: Vec<&Value> = perms
        .iter()
        .filter(|p| p["User"] != "NT AUTHORITY\\SELF")
        .collect();
    assert!(
        !delegates.is_empty(),
        "shared mailboxes have FullAccess delegates"
    );
    assert_eq!(delegates[0]["AccessRights"], json!(["FullAccess"]));
    for k in ["Identity", "User", "AccessRights", "IsInherited", "Deny"] {
        assert!(perms[0].get(k).is_some());
    }
    let user = s(delegates[0], "User");
    let only = emu
        .invoke(
            &t,
            &tok,
            "Get-MailboxPermission",
            json!({"Identity": sh, "User": user}),
        )
        .values();
    assert_eq!(only.len(), 1);
    // Recipient permissions across the tenant and by trustee.
    let rp = emu.invoke_all(
        &t,
        &tok,
        "Get-RecipientPermission",
        json!({"ResultSize": "Unlimited"}),
    );
    assert!(rp.len() > 80);
    assert!(rp.iter().all(|p| p["AccessRights"] == json!(["SendAs"])));
    let by = emu.invoke_all(
        &t,
        &tok,
        "Get-RecipientPermission",
        json!({"Trustee": user}),
    );
    assert!(by.iter().all(|p| p["Trustee"] == user.as_str()));
    let one = emu
        .invoke(&t, &tok, "Get-RecipientPermission", json!({"Identity": sh}))
        .values();
    assert!(one.len() >= 2);
    // Mailbox statistics.
    let st = emu
        .invoke(&t, &tok, "Get-MailboxStatistics", json!({"Identity": sh}))
        .values();
    for k in [
        "DisplayName",
        "ItemCount",
        "TotalItemSize",
        "LastLogonTime",
        "MailboxGuid",
    ] {
        assert!(st[0].get(k).is_some(), "{}", k);
    }
    assert!(st[0]["TotalItemSize"].as_str().unwrap().ends_with("bytes)"));
    let users = emu.invoke_all(
        &t,
        &tok,
        "Get-Mailbox",
        json!({"Filter": "ArchiveStatus -eq 'Active'"}),
    );
    let arch = emu.invoke(
        &t,
        &tok,
        "Get-MailboxStatistics",
        json!({"Identity": s(&users[0], "Alias"), "Archive": true}),
    );
    assert_eq!(arch.values()[0]["IsArchiveMailbox"], true);
    assert_eq!(
        emu.invoke(
            &t,
            &tok,
            "Get-MailboxStatistics",
            json!({"Identity": sh, "Archive": true})
        )
        .status,
        404
    );
    // Mobile devices.
    let mut found = 0;
    for m in emu
        .invoke_all(
            &t,
            &tok,
            "Get-Mailbox",
            json!({"RecipientTypeDetails": "UserMailbox"}),
        )
        .iter()
        .take(20)
    {
        let d = emu.invoke(
            &t,
            &tok,
            "Get-MobileDeviceStatistics",
            json!({"Mailbox": s(m, "UserPrincipalName")}),
        );
        assert_eq!(d.status, 200);
        for dev in d.values() {
            for k in [
                "DeviceId",
                "DeviceType",
                "DeviceModel",
                "LastSuccessSync",
                "Identity",
                "Status",
                "DeviceAccessState",
            ] {
                assert!(dev.get(k).is_some(), "{}", k);
            }
            let again = emu.invoke(
                &t,
                &tok,
                "Get-MobileDeviceStatistics",
                json!({"Identity": s(&dev, "Identity")}),
            );
            assert_eq!(again.values().len(), 1, "{}", again.text);
            found += 1;
        }
    }
    assert!(found > 0, "some users have devices");
    assert_eq!(
        emu.invoke(&t, &tok, "Get-MobileDeviceStatistics", json!({}))
            .status,
        400
    );
}

#[test]
fn folders_are_localized_and_folder_permissions_resolve_by_local_name() {
    let (emu, t, tok) = setup(&["--mailboxes", "60"]);
    let mbx = emu.invoke_all(
        &t,
        &tok,
        "Get-Mailbox",
        json!({"RecipientTypeDetails": "UserMailbox"}),
    );
    let mut names = HashSet::new();
    let mut german = None;
    let mut english = None;
    for m in &mbx {
        let cal = emu.invoke(
            &t,
            &tok,
            "Get-MailboxFolderStatistics",
            json!({"Identity": s(m, "UserPrincipalName"), "FolderScope": "Calendar"}),
        );
        assert_eq!(cal.status, 200, "{}", cal.text);
        let v = cal.values();
        assert!(!v.is_empty());
        assert_eq!(
            v[0]["FolderType"], "Calendar",
            "the default calendar comes first"
        );
        for k in [
            "Name",
            "FolderPath",
            "FolderType",
            "ItemsInFolder",
            "FolderSize",
            "Identity",
        ] {
            assert!(v[0].get(k).is_some(), "{}", k);
        }
        let name = s(&v[0], "Name");
        assert_eq!(s(&v[0], "Identity"), format!("{}\\{}", s(m, "Alias"), name));
        if name == "Kalender" && m["Languages"][0] == "de-DE" {
            german = Some((s(m, "Alias"), name.clone()));
        }
        if name == "Calendar" {
            english = Some(s(m, "Alias"));
        }
        names.insert(name);
    }
    assert!(names.len() >= 3, "{:?}", names);
    assert!(
        names.contains("Calendar") && names.contains("Kalender"),
        "{:?}",
        names
    );
    let (de, _) = german.expect("a German mailbox");
    let en = english.unwrap();
    let all = emu
        .invoke(
            &t,
            &tok,
            "Get-MailboxFolderStatistics",
            json!({"Identity": en}),
        )
        .values();
    assert!(all.len() >= 15);
    assert!(all.iter().any(|f| f["Name"] == "Inbox"));
    assert_eq!(
        emu.invoke(
            &t,
            &tok,
            "Get-MailboxFolderStatistics",
            json!({"Identity": en, "FolderScope": "Wardrobe"})
        )
        .status,
        400
    );
    assert_eq!(
        emu.invoke(
            &t,
            &tok,
            "Get-MailboxFolderStatistics",
            json!({"Identity": en, "FolderScope": "Inbox"})
        )
        .values()
        .len(),
        1
    );

    let p = emu.invoke(
        &t,
        &tok,
        "Get-MailboxFolderPermission",
        json!({"Identity": format!("{}:\\Calendar", en)}),
    );
    assert_eq!(p.status, 200, "{}", p.text);
    let def = p
        .values()
        .into_iter()
        .find(|e| e["User"] == "Default")
        .unwrap();
    assert_eq!(def["AccessRights"], json!(["AvailabilityOnly"]));
    assert_eq!(def["FolderName"], "Calendar");
    assert!(p.values().iter().any(|e| e["User"] == "Anonymous"));
    // The English name does not exist in a German mailbox: the known pain.
    let r = emu.invoke(
        &t,
        &tok,
        "Get-MailboxFolderPermission",
        json!({"Identity": format!("{}:\\Calendar", de)}),
    );
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(
        r.exo_exception(),
        "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
    );
    let r = emu.invoke(
        &t,
        &tok,
        "Get-MailboxFolderPermission",
        json!({"Identity": format!("{}:\\kalender", de)}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.values()[0]["FolderName"], "Kalender");
    // Root and sub-folders.
    assert_eq!(
        emu.invoke(
            &t,
            &tok,
            "Get-MailboxFolderPermission",
            json!({"Identity": en.clone()})
        )
        .status,
        200
    );
    assert_eq!(
        emu.invoke(
            &t,
            &tok,
            "Get-MailboxFolderPermission",
            json!({"Identity": format!("{}:\\Calendar\\Birthdays", en)})
        )
        .status,
        200
    );
    assert_eq!(
        emu.invoke(
            &t,
            &tok,
            "Get-MailboxFolderPermission",
            json!({"Identity": format!("{}:\\Nope", en)})
        )
        .status,
        404
    );
}

#[test]
fn folder_permission_writes_persist_and_fail_like_the_service() {
    let (emu, t, tok) = setup(&["--mailboxes", "30"]);
    let mbx = emu.invoke_all(
        &t,
        &tok,
        "Get-Mailbox",
        json!({"RecipientTypeDetails": "UserMailbox"}),
    );
    let owner = s(&mbx[0], "Alias");
    assert_eq!(mbx[0]["Languages"][0], "en-US");
    let delegate = s(&mbx[5], "UserPrincipalName");
    let delegate_name = s(&mbx[5], "DisplayName");
    let folder = format!("{}:\\Calendar", owner);
    // Make sure there is no seeded entry for the delegate.
    let _ = emu.invoke(
        &t,
        &tok,
        "Remove-MailboxFolderPermission",
        json!({"Identity": folder, "User": delegate}),
    );
    emu.reset_stats();

    let add = emu.invoke(
        &t,
        &tok,
        "Add-MailboxFolderPermission",
        json!({"Identity": folder, "User": delegate, "AccessRights": ["Reviewer"]}),
    );
    assert_eq!(add.status, 200, "{}", add.text);
    assert_eq!(add.values()[0]["User"], delegate_name.as_str());
    let list = emu
        .invoke(
            &t,
            &tok,
            "Get-MailboxFolderPermission",
            json!({"Identity": folder, "User": delegate}),
        )
        .values();
    assert_eq!(list[0]["AccessRights"], json!(["Reviewer"]));
    let again = emu.invoke(
        &t,
        &tok,
        "Add-MailboxFolderPermission",
        json!({"Identity": folder, "User": delegate, "AccessRights": "Editor"}),
    );
    assert_eq!(again.status, 400);
    assert!(
        again
            .exo_exception()
            .ends_with("UserAlreadyExistsInPermissionEntryException"),
        "{}",
        again.text
    );
    let set = emu.invoke(
        &t,
        &tok,
        "Set-MailboxFolderPermission",
        json!({"Identity": folder, "User": delegate, "AccessRights": "editor"}),
    );
    assert_eq!(set.status, 200, "{}", set.text);
    let list = emu
        .invoke(
            &t,
            &tok,
            "Get-MailboxFolderPermission",
            json!({"Identity": folder}),
        )
        .values();
    assert_eq!(
        list.iter()
            .find(|e| e["User"] == delegate_name.as_str())
            .unwrap()["AccessRights"],
        json!(["Editor"])
    );
    let set_default = emu.invoke(
        &t,
        &tok,
        "Set-MailboxFolderPermission",
        json!({"Identity": folder, "User": "Default", "AccessRights": "LimitedDetails"}),
    );
    assert_eq!(set_default.status, 200);
    let rem = emu.invoke(
        &t,
        &tok,
        "Remove-MailboxFolderPermission",
        json!({"Identity": folder, "User": delegate}),
    );
    assert_eq!(rem.status, 200, "{}", rem.text);
    let rem2 = emu.invoke(
        &t,
        &tok,
        "Remove-MailboxFolderPermission",
        json!({"Identity": folder, "User": delegate}),
    );
    assert_eq!(rem2.status, 400);
    assert!(rem2
        .exo_exception()
        .ends_with("UserNotFoundInPermissionEntryException"));
    let set_missing = emu.invoke(
        &t,
        &tok,
        "Set-MailboxFolderPermission",
        json!({"Identity": folder, "User": delegate, "AccessRights": "Owner"}),
    );
    assert!(set_missing
        .exo_exception()
        .ends_with("UserNotFoundInPermissionEntryException"));
    let nobody = emu.invoke(
        &t,
        &tok,
        "Add-MailboxFolderPermission",
        json!({"Identity": folder, "User": "ghost@nowhere.example", "AccessRights": "Owner"}),
    );
    assert_eq!(nobody.status, 400);
    assert!(nobody.exo_detail().contains("ghost@nowhere.example"));
    let bad_rights = emu.invoke(
        &t,
        &tok,
        "Add-MailboxFolderPermission",
        json!({"Identity": folder, "User": delegate, "AccessRights": "Emperor"}),
    );
    assert_eq!(bad_rights.status, 400);
    let whatif = emu.invoke(
        &t,
        &tok,
        "Add-MailboxFolderPermission",
        json!({"Identity": folder, "User": delegate, "AccessRights": "Owner", "WhatIf": true}),
    );
    assert_eq!(whatif.status, 200);
    assert!(emu
        .invoke(
            &t,
            &tok,
            "Get-MailboxFolderPermission",
            json!({"Identity": folder})
        )
        .values()
        .iter()
        .all(|e| e["User"] != delegate_name.as_str()));

    let st = emu.stats();
    assert_eq!(st["writes"]["applied"], 4, "{}", st["writes"]);
    assert_eq!(st["writes"]["byCmdlet"]["Add-MailboxFolderPermission"], 1);
    assert_eq!(st["writes"]["byCmdlet"]["Set-MailboxFolderPermission"], 2);
    assert_eq!(
        st["writes"]["byCmdlet"]["Remove-MailboxFolderPermission"],
        1
    );
    assert_eq!(st["writes"]["byTenant"][&t], 4);
    assert_eq!(st["writes"]["duplicates"], 0);
    assert_eq!(st["writes"]["fingerprints"].as_object().unwrap().len(), 4);
    assert_eq!(st["writes"]["whatIf"], 1);
    assert_eq!(
        st["writes"]["log"][0]["cmdlet"],
        "Add-MailboxFolderPermission"
    );
    assert!(
        st["cmdletErrors"]["UserNotFoundInPermissionEntryException"]
            .as_u64()
            .unwrap()
            >= 2
    );
}

#[test]
fn set_mailbox_writes_persist() {
    let (emu, t, tok) = setup(&[]);
    let m = emu
        .invoke(&t, &tok, "Get-Mailbox", json!({"ResultSize": 1}))
        .values()[0]
        .clone();
    let alias = s(&m, "Alias");
    emu.reset_stats();
    let r = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({
            "Identity": alias, "HiddenFromAddressListsEnabled": true, "CustomAttribute1": "tier-1",
            "ForwardingSmtpAddress": "ops@example.com", "DeliverToMailboxAndForward": true,
        }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.values().is_empty());
    let after = emu
        .invoke(&t, &tok, "Get-Mailbox", json!({"Identity": alias}))
        .values()[0]
        .clone();
    assert_eq!(after["HiddenFromAddressListsEnabled"], true);
    assert_eq!(after["CustomAttribute1"], "tier-1");
    assert_eq!(after["ForwardingSmtpAddress"], "smtp:ops@example.com");
    assert_eq!(after["DeliverToMailboxAndForward"], true);
    assert_ne!(after["WhenChanged"], m["WhenChanged"]);
    // Seen by -Filter and other cmdlets too.
    assert_eq!(
        emu.invoke_all(
            &t,
            &tok,
            "Get-Mailbox",
            json!({"Filter": "CustomAttribute1 -eq 'tier-1'"})
        )
        .len(),
        1
    );
    // The same change again: the real no-op warning, and nothing applied.
    let r = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({"Identity": alias, "HiddenFromAddressListsEnabled": true}),
    );
    assert_eq!(r.status, 200);
    assert!(
        r.warnings()[0].contains("no settings of"),
        "{:?}",
        r.warnings()
    );
    // Multi-valued: a tagged hashtable binds, an untagged object does not.
    let new_addr = format!("extra.{}@{}", alias, emu.customer(0).1);
    let r = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({"Identity": alias, "EmailAddresses": {"@odata.type": "#Exchange.GenericHashTable", "Add": [format!("smtp:{}", new_addr)]}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let by_new = emu.invoke(&t, &tok, "Get-Mailbox", json!({"Identity": new_addr}));
    assert_eq!(
        by_new.status, 200,
        "resolvable by the new address: {}",
        by_new.text
    );
    let r = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({"Identity": alias, "EmailAddresses": {"Add": ["smtp:x@y.com"]}}),
    );
    assert_eq!(r.status, 400);
    // Clearing with $null.
    let r = emu.invoke(
        &t,
        &tok,
        "Set-Mailbox",
        json!({"Identity": alias, "ForwardingSmtpAddress": null}),
    );
    assert_eq!(r.status, 200);
    assert!(emu
        .invoke(&t, &tok, "Get-Mailbox", json!({"Identity": alias}))
        .values()[0]["ForwardingSmtpAddress"]
        .is_null());
    let st = emu.stats();
    assert_eq!(st["writes"]["applied"], 3);
    assert_eq!(st["writes"]["byCmdlet"]["Set-Mailbox"], 3);
    assert_eq!(st["writes"]["duplicates"], 0);
    // Writes are per tenant.
    let (t2, _) = emu.customer(1);
    let tok2 = emu.exchange_token(&t2);
    assert_eq!(
        emu.invoke_all(
            &t2,
            &tok2,
            "Get-Mailbox",
            json!({"Filter": "CustomAttribute1 -eq 'tier-1'"})
        )
        .len(),
        0
    );
}

#[test]
fn app_only_tokens_anchor_mailbox_and_scope_audiences() {
    let emu = Emulator::start(&[]);
    let (t, dom) = emu.customer(2);
    let app = emu.app_token(&t);
    let anchor = format!(
        "APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{}",
        dom
    );
    let r = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&app),
        &Emulator::body("Get-Mailbox", json!({"ResultSize": 1})),
        &[("X-AnchorMailbox", &anchor), ("client-request-id", "abc")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("client-request-id"), Some("abc"));
    let r = emu.invoke_raw(
        &emu.invoke_url(&t),
        Some(&app),
        &Emulator::body("Get-Mailbox", json!({"ResultSize": 1})),
        &[(
            "X-AnchorMailbox",
            "UPN:SystemMailbox@elsewhere.onmicrosoft.com",
        )],
    );
    // An anchor in another tenant cannot be routed.
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("X-AnchorMailbox"));
    let st = emu.stats();
    assert_eq!(st["auth"]["anchorMailboxPresent"], 2);
    assert_eq!(st["auth"]["anchorMailboxMismatch"], 1);
    // A token for {url}/.default is accepted by Exchange.
    let r = emu.redeem(
        &t,
        &emu.application_id(),
        Some(&emu.client_secret()),
        &emu.refresh_token(),
        &format!("{}/.default", emu.url),
    );
    let tok = r.json["access_token"].as_str().unwrap();
    assert_eq!(emu.invoke(&t, tok, "Get-Mailbox", json!({})).status, 200);
    let _ = EXCHANGE_SCOPE;
}
