//! Seeded objects beyond recipients: organization settings, accepted domains, transport rules,
//! protection policies, per-mailbox settings (auto reply, regional, inbox rules), group
//! membership, users with managers, quarantine and message trace. Deterministic from the
//! tenant seed; writes are stored as property overrides in `TenantState` and laid over them.

use crate::estate::{MbxKind, MbxOverride, Tenant, TenantState, LOCALES};
use crate::json::{Record, V};
use crate::rng::{self, h};

/// The object sets the catalogue's generic cmdlets read and write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Set {
    /// Sets with their own handlers (mailboxes, recipients, folders, permissions, …).
    Custom(&'static str),
    OrganizationConfig,
    AcceptedDomain,
    TransportRule,
    HostedContentFilterPolicy,
    HostedOutboundSpamFilterPolicy,
    AntiPhishPolicy,
    MalwareFilterPolicy,
    SafeLinksPolicy,
    SafeAttachmentPolicy,
    AdminAuditLogConfig,
    /// Per-mailbox settings objects (key: mailbox index).
    AutoReply,
    Regional,
    CasMailbox,
}

impl Set {
    pub fn name(self) -> &'static str {
        match self {
            Set::Custom(n) => n,
            Set::OrganizationConfig => "OrganizationConfig",
            Set::AcceptedDomain => "AcceptedDomain",
            Set::TransportRule => "TransportRule",
            Set::HostedContentFilterPolicy => "HostedContentFilterPolicy",
            Set::HostedOutboundSpamFilterPolicy => "HostedOutboundSpamFilterPolicy",
            Set::AntiPhishPolicy => "AntiPhishPolicy",
            Set::MalwareFilterPolicy => "MalwareFilterPolicy",
            Set::SafeLinksPolicy => "SafeLinksPolicy",
            Set::SafeAttachmentPolicy => "SafeAttachmentPolicy",
            Set::AdminAuditLogConfig => "AdminAuditLogConfig",
            Set::AutoReply => "MailboxAutoReplyConfiguration",
            Set::Regional => "MailboxRegionalConfiguration",
            Set::CasMailbox => "CASMailbox",
        }
    }

    /// Tenant-wide sets: every object, overrides applied.
    pub fn records(self, t: &Tenant, st: &TenantState) -> Vec<Record> {
        let mut v = match self {
            Set::OrganizationConfig => vec![t.organization_config()],
            Set::AcceptedDomain => t.accepted_domains(),
            Set::TransportRule => t.transport_rules(),
            Set::HostedContentFilterPolicy => t.policies(POLICY_CONTENT),
            Set::HostedOutboundSpamFilterPolicy => t.policies(POLICY_OUTBOUND),
            Set::AntiPhishPolicy => t.policies(POLICY_ANTIPHISH),
            Set::MalwareFilterPolicy => t.policies(POLICY_MALWARE),
            Set::SafeLinksPolicy => t.policies(POLICY_SAFELINKS),
            Set::SafeAttachmentPolicy => t.policies(POLICY_SAFEATT),
            Set::AdminAuditLogConfig => vec![t.admin_audit_log_config()],
            _ => vec![],
        };
        for r in v.iter_mut() {
            let key = object_key(r);
            apply(r, st.props.get(&(self.name(), key)));
        }
        v
    }

    /// Per-mailbox sets: the object of mailbox i, overrides applied.
    pub fn mailbox_record(self, t: &Tenant, st: &TenantState, i: usize) -> Record {
        let m = t.mailbox(i);
        let ov = st.mbx.get(&i);
        let mut r = match self {
            Set::AutoReply => t.auto_reply(i),
            Set::Regional => t.regional(i),
            Set::CasMailbox => t.cas_record(&m, ov),
            _ => vec![],
        };
        apply(&mut r, st.props.get(&(self.name(), i.to_string())));
        r
    }
}

/// The override key of a tenant-wide object: its Identity, lower-cased.
pub fn object_key(r: &Record) -> String {
    crate::json::get(r, "Identity")
        .map(|v| v.text().to_lowercase())
        .unwrap_or_default()
}

