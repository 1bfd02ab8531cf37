//! Handlers shared by many catalogue entries: read and write a settings object set, per-mailbox
//! settings, groups and their members, permissions, users, devices, quarantine and message trace.
//! A new cmdlet over an existing set is a catalogue entry pointing at one of these.

use crate::cmdlets::{
    anr_match, compile_filter, enum_list, read_state, resolve_mailbox, resolve_recipient,
    CmdletError, FnSource, Output, Params, Spec, VecSource,
};
use crate::config_objects::{object_key, Set, CULTURES, TIME_ZONES};
use crate::estate::{perm_rec, rperm_rec, OtherKind, Tenant, TenantState};
use crate::json::{self, Record, V};
use crate::rng::{self, h};
use serde_json::Value;

/// Parameters that steer a cmdlet and are not properties of its objects.
const CONTROL: &[&str] = &[
    "Identity",
    "Confirm",
    "WhatIf",
    "Force",
    "Filter",
    "ResultSize",
    "Mailbox",
    "DomainController",
    "IgnoreDefaultScope",
];

fn is_control(k: &str) -> bool {
    CONTROL.iter().any(|c| c.eq_ignore_ascii_case(k))
}

/// A bound parameter as a property value, in the type the object stores it.
fn to_v(v: &Value) -> V {
    match v {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Number(n) => V::Int(n.as_i64().unwrap_or(0)),
        Value::String(s) => {
            // Dates were normalized to ISO Z by binding; objects render them with an offset.
            if s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T' {
                V::Str(format!("{}+00:00", &s[..19]))
            } else {
                V::Str(s.clone())
            }
        }
        Value::Array(a) => V::Arr(a.iter().map(to_v).collect()),
        Value::Object(_) => V::Null,
    }
}

fn find_object(t: &Tenant, recs: &[Record], ident: &str) -> Result<usize, CmdletError> {
    let key = ident.trim().trim_matches(|c| c == '{' || c == '}');
    let hits: Vec<usize> = recs
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            [
                "Identity",
                "Name",
                "Guid",
                "DistinguishedName",
                "DomainName",
            ]
            .iter()
            .any(|k| {
                json::get(r, k)
                    .and_then(|v| v.as_str())
                    .map_or(false, |v| v.eq_ignore_ascii_case(key))
            })
        })
        .map(|(k, _)| k)
        .collect();
    match hits.len() {
        0 => Err(CmdletError::not_found(t, ident)),
        1 => Ok(hits[0]),
        _ => Err(CmdletError::ambiguous(ident)),
    }
}

/// Keeps rows whose property named like a non-control parameter equals its value
/// (e.g. Get-TransportRule -State Enabled).
fn property_params(p: &Params, rows: &mut Vec<Record>) {
    for (k, v) in &p.map {
        if is_control(k) {
            continue;
        }
        let want = to_v(v).text();
        rows.retain(|r| json::get(r, k).map_or(true, |x| x.text().eq_ignore_ascii_case(&want)));
    }
}

/// Get-* over a tenant-wide settings set (organization config, domains, rules, policies).
pub fn get_objects<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let st = read_state(t);
    let mut rows = spec.set.records(t, &st);
    if let Some(id) = p.str("Identity") {
        let k = find_object(t, &rows, &id)?;
        rows = vec![rows.swap_remove(k)];
    }
    if spec.filter {
        if let Some(sample) = spec.set.records(t, &st).into_iter().next() {
            if let Some(f) = compile_filter(p, &sample)? {
                rows.retain(|r| f.eval(r));
            }
        }
    }
    property_params(p, &mut rows);
    Ok(Output::rows(
        Box::new(VecSource(rows)),
        p.limit(spec.default_limit),
    ))
}

