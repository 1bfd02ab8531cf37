//! Cmdlet implementations: parameter binding with PowerShell-like errors, identity resolution,
//! lazily generated result sources (paged by exchange.rs) and the write cmdlets.

use crate::config_objects::Set;
use crate::estate::{
    self, FolderPerm, MbxOverride, PermUser, Tenant, TenantState, ACCESS_RIGHTS, ACCESS_ROLES,
    FOLDER_SCOPES,
};
use crate::filter::{self, Expr};
use crate::json::{Record, V};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::RwLockReadGuard;

// ---------------------------------------------------------------------------------------------
// Errors

#[derive(Debug, Clone)]
pub struct CmdletError {
    pub status: u16,
    pub code: &'static str,
    pub err_code: String,
    pub exception: &'static str,
    pub message: String,
}

const PBE: &str = "System.Management.Automation.ParameterBindingException";
const NOT_FOUND: &str = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException";

impl CmdletError {
    pub fn short_exception(&self) -> &str {
        self.exception.rsplit('.').next().unwrap_or(self.exception)
    }
    pub fn binding(err_code: &str, message: String) -> Self {
        CmdletError {
            status: 400,
            code: "BadRequest",
            err_code: err_code.into(),
            exception: PBE,
            message,
        }
    }
    pub fn not_found(t: &Tenant, ident: &str) -> Self {
        CmdletError {
            status: 404,
            code: "NotFound",
            err_code: "Ex6F9304".into(),
            exception: NOT_FOUND,
            message: format!(
                "The operation couldn't be performed because object '{}' couldn't be found on '{}DC001.{}.PROD.OUTLOOK.COM'.",
                ident,
                &t.forest[..7],
                t.forest
            ),
        }
    }
    fn folder_not_found(ident: &str) -> Self {
        CmdletError {
            status: 404,
            code: "NotFound",
            err_code: "Ex6F9304".into(),
            exception: NOT_FOUND,
            message: format!(
                "The operation couldn't be performed because '{}' couldn't be found.",
                ident
            ),
        }
    }
    pub fn ambiguous(ident: &str) -> Self {
        CmdletError {
            status: 400,
            code: "BadRequest",
            err_code: "Ex0CC5C6".into(),
            exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
            message: format!(
                "The operation couldn't be performed because '{}' matches multiple entries.",
                ident
            ),
        }
    }
    pub fn store(exception: &'static str, err_code: &str, message: String) -> Self {
        CmdletError {
            status: 400,
            code: "BadRequest",
            err_code: err_code.into(),
            exception,
            message,
        }
    }
    pub fn command_not_found(name: &str) -> Self {
        CmdletError {
            status: 400,
            code: "BadRequest",
            err_code: "CommandNotFoundException".into(),
            exception: "System.Management.Automation.CommandNotFoundException",
            message: format!(
                "The term '{}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
                name
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Specs and binding

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PT {
    Str,
    /// A string that may be $null (clears the value).
    NullableStr,
    Switch,
    Bool,
    ResultSize,
    StrList,
    Int,
    /// A Boolean that may be $null.
    NullableBool,
    /// One of these names (case-insensitive; bound to the canonical spelling).
    Enum(&'static [&'static str]),
    /// Several of these names (array or comma list).
    EnumList(&'static [&'static str]),
    /// A date PowerShell binds to DateTime (ISO 8601 or M/d/yyyy), stored as ISO 8601 UTC.
    Date,
    /// A recipient identity (resolved by the handler).
    Recipient,
    /// Multi-valued property: an array (replace) or `#Exchange.GenericHashTable` Add/Remove.
    Multi,
}

/// How a cmdlet runs: the catalogue entry points at one of these.
pub type Handler =
    for<'a> fn(&'a Tenant, &'static Spec, &Params) -> Result<Output<'a>, CmdletError>;

/// What -Identity (or the cmdlet's positional identity) resolves to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ident {
    /// No identity parameter (organization-wide settings, message trace, …).
    None,
    /// A mailbox (alias, name, UPN, address, GUIDs, DN).
    Mailbox,
    /// Any recipient.
    Recipient,
    /// A group of the cmdlet's kind (distribution/security or Microsoft 365).
    Group,
    /// `mailbox:\Folder\Sub`.
    Folder,
    /// A mobile device (Identity, Guid or DeviceId) or its mailbox.
    Device,
    /// An object of the cmdlet's set by Identity, Name, Guid or DistinguishedName.
    Object,
}

/// One catalogue entry: everything the server needs to bind, validate and run a cmdlet.
pub struct Spec {
    pub name: &'static str,
    /// Changes state (Set-/Add-/Remove-/Enable-): counted in `writes`, never retried by faults.
    pub write: bool,
    /// Server-side -WhatIf: the confirmation text (`{target}` = the resolved object); None when
    /// the real cmdlet has no -WhatIf (it is then an unknown parameter).
    pub whatif: Option<&'static str>,
    /// Accepted parameters with types (the common parameters, -Filter, -Confirm and -WhatIf are
    /// added from the flags).
    pub params: &'static [(&'static str, PT)],
    pub mandatory: &'static [&'static str],
    /// Default -ResultSize (1000 for the list cmdlets, like the real service).
    pub default_limit: Option<usize>,
    /// The object set read or written.
    pub set: Set,
    /// Accepts an OPATH -Filter over the set's properties.
    pub filter: bool,
    /// What -Identity resolves to (documentation of the entry; the catalogue test checks it
    /// against the parameters).
    #[allow(dead_code)]
    pub identity: Ident,
    pub run: Handler,
}

/// The default -WhatIf confirmation (PowerShell's ShouldProcess text).
pub const WHATIF_DEFAULT: &str =
    "What if: Performing the operation \"{cmdlet}\" on target \"{target}\".";

impl Spec {
    /// A read cmdlet with defaults (no filter, no limit, nothing mandatory).
    pub const fn read(
        name: &'static str,
        set: Set,
        identity: Ident,
        params: &'static [(&'static str, PT)],
        run: Handler,
    ) -> Spec {
        Spec {
            name,
            write: false,
            whatif: None,
            params,
            mandatory: &[],
            default_limit: None,
            set,
            filter: false,
            identity,
            run,
        }
    }
    /// A write cmdlet that supports -WhatIf with the default confirmation text.
    pub const fn write(
        name: &'static str,
        set: Set,
        identity: Ident,
        params: &'static [(&'static str, PT)],
        mandatory: &'static [&'static str],
        run: Handler,
    ) -> Spec {
        Spec {
            name,
            write: true,
            whatif: Some(WHATIF_DEFAULT),
            params,
            mandatory,
            default_limit: None,
            set,
            filter: false,
            identity,
            run,
        }
    }
}