/// Lays written properties over a generated record (WhenChanged included when written).
pub fn apply(r: &mut Record, ov: Option<&Vec<(&'static str, V)>>) {
    if let Some(ov) = ov {
        for (k, v) in ov {
            match r.iter_mut().find(|(n, _)| n == k) {
                Some(slot) => slot.1 = v.clone(),
                None => r.push((k, v.clone())),
            }
        }
    }
}

fn guid(t: &Tenant, which: u64) -> String {
    t.guid_of(4_000_000_000, which)
}

fn dn(t: &Tenant, cn: &str, container: &str) -> String {
    format!(
        "CN={},CN={},CN=Configuration,CN={},CN=ConfigurationUnits,DC={},DC=PROD,DC=OUTLOOK,DC=COM",
        cn, container, t.domain, t.forest
    )
}

fn when(t: &Tenant, k: u64) -> (String, String) {
    let created = t.created + h(&[t.ts, k, 901]) % (30 * 86400);
    let changed = created + h(&[t.ts, k, 902]) % (400 * 86400);
    (rng::iso_offset(created), rng::iso_offset(changed))
}

fn tail(r: &mut Record, t: &Tenant, k: u64, cn: &str, container: &str) {
    let (c, ch) = when(t, k);
    r.push(("Guid", V::Str(guid(t, k))));
    r.push(("DistinguishedName", V::Str(dn(t, cn, container))));
    r.push((
        "OrganizationId",
        V::Str(format!("{} - {}", t.forest, t.domain)),
    ));
    r.push(("ExchangeVersion", V::S("0.20 (15.0.0.0)")));
    r.push(("WhenChanged", V::Str(ch.clone())));
    r.push(("WhenCreated", V::Str(c.clone())));
    r.push(("WhenChangedUTC", V::Str(ch.replace("+00:00", "Z"))));
    r.push(("WhenCreatedUTC", V::Str(c.replace("+00:00", "Z"))));
    r.push(("IsValid", V::Bool(true)));
    r.push(("ObjectState", V::S("Unchanged")));
}

const STR_EMPTY: V = V::Arr(vec![]);

const POLICY_CONTENT: u8 = 1;
const POLICY_OUTBOUND: u8 = 2;
const POLICY_ANTIPHISH: u8 = 3;
const POLICY_MALWARE: u8 = 4;
const POLICY_SAFELINKS: u8 = 5;
const POLICY_SAFEATT: u8 = 6;

/// Windows time zone ids accepted by Set-MailboxRegionalConfiguration (a subset).
pub const TIME_ZONES: &[&str] = &[
    "Dateline Standard Time",
    "UTC",
    "Hawaiian Standard Time",
    "Alaskan Standard Time",
    "Pacific Standard Time",
    "Mountain Standard Time",
    "Central Standard Time",
    "Eastern Standard Time",
    "E. South America Standard Time",
    "GMT Standard Time",
    "W. Europe Standard Time",
    "Romance Standard Time",
    "Central European Standard Time",
    "Central Europe Standard Time",
    "FLE Standard Time",
    "Russian Standard Time",
    "India Standard Time",
    "China Standard Time",
    "Tokyo Standard Time",
    "AUS Eastern Standard Time",
    "New Zealand Standard Time",
];

/// (time zone, date format, time format) per culture in `LOCALES` order.
const REGIONAL: &[(&str, &str, &str)] = &[
    ("Pacific Standard Time", "M/d/yyyy", "h:mm tt"),
    ("W. Europe Standard Time", "dd.MM.yyyy", "HH:mm"),
    ("Romance Standard Time", "dd/MM/yyyy", "HH:mm"),
    ("China Standard Time", "yyyy/M/d", "H:mm"),
    ("W. Europe Standard Time", "d-M-yyyy", "HH:mm"),
    ("Romance Standard Time", "dd/MM/yyyy", "H:mm"),
    ("W. Europe Standard Time", "dd/MM/yyyy", "HH:mm"),
    ("E. South America Standard Time", "dd/MM/yyyy", "HH:mm"),
    ("W. Europe Standard Time", "yyyy-MM-dd", "HH:mm"),
    ("Romance Standard Time", "dd-MM-yyyy", "HH:mm"),
    ("Central European Standard Time", "dd.MM.yyyy", "HH:mm"),
    ("Tokyo Standard Time", "yyyy/MM/dd", "H:mm"),
    ("Russian Standard Time", "dd.MM.yyyy", "H:mm"),
];

pub const CULTURES: &[&str] = &[
    "en-US", "en-GB", "de-DE", "fr-FR", "zh-CN", "nl-NL", "es-ES", "it-IT", "pt-BR", "sv-SE",
    "da-DK", "pl-PL", "ja-JP", "ru-RU", "nb-NO", "fi-FI",
];

impl Tenant {
    pub fn organization_config(&self) -> Record {
        let hh = h(&[self.ts, 910]);
        let mut r: Record = vec![
            ("Name", V::Str(self.domain.clone())),
            ("DisplayName", V::Str(self.org_name.clone())),
            ("Identity", V::Str(self.domain.clone())),
            ("Id", V::Str(self.domain.clone())),
            ("IsDehydrated", V::Bool(false)),
            ("AuditDisabled", V::Bool(false)),
            ("OAuth2ClientProfileEnabled", V::Bool(true)),
            ("CustomerLockBoxEnabled", V::Bool(false)),
            ("AutoExpandingArchiveEnabled", V::Bool(hh % 5 == 0)),
            ("BookingsEnabled", V::Bool(true)),
            ("FocusedInboxOn", V::Bool(hh % 3 != 0)),
            ("ReadTrackingEnabled", V::Bool(false)),
            ("SendFromAliasEnabled", V::Bool(hh % 4 == 0)),
            ("MailTipsAllTipsEnabled", V::Bool(true)),
            (
                "MailTipsExternalRecipientsTipsEnabled",
                V::Bool(hh % 2 == 0),
            ),
            ("MailTipsGroupMetricsEnabled", V::Bool(true)),
            ("MailTipsLargeAudienceThreshold", V::Int(25)),
            ("MailTipsMailboxSourcedTipsEnabled", V::Bool(true)),
            ("LinkPreviewEnabled", V::Bool(true)),
            ("ConnectorsEnabled", V::Bool(true)),
            ("SmtpActionableMessagesEnabled", V::Bool(true)),
            ("DirectReportsGroupAutoCreationEnabled", V::Bool(false)),
            ("ActivityBasedAuthenticationTimeoutEnabled", V::Bool(true)),
            (
                "ActivityBasedAuthenticationTimeoutInterval",
                V::S("06:00:00"),
            ),
            ("EwsEnabled", V::Null),
            ("EwsApplicationAccessPolicy", V::Null),
            ("EwsAllowList", V::Null),
            ("EwsBlockList", V::Null),
            ("PublicFoldersEnabled", V::S("Local")),
            ("DefaultPublicFolderMailbox", V::Null),
            ("DistributionGroupDefaultOU", V::Null),
            ("DistributionGroupNameBlockedWordsList", STR_EMPTY),
            ("ElcProcessingDisabled", V::Bool(false)),
            ("MobileAppEducationEnabled", V::Bool(true)),
            ("OutlookMobileGCCRestrictionsEnabled", V::Bool(false)),
            ("IPListBlocked", STR_EMPTY),
            (
                "VisibleMeetingUpdateProperties",
                V::S("Location,AllProperties:15"),
            ),
            ("MaxConcurrentMigrations", V::S("Unlimited")),
            ("DefaultAuthenticationPolicy", V::Null),
            ("IsMixedMode", V::Bool(false)),
            (
                "MicrosoftExchangeRecipientPrimarySmtpAddress",
                V::Str(format!(
                    "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@{}",
                    self.domain
                )),
            ),
        ];
        tail(&mut r, self, 910, "Configuration", "Microsoft Exchange");
        r
    }

    pub fn accepted_domains(&self) -> Vec<Record> {
        let mail = self
            .domain
            .replace(".onmicrosoft.com", ".mail.onmicrosoft.com");
        [self.domain.clone(), mail]
            .into_iter()
            .enumerate()
            .map(|(k, d)| {
                let mut r: Record = vec![
                    ("Name", V::Str(d.clone())),
                    ("Identity", V::Str(d.clone())),
                    ("Id", V::Str(d.clone())),
                    ("DomainName", V::Str(d.clone())),
                    ("DomainType", V::S("Authoritative")),
                    ("Default", V::Bool(k == 0)),
                    ("InitialDomain", V::Bool(k == 0)),
                    ("MatchSubDomains", V::Bool(false)),
                    ("AddressBookEnabled", V::Bool(true)),
                    ("SendingFromDomainDisabled", V::Bool(false)),
                    ("IsCoexistenceDomain", V::Bool(k == 1)),
                    ("AuthenticationType", V::S("Managed")),
                    ("LiveIdInstanceType", V::S("Business")),
                    ("EnableNego2Authentication", V::Bool(false)),
                    ("PendingRemoval", V::Bool(false)),
                    ("PendingCompletion", V::Bool(false)),
                    ("FederatedOrganizationLink", V::Null),
                    ("MailFlowPartner", V::Null),
                    ("OutboundOnly", V::Bool(false)),
                    ("PendingFederatedAccountNamespace", V::Bool(false)),
                    ("PendingFederatedDomain", V::Bool(false)),
                    ("IsDefaultFederatedDomain", V::Bool(false)),
                ];
                tail(&mut r, self, 920 + k as u64, &d, "Transport Settings");
                r
            })
            .collect()
    }

    pub fn transport_rules(&self) -> Vec<Record> {
        let rules: &[(&str, &str, &str)] = &[
            (
                "External sender warning",
                "If the message:\r\n\tIs received from 'NotInOrganization'\r\nTake the following actions:\r\n\tPrepend the subject of the message with '[EXTERNAL] '\r\n",
                "Enabled",
            ),
            (
                "Block executable attachments",
                "If the message:\r\n\tIncludes an attachment with extension 'exe' or 'js' or 'vbs'\r\nTake the following actions:\r\n\tReject the message and include the explanation 'Executable attachments are not allowed.' with the status code: '5.7.1'\r\n",
                "Enabled",
            ),
            (
                "Legacy journaling to archive",
                "If the message:\r\n\tIs sent to 'InOrganization'\r\nTake the following actions:\r\n\tBlind carbon copy (Bcc) the message to 'archive@archiver.example.com'\r\n",
                "Disabled",
            ),
        ];
        rules
            .iter()
            .enumerate()
            .map(|(k, (name, desc, state))| {
                let mut r: Record = vec![
                    ("Name", V::S(name)),
                    ("Identity", V::S(name)),
                    ("Priority", V::Int(k as i64)),
                    ("State", V::S(state)),
                    ("Mode", V::S("Enforce")),
                    ("Description", V::S(desc)),
                    ("Comments", V::S("")),
                    ("RuleVersion", V::S("15.0.5.2")),
                    (
                        "FromScope",
                        if k == 0 {
                            V::S("NotInOrganization")
                        } else {
                            V::Null
                        },
                    ),
                    (
                        "SentToScope",
                        if k == 2 {
                            V::S("InOrganization")
                        } else {
                            V::Null
                        },
                    ),
                    (
                        "AttachmentExtensionMatchesWords",
                        if k == 1 {
                            V::Arr(vec![V::S("exe"), V::S("js"), V::S("vbs")])
                        } else {
                            STR_EMPTY
                        },
                    ),
                    (
                        "PrependSubject",
                        if k == 0 { V::S("[EXTERNAL] ") } else { V::Null },
                    ),
                    (
                        "RejectMessageReasonText",
                        if k == 1 {
                            V::S("Executable attachments are not allowed.")
                        } else {
                            V::Null
                        },
                    ),
                    (
                        "RejectMessageEnhancedStatusCode",
                        if k == 1 { V::S("5.7.1") } else { V::Null },
                    ),
                    (
                        "BlindCopyTo",
                        if k == 2 {
                            V::Arr(vec![V::S("archive@archiver.example.com")])
                        } else {
                            STR_EMPTY
                        },
                    ),
                    ("SetSCL", V::Null),
                    ("StopRuleProcessing", V::Bool(false)),
                    ("SenderAddressLocation", V::S("Header")),
                    ("RuleErrorAction", V::S("Ignore")),
                    ("ActivationDate", V::Null),
                    ("ExpiryDate", V::Null),
                    ("ImmutableId", V::Str(guid(self, 930 + k as u64))),
                ];
                tail(&mut r, self, 930 + k as u64, name, "TransportVersioned");
                r
            })
            .collect()
    }

    pub fn policies(&self, kind: u8) -> Vec<Record> {
        let k = 940 + kind as u64;
        let hh = h(&[self.ts, k]);
        let (name, container) = match kind {
            POLICY_CONTENT | POLICY_OUTBOUND => ("Default", "Hosted Content Filter Policies"),
            POLICY_ANTIPHISH => ("Office365 AntiPhish Default", "Anti Phish Policies"),
            POLICY_MALWARE => ("Default", "Malware Filter Policies"),
            _ => ("Built-In Protection Policy", "ATP Policies"),
        };
        let mut r: Record = vec![
            ("Name", V::S(name)),
            ("Identity", V::S(name)),
            ("Id", V::S(name)),
            ("AdminDisplayName", V::S("")),
            ("IsDefault", V::Bool(kind <= POLICY_MALWARE)),
        ];
        let list = |xs: &[&'static str]| V::Arr(xs.iter().map(|x| V::S(x)).collect());
        match kind {
            POLICY_CONTENT => r.extend([
                ("SpamAction", V::S("MoveToJmf")),
                (
                    "HighConfidenceSpamAction",
                    V::S(if hh % 2 == 0 {
                        "MoveToJmf"
                    } else {
                        "Quarantine"
                    }),
                ),
                ("PhishSpamAction", V::S("MoveToJmf")),
                ("HighConfidencePhishAction", V::S("Quarantine")),
                ("BulkSpamAction", V::S("MoveToJmf")),
                ("BulkThreshold", V::Int(7)),
                ("MarkAsSpamBulkMail", V::S("On")),
                ("QuarantineRetentionPeriod", V::Int(15)),
                ("EnableEndUserSpamNotifications", V::Bool(false)),
                ("EndUserSpamNotificationFrequency", V::Int(3)),
                ("SpamQuarantineTag", V::S("DefaultFullAccessPolicy")),
                (
                    "HighConfidenceSpamQuarantineTag",
                    V::S("DefaultFullAccessPolicy"),
                ),
                ("PhishQuarantineTag", V::S("DefaultFullAccessPolicy")),
                (
                    "HighConfidencePhishQuarantineTag",
                    V::S("AdminOnlyAccessPolicy"),
                ),
                ("BulkQuarantineTag", V::S("DefaultFullAccessPolicy")),
                ("AllowedSenders", STR_EMPTY),
                (
                    "AllowedSenderDomains",
                    if hh % 3 == 0 {
                        list(&["partnerco1.example.com"])
                    } else {
                        STR_EMPTY
                    },
                ),
                ("BlockedSenders", STR_EMPTY),
                ("BlockedSenderDomains", STR_EMPTY),
                ("IncreaseScoreWithImageLinks", V::S("Off")),
                ("IncreaseScoreWithNumericIps", V::S("Off")),
                ("IncreaseScoreWithRedirectToOtherPort", V::S("Off")),
                ("IncreaseScoreWithBizOrInfoUrls", V::S("Off")),
                ("MarkAsSpamEmptyMessages", V::S("Off")),
                ("MarkAsSpamJavaScriptInHtml", V::S("Off")),
                ("MarkAsSpamSpfRecordHardFail", V::S("Off")),
                ("MarkAsSpamFromAddressAuthFail", V::S("Off")),
                ("MarkAsSpamNdrBackscatter", V::S("Off")),
                ("InlineSafetyTipsEnabled", V::Bool(true)),
                ("SpamZapEnabled", V::Bool(true)),
                ("PhishZapEnabled", V::Bool(true)),
                ("TestModeAction", V::S("None")),
                ("LanguageBlockList", STR_EMPTY),
                ("RegionBlockList", STR_EMPTY),
            ]),
            POLICY_OUTBOUND => r.extend([
                ("RecipientLimitExternalPerHour", V::Int(0)),
                ("RecipientLimitInternalPerHour", V::Int(0)),
                ("RecipientLimitPerDay", V::Int(0)),
                ("ActionWhenThresholdReached", V::S("BlockUserForToday")),
                (
                    "AutoForwardingMode",
                    V::S(if hh % 2 == 0 { "Automatic" } else { "Off" }),
                ),
                ("BccSuspiciousOutboundMail", V::Bool(false)),
                ("BccSuspiciousOutboundAdditionalRecipients", STR_EMPTY),
                ("NotifyOutboundSpam", V::Bool(false)),
                ("NotifyOutboundSpamRecipients", STR_EMPTY),
            ]),
            POLICY_ANTIPHISH => r.extend([
                ("Enabled", V::Bool(true)),
                ("PhishThresholdLevel", V::Int(1 + (hh % 2) as i64)),
                ("EnableSpoofIntelligence", V::Bool(true)),
                ("EnableMailboxIntelligence", V::Bool(true)),
                ("EnableMailboxIntelligenceProtection", V::Bool(false)),
                ("EnableFirstContactSafetyTips", V::Bool(false)),
                ("EnableUnauthenticatedSender", V::Bool(true)),
                ("EnableViaTag", V::Bool(true)),
                ("HonorDmarcPolicy", V::Bool(true)),
                ("EnableTargetedUserProtection", V::Bool(false)),
                ("TargetedUsersToProtect", STR_EMPTY),
                ("EnableOrganizationDomainsProtection", V::Bool(false)),
                ("EnableTargetedDomainsProtection", V::Bool(false)),
                ("TargetedDomainsToProtect", STR_EMPTY),
                ("ExcludedDomains", STR_EMPTY),
                ("ExcludedSenders", STR_EMPTY),
                ("AuthenticationFailAction", V::S("MoveToJmf")),
                ("SpoofQuarantineTag", V::S("DefaultFullAccessPolicy")),
                ("TargetedUserProtectionAction", V::S("NoAction")),
                ("TargetedDomainProtectionAction", V::S("NoAction")),
                ("MailboxIntelligenceProtectionAction", V::S("NoAction")),
            ]),
            POLICY_MALWARE => r.extend([
                ("EnableFileFilter", V::Bool(true)),
                (
                    "FileTypes",
                    list(&[
                        "ace", "ani", "apk", "app", "cab", "cmd", "com", "deb", "dmg", "exe",
                        "hta", "img", "iso", "jar", "js", "jse", "lnk", "msi", "ps1", "reg", "scr",
                        "vb", "vbe", "vbs", "wsc", "wsf", "wsh",
                    ]),
                ),
                ("FileTypeAction", V::S("Reject")),
                ("ZapEnabled", V::Bool(true)),
                ("QuarantineTag", V::S("AdminOnlyAccessPolicy")),
                ("EnableInternalSenderAdminNotifications", V::Bool(false)),
                ("EnableExternalSenderAdminNotifications", V::Bool(false)),
                ("InternalSenderAdminAddress", V::Null),
                ("ExternalSenderAdminAddress", V::Null),
                ("CustomNotifications", V::Bool(false)),
            ]),
            POLICY_SAFELINKS => r.extend([
                ("IsBuiltInProtection", V::Bool(true)),
                ("EnableSafeLinksForEmail", V::Bool(true)),
                ("EnableSafeLinksForTeams", V::Bool(true)),
                ("EnableSafeLinksForOffice", V::Bool(true)),
                ("TrackClicks", V::Bool(true)),
                ("AllowClickThrough", V::Bool(false)),
                ("ScanUrls", V::Bool(true)),
                ("EnableForInternalSenders", V::Bool(true)),
                ("DeliverMessageAfterScan", V::Bool(true)),
                ("DisableUrlRewrite", V::Bool(false)),
                ("DoNotRewriteUrls", STR_EMPTY),
                ("EnableOrganizationBranding", V::Bool(false)),
                ("CustomNotificationText", V::S("")),
            ]),
            _ => r.extend([
                ("IsBuiltInProtection", V::Bool(true)),
                ("Enable", V::Bool(true)),
                ("Action", V::S("Block")),
                ("QuarantineTag", V::S("AdminOnlyAccessPolicy")),
                ("Redirect", V::Bool(false)),
                ("RedirectAddress", V::Null),
                ("ActionOnError", V::Bool(true)),
            ]),
        }
        tail(&mut r, self, k, name, container);
        vec![r]
    }

    pub fn admin_audit_log_config(&self) -> Record {
        let hh = h(&[self.ts, 960]);
        let mut r: Record = vec![
            ("Name", V::S("Admin Audit Log Settings")),
            ("Identity", V::S("Admin Audit Log Settings")),
            ("AdminAuditLogEnabled", V::Bool(true)),
            ("UnifiedAuditLogIngestionEnabled", V::Bool(hh % 4 != 0)),
            (
                "UnifiedAuditLogFirstOptInDate",
                V::Str(rng::iso_offset(self.created + 86400)),
            ),
            ("AdminAuditLogCmdlets", V::Arr(vec![V::S("*")])),
            ("AdminAuditLogParameters", V::Arr(vec![V::S("*")])),
            ("AdminAuditLogExcludedCmdlets", STR_EMPTY),
            ("AdminAuditLogAgeLimit", V::S("90.00:00:00")),
            ("LogLevel", V::S("None")),
            ("TestCmdletLoggingEnabled", V::Bool(false)),
            ("LoadBalancerCount", V::Int(3)),
            ("AdminAuditLogMailbox", V::S("")),
        ];
        tail(
            &mut r,
            self,
            960,
            "Admin Audit Log Settings",
            "Global Settings",
        );
        r
    }

    pub fn auto_reply(&self, i: usize) -> Record {
        let m = self.mailbox(i);
        let hh = h(&[self.ts, i as u64, 970]);
        let on = m.kind == MbxKind::User && hh % 12 == 0;
        let start = self.created + (hh >> 8) % (1000 * 86400);
        vec![
            ("AutoDeclineFutureRequestsWhenOOF", V::Bool(false)),
            (
                "AutoReplyState",
                V::S(if on { "Enabled" } else { "Disabled" }),
            ),
            ("CreateOOFEvent", V::Bool(false)),
            ("DeclineAllEventsForScheduledOOF", V::Bool(false)),
            ("DeclineEventsForScheduledOOF", V::Bool(false)),
            ("DeclineMeetingMessage", V::Null),
            ("EndTime", V::Str(rng::iso_offset(start + 86400))),
            ("EventsToDeleteIDs", V::Null),
            ("ExternalAudience", V::S("All")),
            (
                "ExternalMessage",
                if on {
                    V::S("<html><body>I am out of the office.</body></html>")
                } else {
                    V::Null
                },
            ),
            (
                "InternalMessage",
                if on {
                    V::S("<html><body>I am out of the office until Monday.</body></html>")
                } else {
                    V::Null
                },
            ),
            ("OOFEventSubject", V::Null),
            ("StartTime", V::Str(rng::iso_offset(start))),
            ("Recipients", V::Null),
            ("ReminderMinutesBeforeStart", V::Int(0)),
            ("ReminderMessage", V::Null),
            ("MailboxOwnerId", V::Str(m.alias.clone())),
            ("Identity", V::Str(m.alias.clone())),
            ("IsValid", V::Bool(true)),
            ("ObjectState", V::S("Unchanged")),
        ]
    }

    pub fn regional(&self, i: usize) -> Record {
        let m = self.mailbox(i);
        let (tz, df, tf) = REGIONAL[m.locale % REGIONAL.len()];
        vec![
            ("DateFormat", V::S(df)),
            ("Language", V::S(LOCALES[m.locale].culture)),
            ("DefaultFolderNameMatchingUserLanguage", V::Bool(true)),
            ("TimeFormat", V::S(tf)),
            ("TimeZone", V::S(tz)),
            ("MailboxOwnerId", V::Str(m.alias.clone())),
            ("Identity", V::Str(m.alias.clone())),
            ("IsValid", V::Bool(true)),
            ("ObjectState", V::S("New")),
        ]
    }

    /// Inbox rules of mailbox i: users have 0–2; some forward outside the organization.
    pub fn inbox_rules(&self, i: usize) -> Vec<Record> {
        let m = self.mailbox(i);
        if m.kind != MbxKind::User {
            return vec![];
        }
        let hh = h(&[self.ts, i as u64, 980]);
        let n = [0, 0, 1, 1, 2][(hh % 5) as usize];
        (0..n)
            .map(|k| {
                let id = h(&[hh, k as u64]) >> 1;
                let fwd = k == 1 && (hh >> 8) % 3 == 0;
                let name = if k == 0 { "Newsletters" } else if fwd { "Forward to personal" } else { "Invoices" };
                vec![
                    ("Name", V::S(name)),
                    ("Identity", V::Str(format!("{}\\{}", m.alias, id))),
                    ("RuleIdentity", V::Str(id.to_string())),
                    ("Priority", V::Int(k as i64 + 1)),
                    ("Enabled", V::Bool(true)),
                    ("InError", V::Bool(false)),
                    (
                        "Description",
                        V::Str(if fwd {
                            format!("If the message:\r\n\tIncludes 'invoice' in the subject\r\nTake the following actions:\r\n\tForward the message to '{}.private@mail.example.net'\r\n", m.alias)
                        } else {
                            format!("If the message:\r\n\tIncludes '{}' in the subject\r\nTake the following actions:\r\n\tMove the message to folder 'Archive'\r\n", name.to_lowercase())
                        }),
                    ),
                    ("SubjectContainsWords", V::Arr(vec![V::Str(name.to_lowercase())])),
                    ("From", V::Null),
                    ("MoveToFolder", if fwd { V::Null } else { V::Str(format!("{}:\\Archive", m.alias)) }),
                    (
                        "ForwardTo",
                        if fwd {
                            V::Arr(vec![V::Str(format!("\"{0}.private@mail.example.net\" [SMTP:{0}.private@mail.example.net]", m.alias))])
                        } else {
                            STR_EMPTY
                        },
                    ),
                    ("RedirectTo", STR_EMPTY),
                    ("ForwardAsAttachmentTo", STR_EMPTY),
                    ("DeleteMessage", V::Bool(false)),
                    ("MarkAsRead", V::Bool(k == 0)),
                    ("StopProcessingRules", V::Bool(false)),
                    ("SupportedByTask", V::Bool(true)),
                    ("MailboxOwnerId", V::Str(m.alias.clone())),
                    ("IsValid", V::Bool(true)),
                    ("ObjectState", V::S("Unchanged")),
                ]
            })
            .collect()
    }

    /// The manager of mailbox i (a user mailbox with a lower index), if any.
    pub fn manager_of(&self, i: usize) -> Option<usize> {
        if i == 0 || self.kind_of(i) != MbxKind::User {
            return None;
        }
        let hh = h(&[self.ts, i as u64, 990]);
        if hh % 8 == 0 {
            return None;
        }
        let j = (hh >> 8) as usize % i.min(8);
        (0..=j).rev().find(|&x| self.kind_of(x) == MbxKind::User)
    }

    /// The Get-User object of mailbox i.
    pub fn user_record(&self, i: usize, ov: Option<&MbxOverride>) -> Record {
        let m = self.mailbox(i);
        let hh = h(&[self.ts, i as u64, 991]);
        let user = m.kind == MbxKind::User;
        let loc = &LOCALES[m.locale];
        let pick = |xs: &[&'static str], s: u32| V::S(xs[((hh >> s) % xs.len() as u64) as usize]);
        let details = ov.and_then(|o| o.kind).unwrap_or(m.kind).details();
        vec![
            ("Name", V::Str(m.alias.clone())),
            ("Identity", V::Str(m.alias.clone())),
            ("Id", V::Str(m.alias.clone())),
            ("DisplayName", V::Str(m.display.clone())),
            ("FirstName", V::S(m.first.unwrap_or(""))),
            ("LastName", V::S(m.last.unwrap_or(""))),
            ("Initials", V::S("")),
            ("UserPrincipalName", V::Str(self.upn(&m))),
            ("WindowsEmailAddress", V::Str(self.primary_smtp(&m, ov))),
            ("MicrosoftOnlineServicesID", V::Str(self.upn(&m))),
            (
                "Manager",
                self.manager_of(i)
                    .map(|j| V::Str(self.mailbox(j).alias))
                    .unwrap_or(V::Null),
            ),
            (
                "Department",
                if user {
                    pick(&["Sales", "Finance", "IT", "Operations", "Marketing"], 0)
                } else {
                    V::S("")
                },
            ),
            (
                "Title",
                if user {
                    pick(
                        &[
                            "Account Manager",
                            "Analyst",
                            "Engineer",
                            "Director",
                            "Consultant",
                        ],
                        4,
                    )
                } else {
                    V::S("")
                },
            ),
            ("Company", V::Str(self.org_name.clone())),
            ("Office", V::S("")),
            (
                "City",
                if user {
                    pick(&["Seattle", "Berlin", "Paris", "Shanghai", "Amsterdam"], 8)
                } else {
                    V::S("")
                },
            ),
            ("CountryOrRegion", V::S(loc.country)),
            ("UsageLocation", V::S(loc.country)),
            (
                "Phone",
                if user {
                    V::Str(format!("+1 425 555 {:04}", hh % 10000))
                } else {
                    V::S("")
                },
            ),
            ("MobilePhone", V::S("")),
            ("RecipientType", V::S("UserMailbox")),
            ("RecipientTypeDetails", V::S(details)),
            ("AccountDisabled", V::Bool(details != "UserMailbox")),
            ("IsDirSynced", V::Bool(user && (m.hh >> 48) % 10 < 3)),
            ("Guid", V::Str(self.guid_of(i, 1))),
            ("ExternalDirectoryObjectId", V::Str(self.guid_of(i, 3))),
            ("SKUAssigned", V::Bool(user)),
            (
                "WhenCreated",
                V::Str(rng::iso_offset(
                    self.created + h(&[self.ts, i as u64, 14]) % (3 * 365 * 86400),
                )),
            ),
        ]
    }

    /// Seeded members of group recipient r (distribution, security or Microsoft 365 group).
    pub fn seeded_members(&self, r: usize) -> Vec<usize> {
        if self.n_mbx == 0 {
            return vec![];
        }
        let hh = h(&[self.ts, r as u64, 995]);
        let n = 2 + (hh % 5) as usize;
        let mut out = Vec::new();
        for k in 0..n.min(self.n_mbx) {
            let j = (h(&[hh, k as u64]) % self.n_mbx as u64) as usize;
            if !out.contains(&j) {
                out.push(j);
            }
        }
        out
    }

    pub fn members(&self, r: usize, st: &TenantState) -> Vec<usize> {
        st.members
            .get(&r)
            .cloned()
            .unwrap_or_else(|| self.seeded_members(r))
    }

    /// Quarantined messages of the last 30 days, newest first.
    pub fn quarantine_messages(&self, now: u64) -> Vec<Record> {
        if self.n_mbx == 0 {
            return vec![];
        }
        const TYPES: &[(&str, &str, &str)] = &[
            ("Spam", "HostedContentFilterPolicy", "Default"),
            ("HighConfPhish", "HostedContentFilterPolicy", "Default"),
            ("Phish", "AntiPhishPolicy", "Office365 AntiPhish Default"),
            ("Malware", "AntiMalwarePolicy", "Default"),
            ("Bulk", "HostedContentFilterPolicy", "Default"),
            (
                "TransportRule",
                "ExchangeTransportRule",
                "Block executable attachments",
            ),
        ];
        const SUBJECTS: &[&str] = &[
            "Your invoice is overdue",
            "Password expires today - action required",
            "You have (3) new voicemails",
            "Weekly newsletter",
            "Shipment notification DHL",
            "Re: payment details",
        ];
        let today = now / 86400;
        let per_day = 1 + self.n_mbx / 20;
        let mut out = Vec::new();
        for d in (today.saturating_sub(29)..=today).rev() {
            let n = (h(&[self.ts, d, 1100]) % (per_day as u64 + 1)) as usize;
            let mut day: Vec<(u64, Record)> = (0..n)
                .filter_map(|k| {
                    let hh = h(&[self.ts, d, 1101, k as u64]);
                    let at = d * 86400 + hh % 86400;
                    if at > now {
                        return None;
                    }
                    let rcpt = (hh >> 20) as usize % self.n_mbx;
                    let (ty, pt, pn) = TYPES[((hh >> 8) % TYPES.len() as u64) as usize];
                    let a = rng::guid(hh, h(&[hh, 1]));
                    let b = rng::guid(h(&[hh, 2]), h(&[hh, 3]));
                    let sender = format!(
                        "no-reply{}@{}",
                        hh % 97,
                        [
                            "mailer.example.org",
                            "billing.example.biz",
                            "notify.example.info"
                        ][(hh % 3) as usize]
                    );
                    let released = (hh >> 30) % 10 == 0;
                    Some((
                        at,
                        vec![
                            ("Identity", V::Str(format!("{}\\{}", a, b))),
                            ("ReceivedTime", V::Str(rng::iso_offset(at))),
                            ("Organization", V::Str(self.id.clone())),
                            (
                                "MessageId",
                                V::Str(format!(
                                    "<{:016x}@{}>",
                                    hh,
                                    sender.split('@').nth(1).unwrap_or("")
                                )),
                            ),
                            ("SenderAddress", V::Str(sender)),
                            (
                                "RecipientAddress",
                                V::Arr(vec![V::Str(self.upn(&self.mailbox(rcpt)))]),
                            ),
                            (
                                "Subject",
                                V::S(SUBJECTS[((hh >> 40) % SUBJECTS.len() as u64) as usize]),
                            ),
                            ("Size", V::Int((4_000 + (hh >> 12) % 200_000) as i64)),
                            ("Type", V::S(ty)),
                            ("PolicyType", V::S(pt)),
                            ("PolicyName", V::S(pn)),
                            (
                                "TagName",
                                V::S(if ty == "Malware" || ty == "HighConfPhish" {
                                    "AdminOnlyAccessPolicy"
                                } else {
                                    "DefaultFullAccessPolicy"
                                }),
                            ),
                            ("PermissionToBlockSender", V::Bool(false)),
                            ("PermissionToDelete", V::Bool(true)),
                            ("PermissionToPreview", V::Bool(true)),
                            ("PermissionToRelease", V::Bool(ty != "Malware")),
                            ("PermissionToRequestRelease", V::Bool(false)),
                            ("PermissionToViewHeader", V::Bool(false)),
                            ("Expires", V::Str(rng::iso_offset(at + 30 * 86400))),
                            ("Direction", V::S("Inbound")),
                            ("QuarantineTypes", V::S(ty)),
                            (
                                "ReleaseStatus",
                                V::S(if released { "RELEASED" } else { "NOTRELEASED" }),
                            ),
                            ("Released", V::Bool(released)),
                            ("ReleasedUser", V::Arr(vec![])),
                            ("Reported", V::Bool(false)),
                            ("RecipientCount", V::Int(1)),
                            ("SystemReleased", V::Bool(false)),
                            ("MoveToQuarantineAdminActionTakenBy", V::S("")),
                            ("EntityType", V::S("Email")),
                        ],
                    ))
                })
                .collect();
            day.sort_by(|a, b| b.0.cmp(&a.0));
            out.extend(day.into_iter().map(|(_, r)| r));
        }
        out
    }

    /// Message trace rows received in [start, end): (received, recipient lower-cased, row),
    /// newest first, then by recipient address. Deterministic per 10-minute slot.
    pub fn message_traces(&self, start: u64, end: u64) -> Vec<(u64, String, Record)> {
        if self.n_mbx == 0 || end <= start {
            return vec![];
        }
        const STATUS: &[&str] = &[
            "Delivered",
            "Delivered",
            "Delivered",
            "Delivered",
            "Delivered",
            "Delivered",
            "FilteredAsSpam",
            "Quarantined",
            "Failed",
            "Expanded",
            "GettingStatus",
            "Pending",
        ];
        const SUBJECTS: &[&str] = &[
            "Quarterly report",
            "Meeting notes",
            "Re: proposal",
            "Invoice 2024-118",
            "Lunch on Friday?",
            "Project status",
            "Fwd: contract draft",
            "Welcome aboard",
        ];
        let per_slot = 1 + (self.n_mbx / 25).min(6) as u64;
        let mut out = Vec::new();
        for slot in start / 600..=(end - 1) / 600 {
            let n = h(&[self.ts, slot, 1200]) % (per_slot + 1);
            for k in 0..n {
                let hh = h(&[self.ts, slot, 1201, k]);
                let at = slot * 600 + hh % 600;
                if at < start || at >= end {
                    continue;
                }
                let a = self.mailbox((hh >> 8) as usize % self.n_mbx);
                let b = self.mailbox((hh >> 24) as usize % self.n_mbx);
                let dir = (hh >> 40) % 3;
                let ext = format!(
                    "{}.{}@partnerco{}.example.com",
                    ["jo", "sam", "lee", "kim"][(hh % 4) as usize],
                    slot % 100,
                    hh % 7
                );
                let (from, to) = match dir {
                    0 => (ext, self.upn(&a)),
                    1 => (self.upn(&a), ext),
                    _ => (self.upn(&a), self.upn(&b)),
                };
                let rcpt = to.to_lowercase();
                let rec = vec![
                    ("Organization", V::Str(self.domain.clone())),
                    (
                        "MessageId",
                        V::Str(format!(
                            "<{:016X}.{}@{}>",
                            hh,
                            k,
                            from.split('@').nth(1).unwrap_or("")
                        )),
                    ),
                    ("Received", V::Str(rng::iso_offset(at))),
                    ("SenderAddress", V::Str(from)),
                    ("RecipientAddress", V::Str(to)),
                    (
                        "Subject",
                        V::S(SUBJECTS[((hh >> 16) % SUBJECTS.len() as u64) as usize]),
                    ),
                    (
                        "Status",
                        V::S(STATUS[((hh >> 32) % STATUS.len() as u64) as usize]),
                    ),
                    (
                        "ToIP",
                        if dir == 1 {
                            V::Str(format!("203.0.113.{}", hh % 250 + 1))
                        } else {
                            V::Null
                        },
                    ),
                    (
                        "FromIP",
                        V::Str(if dir == 0 {
                            format!("198.51.100.{}", (hh >> 4) % 250 + 1)
                        } else {
                            format!("2a01:111:f400:7e{:02x}::{:x}", hh % 256, (hh >> 8) % 4096)
                        }),
                    ),
                    ("Size", V::Int((2_000 + (hh >> 12) % 900_000) as i64)),
                    ("MessageTraceId", V::Str(rng::guid(hh, h(&[hh, 9])))),
                    ("Index", V::Int(0)),
                ];
                out.push((at, rcpt, rec));
            }
        }
        out.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        out
    }
}