/// Writes parameters (named like the object's properties) over the object; a no-op warns like
/// Exchange and applies nothing; -WhatIf validates and applies nothing.
fn write_props(
    rec: &Record,
    p: &Params,
    extra: Vec<(&'static str, V)>,
) -> (Vec<(&'static str, V)>, bool) {
    let mut changes: Vec<(&'static str, V)> = extra;
    for (k, v) in &p.map {
        if is_control(k) {
            continue;
        }
        let name = rec
            .iter()
            .map(|(n, _)| *n)
            .find(|n| n.eq_ignore_ascii_case(k));
        if let Some(n) = name {
            changes.push((n, to_v(v)));
        }
    }
    let changed = changes
        .iter()
        .any(|(k, v)| json::get(rec, k).map_or(true, |old| old != v));
    (changes, changed)
}

fn commit(st: &mut TenantState, set: Set, key: String, changes: Vec<(&'static str, V)>) {
    let slot = st.props.entry((set.name(), key)).or_default();
    let now = rng::now_unix();
    let mut all = changes;
    all.push(("WhenChanged", V::Str(rng::iso_offset(now))));
    all.push(("WhenChangedUTC", V::Str(rng::iso_z(now))));
    for (k, v) in all {
        match slot.iter_mut().find(|(n, _)| *n == k) {
            Some(s) => s.1 = v,
            None => slot.push((k, v)),
        }
    }
}

/// Set-* over a tenant-wide settings set (no -Identity: the organization's single object).
pub fn set_object<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let mut st = t.state.write().unwrap_or_else(|e| e.into_inner());
    let rows = spec.set.records(t, &st);
    let k = match p.str("Identity") {
        Some(id) => find_object(t, &rows, &id)?,
        None => 0,
    };
    let rec = match rows.get(k) {
        Some(r) => r,
        None => {
            return Err(CmdletError::not_found(
                t,
                &p.str("Identity").unwrap_or_default(),
            ))
        }
    };
    let target = json::get(rec, "Identity")
        .map(|v| v.text())
        .unwrap_or_default();
    let (changes, changed) = write_props(rec, p, vec![]);
    if p.switch("WhatIf") {
        return Ok(Output::whatif(spec, &target));
    }
    if !changed {
        return Ok(Output::noop(&target));
    }
    commit(&mut st, spec.set, object_key(rec), changes);
    Ok(Output::applied(target, vec![]))
}

/// Get-* of a per-mailbox settings object (auto reply, regional configuration).
pub fn get_mailbox_object<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let st = read_state(t);
    let i = resolve_mailbox(t, &st, &p.str("Identity").unwrap_or_default())?;
    let rec = spec.set.mailbox_record(t, &st, i);
    Ok(Output::rows(Box::new(VecSource(vec![rec])), None))
}

/// Set-* of a per-mailbox settings object (auto reply, regional, CAS).
pub fn set_mailbox_object<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let mut st = t.state.write().unwrap_or_else(|e| e.into_inner());
    let i = resolve_mailbox(t, &st, &p.str("Identity").unwrap_or_default())?;
    let rec = spec.set.mailbox_record(t, &st, i);
    let alias = t.mailbox(i).alias;
    let mut extra = vec![];
    match spec.set {
        Set::Regional => {
            if let Some(z) = p.str("TimeZone") {
                match TIME_ZONES.iter().find(|x| x.eq_ignore_ascii_case(&z)) {
                    Some(c) => extra.push(("TimeZone", V::S(c))),
                    None => {
                        return Err(CmdletError::binding(
                            "ParameterArgumentTransformationError",
                            format!("Cannot process argument transformation on parameter 'TimeZone'. Cannot convert value \"{}\" to type \"Microsoft.Exchange.Data.Storage.Management.ExTimeZoneValue\". Error: \"The time zone ID '{}' was not found on the local computer.\"", z, z),
                        ))
                    }
                }
            }
            if let Some(l) = p.str("Language") {
                match CULTURES.iter().find(|x| x.eq_ignore_ascii_case(&l)) {
                    Some(c) => extra.push(("Language", V::S(c))),
                    None => {
                        return Err(CmdletError::binding(
                            "ParameterArgumentTransformationError",
                            format!("Cannot process argument transformation on parameter 'Language'. Cannot convert value \"{}\" to type \"System.Globalization.CultureInfo\". Error: \"Culture is not supported. (Parameter 'name') {} is an invalid culture identifier.\"", l, l),
                        ))
                    }
                }
            }
        }
        Set::AutoReply => {
            let state = p.str("AutoReplyState").unwrap_or_else(|| {
                json::get(&rec, "AutoReplyState")
                    .map(|v| v.text())
                    .unwrap_or_default()
            });
            if state == "Scheduled" {
                let get = |k: &str| {
                    p.str(k)
                        .or_else(|| {
                            json::get(&rec, k)
                                .and_then(|v| v.as_str())
                                .map(|s| s.to_string())
                        })
                        .and_then(|s| rng::parse_date(&s))
                };
                if let (Some(s), Some(e)) = (get("StartTime"), get("EndTime")) {
                    if e <= s {
                        return Err(CmdletError::store(
                            "Microsoft.Exchange.Data.DataValidationException",
                            "Ex4E8C1B",
                            "The end time must be later than the start time.".into(),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    let (mut changes, _) = write_props(&rec, p, vec![]);
    // Validated values (canonical spellings) win over the raw parameter.
    for (k, v) in extra {
        changes.retain(|(n, _)| *n != k);
        changes.push((k, v));
    }
    let changed = changes
        .iter()
        .any(|(k, v)| json::get(&rec, k).map_or(true, |old| old != v));
    if p.switch("WhatIf") {
        return Ok(Output::whatif(spec, &alias));
    }
    if !changed {
        return Ok(Output::noop(&alias));
    }
    commit(&mut st, spec.set, i.to_string(), changes);
    Ok(Output::applied(alias, vec![]))
}

/// Get-InboxRule -Mailbox [-Identity].
pub fn get_inbox_rule<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let st = read_state(t);
    let (mb, rule) = match (p.str("Mailbox"), p.str("Identity")) {
        (Some(m), r) => (m, r),
        (None, Some(r)) if r.contains('\\') => {
            (r.split('\\').next().unwrap_or("").to_string(), Some(r))
        }
        // Without -Mailbox the cmdlet reads the caller's mailbox: a partner admin has none here.
        _ => return Err(CmdletError::not_found(t, "admin")),
    };
    let i = resolve_mailbox(t, &st, &mb)?;
    let mut rows = t.inbox_rules(i);
    if let Some(r) = rule {
        let want = r.rsplit('\\').next().unwrap_or("").to_string();
        rows.retain(|x| {
            ["Name", "RuleIdentity", "Identity"].iter().any(|k| {
                json::get(x, k).map_or(false, |v| {
                    v.text().eq_ignore_ascii_case(&want) || v.text().eq_ignore_ascii_case(&r)
                })
            })
        });
        if rows.is_empty() {
            return Err(CmdletError::not_found(t, &r));
        }
    }
    Ok(Output::rows(
        Box::new(VecSource(rows)),
        p.limit(spec.default_limit),
    ))
}

fn group_kinds(spec: &Spec) -> &'static [OtherKind] {
    if spec.name.contains("Unified") {
        &[OtherKind::GroupMailbox]
    } else {
        &[OtherKind::DistributionGroup, OtherKind::SecurityGroup]
    }
}

fn is_group(t: &Tenant, r: usize, kinds: &[OtherKind]) -> bool {
    r >= t.n_mbx && r < t.n_mbx + t.n_groups && kinds.contains(&t.other_kind(r))
}

fn resolve_group(
    t: &Tenant,
    st: &TenantState,
    spec: &Spec,
    ident: &str,
) -> Result<usize, CmdletError> {
    let kinds = group_kinds(spec);
    let hits: Vec<usize> = t
        .resolve(ident, st)
        .into_iter()
        .filter(|r| is_group(t, *r, kinds))
        .collect();
    match hits.len() {
        0 => Err(CmdletError::not_found(t, ident)),
        1 => Ok(hits[0]),
        _ => Err(CmdletError::ambiguous(ident)),
    }
}

/// The Get-DistributionGroup / Get-UnifiedGroup object of group r.
fn group_record(t: &Tenant, st: &TenantState, r: usize) -> Record {
    let mut rec = t.recipient_record(r, st);
    let kind = t.other_kind(r);
    let members = t.members(r, st);
    let owner = members.first().map(|m| t.mailbox(*m).alias);
    rec.push((
        "ManagedBy",
        V::Arr(owner.iter().map(|o| V::Str(o.clone())).collect()),
    ));
    rec.push(("IsDirSynced", V::Bool(false)));
    match kind {
        OtherKind::GroupMailbox => {
            let hh = h(&[t.ts, r as u64, 996]);
            let alias = json::get(&rec, "Alias")
                .map(|v| v.text())
                .unwrap_or_default();
            rec.push((
                "AccessType",
                V::S(if hh % 3 == 0 { "Public" } else { "Private" }),
            ));
            rec.push((
                "SharePointSiteUrl",
                V::Str(format!(
                    "https://{}.sharepoint.com/sites/{}",
                    t.domain.split('.').next().unwrap_or(""),
                    alias.trim_start_matches("grp.")
                )),
            ));
            rec.push(("GroupMemberCount", V::Int(members.len() as i64)));
            rec.push(("GroupExternalMemberCount", V::Int(0)));
            rec.push(("ResourceProvisioningOptions", V::Arr(vec![V::S("Team")])));
            rec.push(("WelcomeMessageEnabled", V::Bool(false)));
            rec.push(("AutoSubscribeNewMembers", V::Bool(false)));
            rec.push(("AlwaysSubscribeMembersToCalendarEvents", V::Bool(false)));
            rec.push(("SubscriptionEnabled", V::Bool(true)));
            rec.push(("Notes", V::S("")));
        }
        _ => {
            rec.push((
                "GroupType",
                V::S(if kind == OtherKind::SecurityGroup {
                    "Universal, SecurityEnabled"
                } else {
                    "Universal"
                }),
            ));
            rec.push(("MemberJoinRestriction", V::S("Closed")));
            rec.push(("MemberDepartRestriction", V::S("Closed")));
            rec.push(("RequireSenderAuthenticationEnabled", V::Bool(true)));
            rec.push(("ReportToManagerEnabled", V::Bool(false)));
            rec.push(("ReportToOriginatorEnabled", V::Bool(true)));
            rec.push(("SendOofMessageToOriginatorEnabled", V::Bool(false)));
            rec.push(("BypassNestedModerationEnabled", V::Bool(false)));
            rec.push(("ModerationEnabled", V::Bool(false)));
        }
    }
    rec
}

/// Get-DistributionGroup / Get-UnifiedGroup.
pub fn get_groups<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let st = read_state(t);
    let kinds = group_kinds(spec);
    let only = match p.str("Identity") {
        Some(id) => Some(resolve_group(t, &st, spec, &id)?),
        None => None,
    };
    let first_group = (t.n_mbx..t.n_mbx + t.n_groups).find(|r| is_group(t, *r, kinds));
    let filter = match first_group {
        Some(g) => compile_filter(p, &group_record(t, &st, g))?,
        None => None,
    };
    let rtd = enum_list(
        p,
        "RecipientTypeDetails",
        &[
            "MailUniversalDistributionGroup",
            "MailUniversalSecurityGroup",
            "MailNonUniversalGroup",
            "RoomList",
            "GroupMailbox",
        ],
        "Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails",
    )?;
    let anr = p.str("Anr");
    let base = t.n_mbx;
    let n = if only.is_some() { 1 } else { t.n_groups };
    let f = move |pos: usize, out: &mut Vec<Record>| {
        let r = only.unwrap_or(base + pos);
        if !is_group(t, r, kinds) {
            return;
        }
        let rec = group_record(t, &st, r);
        if let Some(k) = &rtd {
            let d = t.recipient_type_details(r);
            if !k.iter().any(|x| x.eq_ignore_ascii_case(d)) {
                return;
            }
        }
        if let Some(a) = &anr {
            let g = |n: &str| json::get(&rec, n).map(|v| v.text()).unwrap_or_default();
            if !anr_match(
                a,
                &[&g("Alias"), &g("DisplayName"), &g("PrimarySmtpAddress")],
            ) {
                return;
            }
        }
        if filter.as_ref().map_or(true, |f| f.eval(&rec)) {
            out.push(rec);
        }
    };
    Ok(Output::rows(
        Box::new(FnSource { n, f }),
        p.limit(spec.default_limit),
    ))
}

/// A member row (Get-DistributionGroupMember / Get-UnifiedGroupLinks).
fn member_record(t: &Tenant, st: &TenantState, r: usize) -> Record {
    let full = t.recipient_record(r, st);
    [
        "Name",
        "Alias",
        "DisplayName",
        "Identity",
        "PrimarySmtpAddress",
        "RecipientType",
        "RecipientTypeDetails",
        "Guid",
        "ExternalDirectoryObjectId",
        "WindowsLiveID",
        "Department",
        "Company",
    ]
    .iter()
    .filter_map(|k| full.iter().find(|(n, _)| n == k).cloned())
    .collect()
}

/// Get-DistributionGroupMember -Identity / Get-UnifiedGroupLinks -Identity -LinkType.
pub fn get_group_members<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let st = read_state(t);
    let g = resolve_group(t, &st, spec, &p.str("Identity").unwrap_or_default())?;
    let members = t.members(g, &st);
    let list: Vec<usize> = match p.str("LinkType").as_deref() {
        Some("Owners") => members.first().copied().into_iter().collect(),
        Some("Members") | Some("Subscribers") | None => members,
        Some(_) => vec![],
    };
    let rows = list.iter().map(|r| member_record(t, &st, *r)).collect();
    Ok(Output::rows(
        Box::new(VecSource(rows)),
        p.limit(spec.default_limit),
    ))
}

/// Add-/Remove-DistributionGroupMember -Identity -Member.
pub fn group_member_write<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let mut st = t.state.write().unwrap_or_else(|e| e.into_inner());
    let ident = p.str("Identity").unwrap_or_default();
    let g = resolve_group(t, &st, spec, &ident)?;
    let who = p.str("Member").unwrap_or_default();
    let m = resolve_recipient(t, &st, &who)?;
    let mut members = t.members(g, &st);
    let group_name = json::get(&t.recipient_record(g, &st), "Name")
        .map(|v| v.text())
        .unwrap_or_default();
    let member_name = t.display_of(m);
    let adding = spec.name.starts_with("Add-");
    let pos = members.iter().position(|x| *x == m);
    if adding {
        if pos.is_some() {
            return Err(CmdletError::store(
                "Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException",
                "Ex7D3A1F",
                format!(
                    "The recipient \"{}\" is already a member of the group \"{}\".",
                    who, group_name
                ),
            ));
        }
        if m == g {
            return Err(CmdletError::store(
                "Microsoft.Exchange.Management.Tasks.RecipientTaskException",
                "Ex2C8E4D",
                format!("The group \"{}\" can't be a member of itself.", group_name),
            ));
        }
        members.push(m);
    } else {
        match pos {
            Some(k) => {
                members.remove(k);
            }
            None => {
                return Err(CmdletError::store(
                    "Microsoft.Exchange.Management.Tasks.MemberNotFoundException",
                    "Ex4B1D9E",
                    format!(
                        "Couldn't find object \"{}\" in the members of group \"{}\".",
                        member_name, group_name
                    ),
                ))
            }
        }
    }
    if p.switch("WhatIf") {
        return Ok(Output::whatif(
            spec,
            &format!("{}\" member \"{}", group_name, who),
        ));
    }
    st.members.insert(g, members);
    Ok(Output::applied(group_name, vec![]))
}

/// Add-/Remove-MailboxPermission -Identity -User -AccessRights [-AutoMapping].
pub fn mailbox_permission_write<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let mut st = t.state.write().unwrap_or_else(|e| e.into_inner());
    let ident = p.str("Identity").unwrap_or_default();
    let i = resolve_mailbox(t, &st, &ident)?;
    let user = p.str("User").unwrap_or_default();
    let u = resolve_recipient(t, &st, &user)?;
    let rights: Vec<String> = p.list("AccessRights").unwrap_or_default();
    if rights.is_empty() {
        return Err(CmdletError::binding(
            "ParameterArgumentValidationErrorEmptyArrayNotAllowed",
            "Cannot validate argument on parameter 'AccessRights'. The argument is null, empty, or an element of the argument collection contains a null value.".into(),
        ));
    }
    let alias = t.mailbox(i).alias;
    let upn = t.upn_of(u);
    let mut entries = t.mailbox_permission_records(i, &st);
    let pos = entries
        .iter()
        .position(|r| json::get(r, "User").map_or(false, |v| v.text().eq_ignore_ascii_case(&upn)));
    let have: Vec<String> = pos
        .map(|k| match json::get(&entries[k], "AccessRights") {
            Some(V::Arr(a)) => a.iter().map(|x| x.text()).collect(),
            _ => vec![],
        })
        .unwrap_or_default();
    if spec.name.starts_with("Add-") {
        let mut all = have.clone();
        for r in &rights {
            if !all.contains(r) {
                all.push(r.clone());
            }
        }
        let automap = p.bool("AutoMapping").unwrap_or(true);
        let mut rec = perm_rec(&alias, &upn, &[]);
        rec[2].1 = V::Arr(all.iter().map(|x| V::Str(x.clone())).collect());
        if p.switch("WhatIf") {
            return Ok(Output::whatif(
                spec,
                &format!("{}\" for user \"{}", alias, upn),
            ));
        }
        if all == have {
            let mut o = Output::noop(&alias);
            o.source = Box::new(VecSource(vec![rec]));
            return Ok(o);
        }
        match pos {
            Some(k) => entries[k] = rec.clone(),
            None => entries.push(rec.clone()),
        }
        st.mbx_perms.insert(i, entries);
        let mut out = rec;
        out.push(("AutoMapping", V::Bool(automap)));
        Ok(Output::applied(alias, vec![out]))
    } else {
        let left: Vec<String> = have
            .iter()
            .filter(|x| !rights.contains(x))
            .cloned()
            .collect();
        if pos.is_none() || left.len() == have.len() {
            if p.switch("WhatIf") {
                return Ok(Output::whatif(
                    spec,
                    &format!("{}\" for user \"{}", alias, upn),
                ));
            }
            let mut o = Output::empty();
            o.noop = true;
            o.warnings.push(format!(
                "Can't remove the access control entry on the object \"{}\" for account \"{}\" because the ACE doesn't exist on the object.",
                t.mailbox_dn(i),
                upn
            ));
            return Ok(o);
        }
        if p.switch("WhatIf") {
            return Ok(Output::whatif(
                spec,
                &format!("{}\" for user \"{}", alias, upn),
            ));
        }
        let k = pos.unwrap_or(0);
        if left.is_empty() {
            entries.remove(k);
        } else {
            entries[k] = {
                let mut rec = perm_rec(&alias, &upn, &[]);
                rec[2].1 = V::Arr(left.iter().map(|x| V::Str(x.clone())).collect());
                rec
            };
        }
        st.mbx_perms.insert(i, entries);
        Ok(Output::applied(alias, vec![]))
    }
}

/// Add-/Remove-RecipientPermission -Identity -Trustee -AccessRights SendAs.
pub fn recipient_permission_write<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let mut st = t.state.write().unwrap_or_else(|e| e.into_inner());
    let ident = p.str("Identity").unwrap_or_default();
    let i = resolve_mailbox(t, &st, &ident)?;
    let trustee = p.str("Trustee").unwrap_or_default();
    let u = resolve_recipient(t, &st, &trustee)?;
    let alias = t.mailbox(i).alias;
    let upn = t.upn_of(u);
    let mut entries = t.recipient_permission_records(i, &st);
    let pos = entries.iter().position(|r| {
        json::get(r, "Trustee").map_or(false, |v| v.text().eq_ignore_ascii_case(&upn))
    });
    let target = format!("{}\" for trustee \"{}", alias, upn);
    if p.switch("WhatIf") {
        return Ok(Output::whatif(spec, &target));
    }
    if spec.name.starts_with("Add-") {
        let rec = rperm_rec(&alias, &upn);
        if pos.is_some() {
            let mut o = Output::noop(&alias);
            o.source = Box::new(VecSource(vec![rec]));
            return Ok(o);
        }
        entries.push(rec.clone());
        st.send_as.insert(i, entries);
        Ok(Output::applied(alias, vec![rec]))
    } else {
        match pos {
            Some(k) => {
                entries.remove(k);
                st.send_as.insert(i, entries);
                Ok(Output::applied(alias, vec![]))
            }
            None => {
                let mut o = Output::empty();
                o.noop = true;
                o.warnings.push(format!(
                    "Can't remove the access control entry on the object \"{}\" for account \"{}\" because the ACE doesn't exist on the object.",
                    t.mailbox_dn(i),
                    upn
                ));
                Ok(o)
            }
        }
    }
}

/// Enable-Mailbox -Identity -Archive [-AutoExpandingArchive].
pub fn enable_mailbox<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let mut st = t.state.write().unwrap_or_else(|e| e.into_inner());
    if !p.switch("Archive") && !p.switch("AutoExpandingArchive") {
        return Err(CmdletError::binding(
            "AmbiguousParameterSet",
            "Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be used together or an insufficient number of parameters were provided.".into(),
        ));
    }
    let i = resolve_mailbox(t, &st, &p.str("Identity").unwrap_or_default())?;
    let m = t.mailbox(i);
    let ov = st.mbx.get(&i).cloned().unwrap_or_default();
    let has = t.archive_on(&m, Some(&ov));
    if p.switch("Archive") && has {
        return Err(CmdletError::store(
            "Microsoft.Exchange.Configuration.Tasks.RecipientTaskException",
            "Ex9A2B7C",
            format!("The mailbox '{}' already has an archive.", m.alias),
        ));
    }
    if !p.switch("Archive") && !has {
        return Err(CmdletError::store(
            "Microsoft.Exchange.Configuration.Tasks.RecipientTaskException",
            "ExA1E2C4",
            format!("Auto-expanding archiving can't be enabled for '{}' because the mailbox doesn't have an archive. Run Enable-Mailbox -Archive first.", m.alias),
        ));
    }
    if p.switch("WhatIf") {
        return Ok(Output::whatif(spec, &m.alias));
    }
    let mut ov = ov;
    ov.archive = Some(true);
    if p.switch("AutoExpandingArchive") {
        ov.auto_expanding = Some(true);
    }
    ov.when_changed = Some(rng::now_unix());
    st.mbx.insert(i, ov.clone());
    let rec = t.mailbox_record(&m, Some(&ov));
    Ok(Output::applied(m.alias, vec![rec]))
}