const COMMON: &[&str] = &[
    "ErrorAction",
    "WarningAction",
    "InformationAction",
    "ErrorVariable",
    "WarningVariable",
    "InformationVariable",
    "OutVariable",
    "OutBuffer",
    "PipelineVariable",
    "Verbose",
    "Debug",
    "ProgressAction",
];
const CONFIRM: &[(&str, PT)] = &[("Confirm", PT::Switch)];
const WHATIF: &[(&str, PT)] = &[("WhatIf", PT::Switch)];
const FILTER: &[(&str, PT)] = &[("Filter", PT::Str)];

fn enum_error(param: &str, v: &str, allowed: &[&str], type_name: &str) -> CmdletError {
    CmdletError::binding(
        "CannotConvertArgumentNoMessage",
        format!(
            "Cannot bind parameter '{}'. Cannot convert value \"{}\" to type \"{}\". Error: \"Unable to match the identifier name {} to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n{}\"",
            param,
            v,
            type_name,
            v,
            allowed.join(", ")
        ),
    )
}

const SET_MAILBOX_PARAMS: &[(&str, PT)] = &[
    ("Identity", PT::Str),
    ("HiddenFromAddressListsEnabled", PT::Bool),
    ("ForwardingSmtpAddress", PT::NullableStr),
    ("DeliverToMailboxAndForward", PT::Bool),
    ("EmailAddresses", PT::Multi),
    ("GrantSendOnBehalfTo", PT::Multi),
    ("Force", PT::Switch),
    ("CustomAttribute1", PT::NullableStr),
    ("CustomAttribute2", PT::NullableStr),
    ("CustomAttribute3", PT::NullableStr),
    ("CustomAttribute4", PT::NullableStr),
    ("CustomAttribute5", PT::NullableStr),
    ("CustomAttribute6", PT::NullableStr),
    ("CustomAttribute7", PT::NullableStr),
    ("CustomAttribute8", PT::NullableStr),
    ("CustomAttribute9", PT::NullableStr),
    ("CustomAttribute10", PT::NullableStr),
    ("CustomAttribute11", PT::NullableStr),
    ("CustomAttribute12", PT::NullableStr),
    ("CustomAttribute13", PT::NullableStr),
    ("CustomAttribute14", PT::NullableStr),
    ("CustomAttribute15", PT::NullableStr),
];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Limit {
    Unlimited,
    N(usize),
}

pub struct Params {
    pub map: BTreeMap<&'static str, Value>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "System.Boolean",
        Value::Number(_) => "System.Int32",
        Value::String(_) => "System.String",
        Value::Array(_) => "System.Object[]",
        Value::Object(_) => "System.Collections.Hashtable",
    }
}

fn conv_err(param: &str, v: &Value, to: &str) -> CmdletError {
    CmdletError::binding(
        "ParameterArgumentTransformationError",
        format!(
            "Cannot process argument transformation on parameter '{}'. Cannot convert the \"{}\" value of type \"{}\" to type \"{}\".",
            param,
            short(v),
            type_name(v),
            to
        ),
    )
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(_) => "System.Collections.Hashtable".into(),
        Value::Array(_) => "System.Object[]".into(),
        other => other.to_string(),
    }
}

pub fn bind(spec: &Spec, raw: &Map<String, Value>) -> Result<Params, CmdletError> {
    let mut map = BTreeMap::new();
    for (k, v) in raw {
        if COMMON.iter().any(|c| c.eq_ignore_ascii_case(k)) {
            continue;
        }
        let found = spec
            .params
            .iter()
            .chain(if spec.filter {
                FILTER.iter()
            } else {
                [].iter()
            })
            .chain(if spec.write {
                CONFIRM.iter()
            } else {
                [].iter()
            })
            .chain(if spec.whatif.is_some() {
                WHATIF.iter()
            } else {
                [].iter()
            })
            .find(|(n, _)| n.eq_ignore_ascii_case(k));
        let (name, pt) = match found {
            Some(p) => *p,
            None => {
                return Err(CmdletError::binding(
                    "NamedParameterNotFound",
                    format!(
                        "A parameter cannot be found that matches parameter name '{}'.",
                        k
                    ),
                ))
            }
        };
        let ok = match (pt, v) {
            (_, Value::Null) if matches!(pt, PT::NullableStr | PT::NullableBool) => true,
            (_, Value::Null) => {
                return Err(CmdletError::binding(
                    "ParameterArgumentValidationErrorNullNotAllowed",
                    format!("Cannot validate argument on parameter '{}'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.", name),
                ))
            }
            (PT::Str | PT::NullableStr, Value::String(_) | Value::Number(_)) => true,
            (PT::Switch, Value::Bool(_)) => true,
            (PT::Bool | PT::NullableBool, Value::Bool(_)) => true,
            (PT::Switch | PT::Bool | PT::NullableBool, other) => {
                return Err(CmdletError::binding(
                    "ParameterArgumentTransformationError",
                    format!(
                        "Cannot process argument transformation on parameter '{}'. Cannot convert value \"{}\" to type \"System.{}\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.",
                        name,
                        short(other),
                        if pt == PT::Switch { "Management.Automation.SwitchParameter" } else { "Boolean" }
                    ),
                ))
            }
            (PT::ResultSize, _) => {
                parse_limit(v).ok_or_else(|| {
                    CmdletError::binding(
                        "ParameterArgumentTransformationError",
                        format!(
                            "Cannot bind parameter 'ResultSize'. Cannot convert value \"{}\" to type \"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]\". Error: \"The value must be a positive integer or 'Unlimited'.\"",
                            short(v)
                        ),
                    )
                })?;
                true
            }
            (PT::Int, Value::Number(n)) if n.is_i64() => true,
            (PT::Int, Value::String(x)) => {
                match x.trim().parse::<i64>() {
                    Ok(n) => {
                        map.insert(name, Value::from(n));
                        continue;
                    }
                    Err(_) => {
                        return Err(CmdletError::binding(
                            "ParameterArgumentTransformationError",
                            format!("Cannot process argument transformation on parameter '{}'. Cannot convert value \"{}\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\"", name, x),
                        ))
                    }
                }
            }
            (PT::Enum(allowed), Value::String(x)) => {
                match allowed.iter().find(|a| a.eq_ignore_ascii_case(x.trim())) {
                    Some(c) => {
                        map.insert(name, Value::from(*c));
                        continue;
                    }
                    None => return Err(enum_error(name, x, allowed, &format!("Microsoft.Exchange.Data.{}", name))),
                }
            }
            (PT::EnumList(allowed), Value::String(_) | Value::Array(_)) => {
                let items: Vec<String> = match v {
                    Value::String(x) => x.split(',').map(|y| y.trim().to_string()).filter(|y| !y.is_empty()).collect(),
                    Value::Array(a) => a.iter().map(|y| y.as_str().map(|z| z.trim().to_string()).unwrap_or_default()).collect(),
                    _ => vec![],
                };
                let mut canon = vec![];
                for x in &items {
                    match allowed.iter().find(|a| a.eq_ignore_ascii_case(x)) {
                        Some(c) => canon.push(Value::from(*c)),
                        None => return Err(enum_error(name, x, allowed, &format!("Microsoft.Exchange.Data.{}[]", name))),
                    }
                }
                map.insert(name, Value::Array(canon));
                continue;
            }
            (PT::Date, Value::String(x)) => match crate::rng::parse_date(x) {
                Some(t) => {
                    map.insert(name, Value::from(crate::rng::iso_z(t)));
                    continue;
                }
                None => {
                    return Err(CmdletError::binding(
                        "ParameterArgumentTransformationError",
                        format!("Cannot process argument transformation on parameter '{}'. Cannot convert value \"{}\" to type \"System.DateTime\". Error: \"String '{}' was not recognized as a valid DateTime.\"", name, x, x),
                    ))
                }
            },
            (PT::Recipient, Value::String(_)) => true,
            (PT::StrList, Value::String(_)) => true,
            (PT::StrList, Value::Array(a)) => a.iter().all(|x| x.is_string()),
            (PT::Multi, Value::String(_)) => true,
            (PT::Multi, Value::Array(a)) => a.iter().all(|x| x.is_string()),
            (PT::Multi, Value::Object(o)) => {
                let tagged = o
                    .iter()
                    .any(|(k, v)| k == "@odata.type" && v.as_str().map(|s| s.trim_start_matches('#') == "Exchange.GenericHashTable").unwrap_or(false));
                if !tagged {
                    return Err(CmdletError::binding(
                        "CannotConvertArgumentNoMessage",
                        format!(
                            "Cannot bind parameter '{}'. Cannot convert the \"System.Collections.Hashtable\" value of type \"System.Collections.Hashtable\" to type \"Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]\".",
                            name
                        ),
                    ));
                }
                o.iter().all(|(k, v)| {
                    k == "@odata.type"
                        || ((k.eq_ignore_ascii_case("add") || k.eq_ignore_ascii_case("remove"))
                            && (v.is_string() || v.as_array().map(|a| a.iter().all(|x| x.is_string())).unwrap_or(false)))
                })
            }
            _ => false,
        };
        if !ok {
            let to = match pt {
                PT::Str | PT::NullableStr | PT::Recipient => "System.String",
                PT::Int => "System.Int32",
                PT::Date => "System.DateTime",
                PT::Enum(_) | PT::EnumList(_) => "System.Enum",
                PT::StrList => "System.String[]",
                _ => "Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]",
            };
            return Err(conv_err(name, v, to));
        }
        map.insert(name, v.clone());
    }
    let missing: Vec<&str> = spec
        .mandatory
        .iter()
        .filter(|m| !map.contains_key(*m))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(CmdletError::binding(
            "MissingMandatoryParameter",
            format!(
                "Cannot process command because of one or more missing mandatory parameters: {}.",
                missing.join(" ")
            ),
        ));
    }
    Ok(Params { map })
}