/// Get-User [-Identity] [-Filter] [-RecipientTypeDetails].
pub fn get_user<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let st = read_state(t);
    let only = match p.str("Identity") {
        Some(id) => Some(resolve_mailbox(t, &st, &id)?),
        None => None,
    };
    let filter = compile_filter(p, &t.user_record(0, None))?;
    let kinds = enum_list(
        p,
        "RecipientTypeDetails",
        &[
            "UserMailbox",
            "SharedMailbox",
            "RoomMailbox",
            "EquipmentMailbox",
            "User",
            "DisabledUser",
            "GuestMailUser",
            "MailUser",
        ],
        "Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails",
    )?;
    let anr = p.str("Anr");
    let n = if only.is_some() { 1 } else { t.n_mbx };
    let f = move |pos: usize, out: &mut Vec<Record>| {
        let i = only.unwrap_or(pos);
        let rec = t.user_record(i, st.mbx.get(&i));
        if let Some(k) = &kinds {
            let d = json::get(&rec, "RecipientTypeDetails")
                .map(|v| v.text())
                .unwrap_or_default();
            if !k.iter().any(|x| x.eq_ignore_ascii_case(&d)) {
                return;
            }
        }
        if let Some(a) = &anr {
            let g = |n: &str| json::get(&rec, n).map(|v| v.text()).unwrap_or_default();
            if !anr_match(
                a,
                &[
                    &g("Name"),
                    &g("DisplayName"),
                    &g("FirstName"),
                    &g("LastName"),
                    &g("UserPrincipalName"),
                ],
            ) {
                return;
            }
        }
        if filter.as_ref().map_or(true, |f| f.eval(&rec)) {
            out.push(rec);
        }
    };
    Ok(Output::rows(
        Box::new(FnSource { n, f }),
        p.limit(spec.default_limit),
    ))
}

/// The Get-MobileDevice object from a device statistics row.
fn mobile_device(stat: &Record, user_display: &str) -> Record {
    let g = |k: &str| {
        stat.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or(V::Null)
    };
    vec![
        ("FriendlyName", g("DeviceFriendlyName")),
        ("DeviceId", g("DeviceId")),
        ("DeviceImei", g("DeviceImei")),
        ("DeviceMobileOperator", g("DeviceMobileOperator")),
        ("DeviceOS", g("DeviceOS")),
        ("DeviceOSLanguage", g("DeviceOSLanguage")),
        ("DeviceTelephoneNumber", g("DevicePhoneNumber")),
        ("DeviceType", g("DeviceType")),
        ("DeviceUserAgent", g("DeviceUserAgent")),
        ("DeviceModel", g("DeviceModel")),
        ("FirstSyncTime", g("FirstSyncTime")),
        ("UserDisplayName", V::Str(user_display.to_string())),
        ("DeviceAccessState", g("DeviceAccessState")),
        ("DeviceAccessStateReason", g("DeviceAccessStateReason")),
        ("DeviceAccessControlRule", V::Null),
        ("ClientVersion", g("ClientVersion")),
        ("ClientType", g("ClientType")),
        ("IsManaged", V::Bool(false)),
        ("IsCompliant", V::Bool(false)),
        ("IsDisabled", V::Bool(false)),
        ("Name", g("DeviceId")),
        ("Identity", g("Identity")),
        ("Guid", g("Guid")),
        ("WhenCreated", g("FirstSyncTime")),
        ("WhenChanged", g("LastPolicyUpdateTime")),
        ("IsValid", V::Bool(true)),
        ("ObjectState", V::S("Unchanged")),
    ]
}