fn parse_limit(v: &Value) -> Option<Limit> {
    match v {
        Value::Number(n) => n.as_u64().filter(|n| *n >= 1).map(|n| Limit::N(n as usize)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("unlimited") => Some(Limit::Unlimited),
        Value::String(s) => s
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .map(|n| Limit::N(n as usize)),
        _ => None,
    }
}

impl Params {
    pub fn str(&self, k: &str) -> Option<String> {
        match self.map.get(k)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    pub fn has(&self, k: &str) -> bool {
        self.map.contains_key(k)
    }
    pub fn switch(&self, k: &str) -> bool {
        matches!(self.map.get(k), Some(Value::Bool(true)))
    }
    pub fn int(&self, k: &str) -> Option<i64> {
        self.map.get(k).and_then(|v| v.as_i64())
    }
    pub fn bool(&self, k: &str) -> Option<bool> {
        self.map.get(k).and_then(|v| v.as_bool())
    }
    pub fn list(&self, k: &str) -> Option<Vec<String>> {
        match self.map.get(k)? {
            Value::String(s) => Some(
                s.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect(),
            ),
            Value::Array(a) => Some(
                a.iter()
                    .filter_map(|x| x.as_str())
                    .map(|x| x.trim().to_string())
                    .collect(),
            ),
            _ => None,
        }
    }
    pub fn limit(&self, default: Option<usize>) -> Option<usize> {
        match self.map.get("ResultSize").and_then(parse_limit) {
            Some(Limit::Unlimited) => None,
            Some(Limit::N(n)) => Some(n),
            None => default,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sources

/// A result set addressed by position; one position may yield several rows (or none when filtered).
pub trait Source {
    fn len(&self) -> usize;
    fn rows(&self, pos: usize, out: &mut Vec<Record>);
}

pub struct VecSource(pub Vec<Record>);

impl Source for VecSource {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn rows(&self, pos: usize, out: &mut Vec<Record>) {
        if let Some(r) = self.0.get(pos) {
            out.push(r.clone());
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum View {
    Mailbox,
    Cas,
    RecipientPermission,
}

struct MailboxSource<'a> {
    t: &'a Tenant,
    st: RwLockReadGuard<'a, TenantState>,
    view: View,
    only: Option<usize>,
    kinds: Option<Vec<String>>,
    filter: Option<Expr>,
    anr: Option<String>,
    archive_only: bool,
    empty: bool,
    trustee: Option<String>,
}

impl<'a> Source for MailboxSource<'a> {
    fn len(&self) -> usize {
        if self.empty {
            0
        } else if self.only.is_some() {
            1
        } else {
            self.t.n_mbx
        }
    }
    fn rows(&self, pos: usize, out: &mut Vec<Record>) {
        let i = self.only.unwrap_or(pos);
        let t = self.t;
        if let Some(k) = &self.kinds {
            let d = self
                .st
                .mbx
                .get(&i)
                .and_then(|o| o.kind)
                .unwrap_or_else(|| t.kind_of(i))
                .details();
            if !k.iter().any(|x| x.eq_ignore_ascii_case(d)) {
                return;
            }
        }
        let m = t.mailbox(i);
        let ov = self.st.mbx.get(&i);
        if let Some(a) = &self.anr {
            if !anr_match(
                a,
                &[
                    &m.alias,
                    &m.display,
                    m.first.unwrap_or(""),
                    m.last.unwrap_or(""),
                    &t.primary_smtp(&m, ov),
                ],
            ) {
                return;
            }
        }
        if self.archive_only && !t.archive_on(&m, ov) {
            return;
        }
        match self.view {
            View::Mailbox => {
                let rec = t.mailbox_record(&m, ov);
                if self.filter.as_ref().map_or(true, |f| f.eval(&rec)) {
                    out.push(rec);
                }
            }
            View::Cas => {
                let rec = crate::config_objects::Set::CasMailbox.mailbox_record(t, &self.st, i);
                if self.filter.as_ref().map_or(true, |f| f.eval(&rec)) {
                    out.push(rec);
                }
            }
            View::RecipientPermission => {
                for rec in t.recipient_permission_records(i, &self.st) {
                    if let Some(tr) = &self.trustee {
                        let v = crate::json::get(&rec, "Trustee")
                            .and_then(|v| v.as_str())
                            .unwrap_or("");
                        if !v.eq_ignore_ascii_case(tr) {
                            continue;
                        }
                    }
                    out.push(rec);
                }
            }
        }
    }
}

struct RecipientSource<'a> {
    t: &'a Tenant,
    st: RwLockReadGuard<'a, TenantState>,
    only: Option<usize>,
    kinds: Option<Vec<String>>,
    types: Option<Vec<String>>,
    filter: Option<Expr>,
    anr: Option<String>,
}

impl<'a> Source for RecipientSource<'a> {
    fn len(&self) -> usize {
        if self.only.is_some() {
            1
        } else {
            self.t.n_recipients()
        }
    }
    fn rows(&self, pos: usize, out: &mut Vec<Record>) {
        let r = self.only.unwrap_or(pos);
        if let Some(k) = &self.kinds {
            let d = self.t.recipient_type_details(r);
            if !k.iter().any(|x| x.eq_ignore_ascii_case(d)) {
                return;
            }
        }
        let rec = self.t.recipient_record(r, &self.st);
        if let Some(ty) = &self.types {
            let v = crate::json::get(&rec, "RecipientType")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            if !ty.iter().any(|x| x.eq_ignore_ascii_case(v)) {
                return;
            }
        }
        if let Some(a) = &self.anr {
            let g = |n: &str| {
                crate::json::get(&rec, n)
                    .map(|v| v.text())
                    .unwrap_or_default()
            };
            if !anr_match(
                a,
                &[
                    &g("Alias"),
                    &g("DisplayName"),
                    &g("FirstName"),
                    &g("LastName"),
                    &g("PrimarySmtpAddress"),
                ],
            ) {
                return;
            }
        }
        if self.filter.as_ref().map_or(true, |f| f.eval(&rec)) {
            out.push(rec);
        }
    }
}

pub fn anr_match(needle: &str, hay: &[&str]) -> bool {
    let n = needle.to_lowercase();
    hay.iter()
        .any(|h| !h.is_empty() && h.to_lowercase().starts_with(&n))
}

// ---------------------------------------------------------------------------------------------
// Running

pub struct Output<'a> {
    pub source: Box<dyn Source + 'a>,
    pub warnings: Vec<String>,
    pub limit: Option<usize>,
    /// For writes: the identity written to, when the write changed something.
    pub applied: Option<String>,
    pub whatif: bool,
    pub noop: bool,
}

impl<'a> Output<'a> {
    pub fn rows(source: Box<dyn Source + 'a>, limit: Option<usize>) -> Self {
        Output {
            source,
            warnings: vec![],
            limit,
            applied: None,
            whatif: false,
            noop: false,
        }
    }
    pub fn empty() -> Self {
        Output::rows(Box::new(VecSource(vec![])), None)
    }
    /// A validated write that -WhatIf kept from being applied: the confirmation as a warning.
    pub fn whatif(spec: &Spec, target: &str) -> Self {
        let mut o = Output::empty();
        o.whatif = true;
        o.warnings.push(
            spec.whatif
                .unwrap_or(WHATIF_DEFAULT)
                .replace("{cmdlet}", spec.name)
                .replace("{target}", target),
        );
        o
    }
    /// An applied write on `target`, returning `rows`.
    pub fn applied(target: String, rows: Vec<Record>) -> Self {
        let mut o = Output::rows(Box::new(VecSource(rows)), None);
        o.applied = Some(target);
        o
    }
    /// A write that changed nothing, with Exchange's warning.
    pub fn noop(target: &str) -> Self {
        let mut o = Output::empty();
        o.noop = true;
        o.warnings.push(format!(
            "The command completed successfully but no settings of '{}' have been modified.",
            target
        ));
        o
    }
}

/// A lazily generated result set: position → rows.
pub struct FnSource<F: Fn(usize, &mut Vec<Record>)> {
    pub n: usize,
    pub f: F,
}

impl<F: Fn(usize, &mut Vec<Record>)> Source for FnSource<F> {
    fn len(&self) -> usize {
        self.n
    }
    fn rows(&self, pos: usize, out: &mut Vec<Record>) {
        (self.f)(pos, out)
    }
}

const RTD: &[&str] = &[
    "UserMailbox",
    "SharedMailbox",
    "RoomMailbox",
    "EquipmentMailbox",
    "LinkedMailbox",
    "SchedulingMailbox",
    "TeamMailbox",
    "DiscoveryMailbox",
    "MailUniversalDistributionGroup",
    "MailUniversalSecurityGroup",
    "MailNonUniversalGroup",
    "GroupMailbox",
    "DynamicDistributionGroup",
    "RoomList",
    "MailContact",
    "MailUser",
    "GuestMailUser",
    "PublicFolder",
    "RemoteUserMailbox",
    "RemoteSharedMailbox",
    "RemoteRoomMailbox",
    "RemoteEquipmentMailbox",
    "LinkedUser",
    "User",
    "DisabledUser",
];
const RT: &[&str] = &[
    "UserMailbox",
    "MailUser",
    "MailContact",
    "DynamicDistributionGroup",
    "MailUniversalDistributionGroup",
    "MailUniversalSecurityGroup",
    "MailNonUniversalGroup",
    "PublicFolder",
];

pub fn enum_list(
    p: &Params,
    name: &str,
    allowed: &[&str],
    type_name: &str,
) -> Result<Option<Vec<String>>, CmdletError> {
    let list = match p.list(name) {
        Some(list) => list,
        _ => return Ok(None),
    };
    for v in &list {
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(v)) {
            return Err(CmdletError::binding(
                "CannotConvertArgumentNoMessage",
                format!(
                    "Cannot bind parameter '{}'. Cannot convert value \"{}\" to type \"{}\". Error: \"Unable to match the identifier name {} to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n{}\"",
                    name,
                    v,
                    type_name,
                    v,
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(Some(list))
}

pub fn compile_filter(p: &Params, sample: &Record) -> Result<Option<Expr>, CmdletError> {
    let src = match p.str("Filter") {
        Some(src) => src,
        _ => return Ok(None),
    };
    let e = filter::parse(&src)
        .map_err(|e| CmdletError::binding("ParameterBindingException", e.message))?;
    let names: Vec<&str> = sample.iter().map(|(k, _)| *k).collect();
    e.check_props(&names)
        .map_err(|e| CmdletError::binding("ParameterBindingException", e.message))?;
    Ok(Some(e))
}

/// Resolves an identity to one mailbox index.
pub fn resolve_mailbox(t: &Tenant, st: &TenantState, ident: &str) -> Result<usize, CmdletError> {
    let all = t.resolve(ident, st);
    let mbx: Vec<usize> = all.iter().copied().filter(|r| *r < t.n_mbx).collect();
    match mbx.len() {
        0 => Err(CmdletError::not_found(t, ident)),
        1 => Ok(mbx[0]),
        _ => Err(CmdletError::ambiguous(ident)),
    }
}

pub fn resolve_recipient(t: &Tenant, st: &TenantState, ident: &str) -> Result<usize, CmdletError> {
    let all = t.resolve(ident, st);
    match all.len() {
        0 => Err(CmdletError::not_found(t, ident)),
        1 => Ok(all[0]),
        _ => Err(CmdletError::ambiguous(ident)),
    }
}

/// `mailbox:\Folder\Sub` → (mailbox part, folder path components); no `:\` → the root folder.
pub fn split_folder_identity(s: &str) -> (String, Vec<String>) {
    for sep in [":\\", ":/"] {
        if let Some(idx) = s.find(sep) {
            let path = s[idx + 2..]
                .split(|c| c == '\\' || c == '/')
                .filter(|x| !x.is_empty())
                .map(|x| x.to_string())
                .collect();
            return (s[..idx].to_string(), path);
        }
    }
    (s.to_string(), vec![])
}

fn find_folder(
    t: &Tenant,
    st: &TenantState,
    ident: &str,
) -> Result<(estate::Mbx, estate::Folder), CmdletError> {
    let (mb, path) = split_folder_identity(ident);
    let i = resolve_mailbox(t, st, &mb).map_err(|e| {
        if e.status == 404 {
            CmdletError::folder_not_found(ident)
        } else {
            e
        }
    })?;
    let m = t.mailbox(i);
    let folders = t.folders(&m);
    let want: Vec<String> = path.iter().map(|p| p.to_lowercase()).collect();
    let f = folders
        .into_iter()
        .find(|f| {
            f.path.len() == want.len()
                && f.path
                    .iter()
                    .zip(&want)
                    .all(|(a, b)| a.to_lowercase() == *b)
        })
        .ok_or_else(|| CmdletError::folder_not_found(ident))?;
    Ok((m, f))
}

pub fn read_state(t: &Tenant) -> RwLockReadGuard<'_, TenantState> {
    t.state.read().unwrap_or_else(|e| e.into_inner())
}

/// Runs a bound cmdlet through its catalogue handler.
pub fn run<'a>(t: &'a Tenant, spec: &'static Spec, p: &Params) -> Result<Output<'a>, CmdletError> {
    (spec.run)(t, spec, p)
}

/// The handler of the first cmdlets (mailboxes, recipients, permissions, folders, devices).
pub fn builtin<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let limit = p.limit(spec.default_limit);
    match spec.name {
        "Get-Mailbox" | "Get-CASMailbox" => {
            let st = read_state(t);
            let view = if spec.name == "Get-Mailbox" {
                View::Mailbox
            } else {
                View::Cas
            };
            let only = match p.str("Identity") {
                Some(id) => Some(resolve_mailbox(t, &st, &id)?),
                None => None,
            };
            let sample = if view == View::Mailbox {
                t.mailbox_record(&t.mailbox(0), None)
            } else {
                t.cas_record(&t.mailbox(0), None)
            };
            let filter = compile_filter(p, &sample)?;
            let kinds = enum_list(
                p,
                "RecipientTypeDetails",
                RTD,
                "Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails",
            )?;
            let src = MailboxSource {
                t,
                st,
                view,
                only,
                kinds,
                filter,
                anr: p.str("Anr"),
                archive_only: p.switch("Archive"),
                empty: p.switch("SoftDeletedMailbox") || p.switch("InactiveMailboxOnly"),
                trustee: None,
            };
            Ok(Output::rows(Box::new(src), limit))
        }
        "Get-Recipient" => {
            let st = read_state(t);
            let only = match p.str("Identity") {
                Some(id) => Some(resolve_recipient(t, &st, &id)?),
                None => None,
            };
            let sample = t.recipient_record(0, &st);
            let filter = compile_filter(p, &sample)?;
            let kinds = enum_list(
                p,
                "RecipientTypeDetails",
                RTD,
                "Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails",
            )?;
            let types = enum_list(
                p,
                "RecipientType",
                RT,
                "Microsoft.Exchange.Data.Directory.Recipient.RecipientType",
            )?;
            let src = RecipientSource {
                t,
                st,
                only,
                kinds,
                types,
                filter,
                anr: p.str("Anr"),
            };
            Ok(Output::rows(Box::new(src), limit))
        }
        "Get-MailboxPermission" => {
            let st = read_state(t);
            let i = resolve_mailbox(t, &st, &p.str("Identity").unwrap_or_default())?;
            let mut rows = t.mailbox_permission_records(i, &st);
            if p.switch("Owner") {
                rows = vec![vec![
                    ("Identity", V::Str(t.mailbox(i).alias)),
                    ("Owner", V::S("NT AUTHORITY\\SELF")),
                ]];
            } else if let Some(u) = p.str("User") {
                let target = resolve_recipient(t, &st, &u).ok().map(|r| t.upn_of(r));
                rows.retain(|r| {
                    let v = crate::json::get(r, "User")
                        .and_then(|v| v.as_str())
                        .unwrap_or("");
                    v.eq_ignore_ascii_case(&u)
                        || target
                            .as_deref()
                            .map_or(false, |x| x.eq_ignore_ascii_case(v))
                });
            }
            Ok(Output::rows(Box::new(VecSource(rows)), limit))
        }
        "Get-RecipientPermission" => {
            let st = read_state(t);
            let only = match p.str("Identity") {
                Some(id) => Some(resolve_mailbox(t, &st, &id)?),
                None => None,
            };
            let rights = p.list("AccessRights");
            if let Some(r) = &rights {
                if r.iter().any(|x| !x.eq_ignore_ascii_case("SendAs")) {
                    return Err(CmdletError::binding(
                        "CannotConvertArgumentNoMessage",
                        "Cannot bind parameter 'AccessRights'. Only 'SendAs' is a valid value."
                            .into(),
                    ));
                }
            }
            let trustee = match p.str("Trustee") {
                Some(tr) => Some(match t.resolve(&tr, &st).first() {
                    Some(r) => t.upn_of(*r),
                    None => tr,
                }),
                None => None,
            };
            let src = MailboxSource {
                t,
                st,
                view: View::RecipientPermission,
                only,
                kinds: None,
                filter: None,
                anr: None,
                archive_only: false,
                empty: false,
                trustee,
            };
            Ok(Output::rows(Box::new(src), limit))
        }
        "Get-MailboxStatistics" => {
            let st = read_state(t);
            let ident = p.str("Identity").unwrap_or_default();
            let i = resolve_mailbox(t, &st, &ident)?;
            let m = t.mailbox(i);
            let archive = p.switch("Archive");
            if archive && !t.archive_on(&t.mailbox(i), st.mbx.get(&i)) {
                return Err(CmdletError {
                    status: 404,
                    code: "NotFound",
                    err_code: "Ex6F9304".into(),
                    exception: NOT_FOUND,
                    message: format!(
                        "The operation couldn't be performed because object '{}' doesn't have an archive mailbox.",
                        ident
                    ),
                });
            }
            Ok(Output::rows(
                Box::new(VecSource(vec![t.mailbox_stats_record(&m, archive)])),
                None,
            ))
        }
        "Get-MailboxFolderStatistics" => {
            let st = read_state(t);
            let ident = p.str("Identity").unwrap_or_default();
            let (mb, _) = split_folder_identity(&ident);
            let i = resolve_mailbox(t, &st, &mb)?;
            let scope = match p.str("FolderScope") {
                Some(s) => match FOLDER_SCOPES.iter().find(|x| x.eq_ignore_ascii_case(s.trim())) {
                    Some(x) => *x,
                    None => {
                        return Err(CmdletError::binding(
                            "CannotConvertArgumentNoMessage",
                            format!(
                                "Cannot bind parameter 'FolderScope'. Cannot convert value \"{}\" to type \"Microsoft.Exchange.Data.Storage.Management.ElcFolderType\". Error: \"Unable to match the identifier name {} to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n{}\"",
                                s, s, FOLDER_SCOPES.join(", ")
                            ),
                        ))
                    }
                },
                None => "All",
            };
            let m = t.mailbox(i);
            if p.switch("Archive") && !t.archive_on(&t.mailbox(i), st.mbx.get(&i)) {
                return Ok(Output::empty());
            }
            let on = p.switch("IncludeOldestAndNewestItems");
            let rows = t
                .folders(&m)
                .iter()
                .filter(|f| estate::scope_includes(scope, f.key))
                .map(|f| t.folder_stat_record(&m, f, on))
                .collect();
            Ok(Output::rows(Box::new(VecSource(rows)), limit))
        }
        "Get-MailboxFolderPermission" => {
            let st = read_state(t);
            let ident = p.str("Identity").unwrap_or_default();
            let (m, f) = find_folder(t, &st, &ident)?;
            let mut perms = t.folder_perms(&m, f.key, &st);
            if let Some(u) = p.str("User") {
                let who = perm_user(t, &st, &u)?;
                perms.retain(|x| x.user == who);
                if perms.is_empty() {
                    return Err(not_in_acl(t, &who));
                }
            }
            let rows = perms
                .iter()
                .map(|x| t.folder_perm_record(&m, &f, x))
                .collect();
            Ok(Output::rows(Box::new(VecSource(rows)), None))
        }
        "Get-MobileDeviceStatistics" => {
            let st = read_state(t);
            let (ident, by_mailbox) = match (p.str("Mailbox"), p.str("Identity")) {
                (Some(m), _) => (m, true),
                (None, Some(i)) => (i, false),
                (None, None) => {
                    return Err(CmdletError::binding(
                        "AmbiguousParameterSet",
                        "Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be used together or an insufficient number of parameters were provided.".into(),
                    ))
                }
            };
            let rows = if by_mailbox {
                let i = resolve_mailbox(t, &st, &ident)?;
                t.device_records(&t.mailbox(i))
            } else {
                // Identity of a device: "alias\ExchangeActiveSyncDevices\Type§Id" or its Guid/DeviceId.
                let mb = ident.split('\\').next().unwrap_or("").to_string();
                let i =
                    resolve_mailbox(t, &st, &mb).map_err(|_| CmdletError::not_found(t, &ident))?;
                let rows: Vec<Record> = t
                    .device_records(&t.mailbox(i))
                    .into_iter()
                    .filter(|r| {
                        ["Identity", "Guid", "DeviceId"].iter().any(|k| {
                            crate::json::get(r, k)
                                .and_then(|v| v.as_str())
                                .map_or(false, |v| v.eq_ignore_ascii_case(&ident))
                        })
                    })
                    .collect();
                if rows.is_empty() {
                    return Err(CmdletError::not_found(t, &ident));
                }
                rows
            };
            Ok(Output::rows(Box::new(VecSource(rows)), None))
        }
        "Add-MailboxFolderPermission"
        | "Set-MailboxFolderPermission"
        | "Remove-MailboxFolderPermission" => folder_perm_write(t, spec, p),
        "Set-Mailbox" => set_mailbox(t, spec, p),
        _ => Err(CmdletError::command_not_found(spec.name)),
    }
}

// ---------------------------------------------------------------------------------------------
// Writes

fn perm_user(t: &Tenant, st: &TenantState, u: &str) -> Result<PermUser, CmdletError> {
    if u.eq_ignore_ascii_case("Default") {
        return Ok(PermUser::Default);
    }
    if u.eq_ignore_ascii_case("Anonymous") {
        return Ok(PermUser::Anonymous);
    }
    match t.resolve(u, st).as_slice() {
        [r] => Ok(PermUser::Recipient(*r)),
        [] => Err(CmdletError::store(
            "Microsoft.Exchange.Management.StoreTasks.InvalidExternalUserIdException",
            "ExAC3A8C",
            format!(
                "The user \"{}\" is either not valid SMTP address, or there is no matching information.",
                u
            ),
        )),
        _ => Err(CmdletError::ambiguous(u)),
    }
}

fn not_in_acl(t: &Tenant, who: &PermUser) -> CmdletError {
    CmdletError::store(
        "Microsoft.Exchange.Management.StoreTasks.UserNotFoundInPermissionEntryException",
        "Ex4E3F4A",
        format!(
            "There is no existing permission entry found for user: {}.",
            t.perm_user_name(who)
        ),
    )
}

fn normalize_rights(p: &Params) -> Result<Vec<String>, CmdletError> {
    let list = p.list("AccessRights").unwrap_or_default();
    if list.is_empty() {
        return Err(CmdletError::binding(
            "ParameterArgumentValidationErrorEmptyArrayNotAllowed",
            "Cannot validate argument on parameter 'AccessRights'. The argument is null, empty, or an element of the argument collection contains a null value.".into(),
        ));
    }
    list.iter()
        .map(|r| {
            ACCESS_ROLES
                .iter()
                .chain(ACCESS_RIGHTS.iter())
                .find(|a| a.eq_ignore_ascii_case(r))
                .map(|a| a.to_string())
                .ok_or_else(|| {
                    CmdletError::binding(
                        "ParameterArgumentTransformationError",
                        format!(
                            "Cannot process argument transformation on parameter 'AccessRights'. Cannot convert value \"{}\" to type \"Microsoft.Exchange.Management.StoreTasks.MailboxFolderAccessRight[]\". Error: \"Unable to match the identifier name {} to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n{}, {}\"",
                            r, r, ACCESS_ROLES.join(", "), ACCESS_RIGHTS.join(", ")
                        ),
                    )
                })
        })
        .collect()
}

fn sharing_flags(p: &Params, calendar: bool) -> Result<Option<String>, CmdletError> {
    let list = match p.list("SharingPermissionFlags") {
        Some(list) => list,
        _ => return Ok(None),
    };
    let mut out = Vec::new();
    for f in &list {
        match ["None", "Delegate", "CanViewPrivateItems"].iter().find(|x| x.eq_ignore_ascii_case(f)) {
            Some(x) => out.push(*x),
            None => {
                return Err(CmdletError::binding(
                    "CannotConvertArgumentNoMessage",
                    format!("Cannot bind parameter 'SharingPermissionFlags'. Cannot convert value \"{}\" to type \"Microsoft.Exchange.Data.Storage.Management.MailboxFolderPermissionFlags\".", f),
                ))
            }
        }
    }
    if !calendar && out.iter().any(|x| *x != "None") {
        return Err(CmdletError::store(
            "Microsoft.Exchange.Management.StoreTasks.InvalidSharingPermissionFlagsException",
            "Ex9B1E2D",
            "SharingPermissionFlags can only be set on calendar folders.".into(),
        ));
    }
    Ok(if out.is_empty() || out == ["None"] {
        None
    } else {
        Some(out.join(", "))
    })
}

fn folder_perm_write<'a>(
    t: &'a Tenant,
    spec: &Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let ident = p.str("Identity").unwrap_or_default();
    let user = p.str("User").unwrap_or_default();
    let mut st = t.state.write().unwrap_or_else(|e| e.into_inner());
    let (m, f) = find_folder(t, &st, &ident)?;
    let who = perm_user(t, &st, &user)?;
    let is_cal = matches!(f.key, 8 | 9 | 16);
    let mut perms = t.folder_perms(&m, f.key, &st);
    let pos = perms.iter().position(|x| x.user == who);
    let whatif = p.switch("WhatIf");
    let mut out_rows = vec![];
    match spec.name {
        "Add-MailboxFolderPermission" => {
            let rights = normalize_rights(p)?;
            let flags = sharing_flags(p, is_cal)?;
            if pos.is_some() {
                return Err(CmdletError::store(
                    "Microsoft.Exchange.Management.StoreTasks.UserAlreadyExistsInPermissionEntryException",
                    "Ex1C0F5B",
                    format!("An existing permission entry was found for user: {}.", t.perm_user_name(&who)),
                ));
            }
            let entry = FolderPerm {
                user: who,
                rights,
                flags,
            };
            out_rows.push(t.folder_perm_record(&m, &f, &entry));
            perms.push(entry);
        }
        "Set-MailboxFolderPermission" => {
            let rights = normalize_rights(p)?;
            let flags = sharing_flags(p, is_cal)?;
            let k = match pos {
                Some(k) => k,
                _ => return Err(not_in_acl(t, &who)),
            };
            perms[k].rights = rights;
            if p.has("SharingPermissionFlags") {
                perms[k].flags = flags;
            }
        }
        _ => {
            let k = match pos {
                Some(k) => k,
                _ => return Err(not_in_acl(t, &who)),
            };
            if matches!(who, PermUser::Default | PermUser::Anonymous) {
                return Err(CmdletError::store(
                    "System.InvalidOperationException",
                    "Ex8E0C26",
                    format!(
                        "The permission entry for '{}' can't be removed. Use Set-MailboxFolderPermission -AccessRights None instead.",
                        t.perm_user_name(&who)
                    ),
                ));
            }
            perms.remove(k);
        }
    }
    if whatif {
        return Ok(Output::whatif(
            spec,
            &format!("{}\" for user \"{}", ident, user),
        ));
    }
    st.folder_perms.insert((m.i, f.key), perms);
    let mut o = Output::rows(Box::new(VecSource(out_rows)), None);
    o.applied = Some(format!("{}:\\{}", m.alias, f.path.join("\\")));
    Ok(o)
}

pub fn multi_ops(v: &Value) -> (Option<Vec<String>>, Vec<String>, Vec<String>) {
    let strs = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(|s| s.to_string()))
                .collect(),
            _ => vec![],
        }
    };
    match v {
        Value::Object(o) => {
            let mut add = vec![];
            let mut rem = vec![];
            for (k, x) in o {
                if k.eq_ignore_ascii_case("add") {
                    add.extend(strs(x));
                } else if k.eq_ignore_ascii_case("remove") {
                    rem.extend(strs(x));
                }
            }
            (None, add, rem)
        }
        other => (Some(strs(other)), vec![], vec![]),
    }
}

pub fn normalize_proxy(a: &str) -> Result<String, CmdletError> {
    let a = a.trim();
    let (prefix, addr) = match a.split_once(':') {
        Some((p, rest)) if !p.contains('@') => (p.to_string(), rest.to_string()),
        _ => ("smtp".to_string(), a.to_string()),
    };
    let valid = if prefix.eq_ignore_ascii_case("smtp") {
        let parts: Vec<&str> = addr.split('@').collect();
        parts.len() == 2 && !parts[0].is_empty() && parts[1].contains('.') && !addr.contains(' ')
    } else {
        !addr.is_empty()
    };
    if !valid {
        return Err(CmdletError::store(
            "Microsoft.Exchange.Data.DataValidationException",
            "Ex2A6B4F",
            format!("The email address \"{}\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.", a),
        ));
    }
    Ok(format!("{}:{}", prefix, addr))
}

fn set_mailbox<'a>(
    t: &'a Tenant,
    spec: &'static Spec,
    p: &Params,
) -> Result<Output<'a>, CmdletError> {
    let ident = p.str("Identity").unwrap_or_default();
    let mut st = t.state.write().unwrap_or_else(|e| e.into_inner());
    let i = resolve_mailbox(t, &st, &ident)?;
    let m = t.mailbox(i);
    let before_ov = st.mbx.get(&i).cloned();
    let mut ov: MbxOverride = before_ov.clone().unwrap_or_default();
    if let Some(b) = p.bool("HiddenFromAddressListsEnabled") {
        ov.hidden = Some(b);
    }
    if let Some(b) = p.bool("DeliverToMailboxAndForward") {
        ov.deliver_and_forward = Some(b);
    }
    if p.has("ForwardingAddress") {
        ov.forwarding_address = Some(match p.str("ForwardingAddress") {
            Some(s) if !s.trim().is_empty() => {
                let r = match t.resolve(&s, &st).as_slice() {
                    [r] => *r,
                    [] => {
                        return Err(CmdletError {
                            status: 404,
                            code: "NotFound",
                            err_code: "Ex6F9304".into(),
                            exception: NOT_FOUND,
                            message: format!("Couldn't find object \"{}\". Please make sure that it was spelled correctly or specify a different object.", s),
                        })
                    }
                    _ => return Err(CmdletError::ambiguous(&s)),
                };
                Some(if r < t.n_mbx {
                    t.mailbox(r).alias
                } else {
                    t.display_of(r)
                })
            }
            _ => None,
        });
    }
    if let Some(ty) = p.str("Type") {
        ov.kind = Some(match ty.as_str() {
            "Shared" => estate::MbxKind::Shared,
            "Room" => estate::MbxKind::Room,
            "Equipment" | "Workspace" => estate::MbxKind::Equipment,
            _ => estate::MbxKind::User,
        });
    }
    if let Some(b) = p.bool("LitigationHoldEnabled") {
        if t.litigation_hold(&m, Some(&ov)) != b {
            ov.lit_hold = Some(b);
            ov.lit_hold_date = Some(crate::rng::now_unix());
        }
    }
    if p.has("ArchiveName") {
        ov.archive_name = p.str("ArchiveName").filter(|s| !s.trim().is_empty());
    }
    if p.switch("AutoExpandingArchive") {
        if !t.archive_on(&m, Some(&ov)) {
            return Err(CmdletError::store(
                "Microsoft.Exchange.Configuration.Tasks.RecipientTaskException",
                "ExA1E2C4",
                format!("Auto-expanding archiving can't be enabled for '{}' because the mailbox doesn't have an archive. Run Enable-Mailbox -Archive first.", m.alias),
            ));
        }
        ov.auto_expanding = Some(true);
    }
    if p.has("ForwardingSmtpAddress") {
        ov.forwarding_smtp = Some(match p.str("ForwardingSmtpAddress") {
            Some(s) if !s.trim().is_empty() => {
                Some(normalize_proxy(&s)?.replacen("SMTP:", "smtp:", 1))
            }
            _ => None,
        });
    }
    for n in 1..=15u8 {
        let key = SET_MAILBOX_PARAMS
            .iter()
            .find(|(k, _)| *k == format!("CustomAttribute{}", n))
            .map(|(k, _)| *k)
            .unwrap();
        if p.has(key) {
            ov.custom.insert(n, p.str(key).unwrap_or_default());
        }
    }
    if let Some(v) = p.map.get("EmailAddresses") {
        let (replace, add, remove) = multi_ops(v);
        let mut list: Vec<String> = match replace {
            Some(r) => r
                .iter()
                .map(|a| normalize_proxy(a))
                .collect::<Result<_, _>>()?,
            None => t.emails(&m, before_ov.as_ref()),
        };
        for a in remove {
            let a = normalize_proxy(&a)?;
            list.retain(|x| !x.eq_ignore_ascii_case(&a));
        }
        for a in add {
            let a = normalize_proxy(&a)?;
            if a.starts_with("SMTP:") {
                for x in list.iter_mut() {
                    if x.starts_with("SMTP:") {
                        *x = format!("smtp:{}", &x[5..]);
                    }
                }
            }
            if !list.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                list.push(a);
            }
        }
        for a in &list {
            if let Some(addr) = a.strip_prefix("smtp:").or_else(|| a.strip_prefix("SMTP:")) {
                if t.resolve(addr, &st).iter().any(|r| *r != i) {
                    return Err(CmdletError::store(
                        "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
                        "Ex3B5D1C",
                        format!("The proxy address \"{}\" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.", a),
                    ));
                }
            }
        }
        if !list.iter().any(|x| x.starts_with("SMTP:")) {
            return Err(CmdletError::store(
                "Microsoft.Exchange.Data.DataValidationException",
                "Ex5A8B6E",
                "The primary SMTP address must be specified.".into(),
            ));
        }
        ov.emails = Some(list);
    }
    if let Some(v) = p.map.get("GrantSendOnBehalfTo") {
        let (replace, add, remove) = multi_ops(v);
        let name_of = |s: &str| -> Result<String, CmdletError> {
            let r = resolve_recipient(t, &st, s)?;
            Ok(if r < t.n_mbx {
                t.mailbox(r).alias
            } else {
                t.display_of(r)
            })
        };
        let mut list: Vec<String> = match replace {
            Some(r) => r.iter().map(|s| name_of(s)).collect::<Result<_, _>>()?,
            None => ov.send_on_behalf.clone().unwrap_or_default(),
        };
        for s in remove {
            let n = name_of(&s)?;
            list.retain(|x| *x != n);
        }
        for s in add {
            let n = name_of(&s)?;
            if !list.contains(&n) {
                list.push(n);
            }
        }
        ov.send_on_behalf = Some(list);
    }
    let before = t.mailbox_record(&m, before_ov.as_ref());
    let after = t.mailbox_record(&m, Some(&ov));
    let mut o = Output::empty();
    if before == after {
        o.noop = true;
        o.warnings.push(format!(
            "The command completed successfully but no settings of '{}' have been modified.",
            m.alias
        ));
        return Ok(o);
    }
    if p.switch("WhatIf") {
        return Ok(Output::whatif(spec, &m.alias));
    }
    ov.when_changed = Some(crate::rng::now_unix());
    st.mbx.insert(i, ov);
    o.applied = Some(m.alias.clone());
    Ok(o)
}