/// Get-MobileDevice [-Mailbox | -Identity] [-Filter] [-ResultSize].
pub fn get_mobile_device<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let st = read_state(t);
    let (only, device) = match (p.str("Mailbox"), p.str("Identity")) {
        (Some(m), _) => (Some(resolve_mailbox(t, &st, &m)?), None),
        (None, Some(d)) => {
            let mb = d.split('\\').next().unwrap_or("").to_string();
            let i = resolve_mailbox(t, &st, &mb).map_err(|_| CmdletError::not_found(t, &d))?;
            (Some(i), Some(d))
        }
        _ => (None, None),
    };
    let sample_m = (0..t.n_mbx.min(64)).find(|i| t.device_count(&t.mailbox(*i)) > 0);
    let filter = match sample_m {
        Some(i) => {
            let m = t.mailbox(i);
            compile_filter(p, &mobile_device(&t.device_records(&m)[0], &m.display))?
        }
        None => None,
    };
    if let (Some(i), Some(d)) = (only, &device) {
        let m = t.mailbox(i);
        let hit = t.device_records(&m).iter().any(|r| {
            ["Identity", "Guid", "DeviceId"]
                .iter()
                .any(|k| json::get(r, k).map_or(false, |v| v.text().eq_ignore_ascii_case(d)))
        });
        if !hit {
            return Err(CmdletError::not_found(t, d));
        }
    }
    let n = if only.is_some() { 1 } else { t.n_mbx };
    let f = move |pos: usize, out: &mut Vec<Record>| {
        let m = t.mailbox(only.unwrap_or(pos));
        for stat in t.device_records(&m) {
            if let Some(d) = &device {
                let hit = ["Identity", "Guid", "DeviceId"].iter().any(|k| {
                    json::get(&stat, k).map_or(false, |v| v.text().eq_ignore_ascii_case(d))
                });
                if !hit {
                    continue;
                }
            }
            let rec = mobile_device(&stat, &m.display);
            if filter.as_ref().map_or(true, |f| f.eval(&rec)) {
                out.push(rec);
            }
        }
    };
    Ok(Output::rows(
        Box::new(FnSource { n, f }),
        p.limit(spec.default_limit),
    ))
}

/// Get-QuarantineMessage: newest first, paged by -Page / -PageSize (default 1 / 100).
pub fn get_quarantine<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let page_size = p.int("PageSize").unwrap_or(100);
    let page = p.int("Page").unwrap_or(1);
    if !(1..=1000).contains(&page_size) || !(1..=1000).contains(&page) {
        let (k, v) = if !(1..=1000).contains(&page_size) {
            ("PageSize", page_size)
        } else {
            ("Page", page)
        };
        return Err(CmdletError::binding(
            "ParameterArgumentValidationError",
            format!("Cannot validate argument on parameter '{}'. The {} argument is greater than the maximum allowed range of 1000. Supply an argument that is less than or equal to 1000 and then try the command again.", k, v),
        ));
    }
    let mut rows = t.quarantine_messages(rng::now_unix());
    if let Some(id) = p.str("Identity") {
        rows.retain(|r| {
            json::get(r, "Identity").map_or(false, |v| v.text().eq_ignore_ascii_case(&id))
        });
        if rows.is_empty() {
            return Err(CmdletError::not_found(t, &id));
        }
    }
    let date = |r: &Record| {
        json::get(r, "ReceivedTime")
            .and_then(|v| v.as_str())
            .and_then(rng::parse_date)
            .unwrap_or(0)
    };
    if let Some(s) = p.str("StartReceivedDate").and_then(|s| rng::parse_date(&s)) {
        rows.retain(|r| date(r) >= s);
    }
    if let Some(e) = p.str("EndReceivedDate").and_then(|s| rng::parse_date(&s)) {
        rows.retain(|r| date(r) <= e);
    }
    if let Some(types) = p.list("QuarantineTypes").or_else(|| p.list("Type")) {
        rows.retain(|r| {
            let v = json::get(r, "Type").map(|v| v.text()).unwrap_or_default();
            types.iter().any(|x| x.eq_ignore_ascii_case(&v))
        });
    }
    for (param, prop) in [
        ("RecipientAddress", "RecipientAddress"),
        ("SenderAddress", "SenderAddress"),
    ] {
        if let Some(want) = p.list(param) {
            rows.retain(|r| {
                let v = json::get(r, prop).map(|v| v.text()).unwrap_or_default();
                want.iter()
                    .any(|w| v.to_lowercase().contains(&w.to_lowercase()))
            });
        }
    }
    if let Some(s) = p.str("Subject") {
        rows.retain(|r| {
            json::get(r, "Subject").map_or(false, |v| {
                v.text().to_lowercase().contains(&s.to_lowercase())
            })
        });
    }
    if let Some(d) = p.str("Direction") {
        rows.retain(|r| {
            json::get(r, "Direction").map_or(false, |v| v.text().eq_ignore_ascii_case(&d))
        });
    }
    if let Some(d) = p.str("ReleaseStatus") {
        rows.retain(|r| {
            json::get(r, "ReleaseStatus").map_or(false, |v| v.text().eq_ignore_ascii_case(&d))
        });
    }
    let start = ((page - 1) * page_size) as usize;
    let rows: Vec<Record> = rows
        .into_iter()
        .skip(start)
        .take(page_size as usize)
        .collect();
    Ok(Output::rows(Box::new(VecSource(rows)), spec.default_limit))
}

/// Get-MessageTraceV2: -StartDate/-EndDate (default the last 48 hours, at most 10 days, within
/// the last 90 days), -ResultSize (1..5000, default 1000), newest first; when more rows exist a
/// warning gives the next query (-StartingRecipientAddress and -EndDate of the last row).
pub fn get_message_trace<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let now = rng::now_unix();
    let end = p
        .str("EndDate")
        .and_then(|s| rng::parse_date(&s))
        .unwrap_or(now);
    let start = p
        .str("StartDate")
        .and_then(|s| rng::parse_date(&s))
        .unwrap_or(end.saturating_sub(48 * 3600));
    let invalid = |msg: String| {
        CmdletError::store(
            "Microsoft.Exchange.Management.FfoReporting.Common.InvalidArgumentException",
            "Ex5C2E9A",
            msg,
        )
    };
    if end <= start {
        return Err(invalid(
            "The EndDate must be later than the StartDate.".into(),
        ));
    }
    if end - start > 10 * 86400 {
        return Err(invalid("The time span between StartDate and EndDate can't be greater than 10 days. Use Start-HistoricalSearch for longer periods.".into()));
    }
    if start + 90 * 86400 < now {
        return Err(invalid("The StartDate can't be older than 90 days. Use Start-HistoricalSearch for older messages.".into()));
    }
    let size = match p.map.get("ResultSize") {
        None => 1000,
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0) as usize,
        Some(Value::String(s)) => s.trim().parse::<usize>().unwrap_or(0),
        _ => 0,
    };
    if !(1..=5000).contains(&size) {
        return Err(CmdletError::binding(
            "ParameterArgumentValidationError",
            "Cannot validate argument on parameter 'ResultSize'. The argument must be a number between 1 and 5000. Supply an argument that is in that range and then try the command again.".into(),
        ));
    }
    let after = p.str("StartingRecipientAddress").map(|s| s.to_lowercase());
    let mut rows = t.message_traces(start, end + 1);
    // Newest first; rows at the same instant by recipient address.
    rows.retain(|(at, rcpt, _)| match &after {
        // Continuation: rows older than EndDate, or at EndDate after the last recipient shown.
        Some(a) => *at < end || (*at == end && rcpt.as_str() > a.as_str()),
        None => *at < end || (*at == end && p.str("EndDate").is_some()),
    });
    for (param, prop) in [
        ("SenderAddress", "SenderAddress"),
        ("RecipientAddress", "RecipientAddress"),
    ] {
        if let Some(want) = p.list(param) {
            rows.retain(|(_, _, r)| {
                let v = json::get(r, prop).map(|v| v.text()).unwrap_or_default();
                want.iter().any(|w| wildcard(w, &v))
            });
        }
    }
    if let Some(st) = p.list("Status") {
        rows.retain(|(_, _, r)| {
            let v = json::get(r, "Status").map(|v| v.text()).unwrap_or_default();
            st.iter().any(|x| x.eq_ignore_ascii_case(&v))
        });
    }
    for k in ["MessageId", "MessageTraceId", "FromIP", "ToIP"] {
        if let Some(want) = p.str(k) {
            rows.retain(|(_, _, r)| {
                json::get(r, k).map_or(false, |v| v.text().eq_ignore_ascii_case(&want))
            });
        }
    }
    if let Some(s) = p.str("Subject") {
        let mode = p
            .str("SubjectFilterType")
            .unwrap_or_else(|| "Contains".into());
        let s = s.to_lowercase();
        rows.retain(|(_, _, r)| {
            let v = json::get(r, "Subject")
                .map(|v| v.text().to_lowercase())
                .unwrap_or_default();
            match mode.as_str() {
                "StartsWith" => v.starts_with(&s),
                "EndsWith" => v.ends_with(&s),
                _ => v.contains(&s),
            }
        });
    }
    let more = rows.len() > size;
    rows.truncate(size);
    let mut warnings = vec![];
    if more {
        if let Some((at, rcpt, _)) = rows.last() {
            warnings.push(format!(
                "There are more results, use the following command to get more. Get-MessageTraceV2 -StartDate \"{}\" -EndDate \"{}\" -StartingRecipientAddress \"{}\" -ResultSize {}",
                rng::iso_z(start),
                rng::iso_z(*at),
                rcpt,
                size
            ));
        }
    }
    let rows: Vec<Record> = rows
        .into_iter()
        .map(|(_, _, mut r)| {
            r.push(("StartDate", V::Str(rng::iso_offset(start))));
            r.push(("EndDate", V::Str(rng::iso_offset(end))));
            r
        })
        .collect();
    let mut o = Output::rows(Box::new(VecSource(rows)), spec.default_limit);
    o.warnings = warnings;
    Ok(o)
}

fn wildcard(pat: &str, v: &str) -> bool {
    let (pat, v) = (pat.to_lowercase(), v.to_lowercase());
    if let Some(suffix) = pat.strip_prefix('*') {
        v.ends_with(suffix)
    } else {
        pat == v
    }
}

impl Tenant {
    pub fn mailbox_dn(&self, i: usize) -> String {
        json::get(
            &self.mailbox_record(&self.mailbox(i), None),
            "DistinguishedName",
        )
        .map(|v| v.text())
        .unwrap_or_default()
    }
}
