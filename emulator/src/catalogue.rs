//! The cmdlet catalogue: one table entry per cmdlet (name, read/write, parameters with types,
//! object set, -Filter, -Identity resolution, server-side -WhatIf, handler). Adding a cmdlet over
//! an existing object set is a new entry here, not a new code path. docs/EMULATOR.md lists it.

use crate::cmdlets::{builtin, Ident, Spec, PT};
use crate::config_objects::Set;
use crate::generic_cmdlets as g;

const RESULT: (&str, PT) = ("ResultSize", PT::ResultSize);
const ID: (&str, PT) = ("Identity", PT::Str);

const SET_MAILBOX_PARAMS: &[(&str, PT)] = &[
    ID,
    ("HiddenFromAddressListsEnabled", PT::Bool),
    ("ForwardingSmtpAddress", PT::NullableStr),
    ("ForwardingAddress", PT::NullableStr),
    ("DeliverToMailboxAndForward", PT::Bool),
    ("EmailAddresses", PT::Multi),
    ("GrantSendOnBehalfTo", PT::Multi),
    (
        "Type",
        PT::Enum(&["Regular", "Room", "Equipment", "Shared", "Workspace"]),
    ),
    ("LitigationHoldEnabled", PT::Bool),
    ("ArchiveName", PT::NullableStr),
    ("AutoExpandingArchive", PT::Switch),
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

const POLICY_PARAMS: &[(&str, PT)] = &[ID];
const ORG_BOOLS: &[(&str, PT)] = &[
    ("AuditDisabled", PT::Bool),
    ("OAuth2ClientProfileEnabled", PT::Bool),
    ("CustomerLockBoxEnabled", PT::Bool),
    ("BookingsEnabled", PT::Bool),
    ("FocusedInboxOn", PT::Bool),
    ("ReadTrackingEnabled", PT::Bool),
    ("SendFromAliasEnabled", PT::Bool),
    ("MailTipsAllTipsEnabled", PT::Bool),
    ("MailTipsExternalRecipientsTipsEnabled", PT::Bool),
    ("MailTipsGroupMetricsEnabled", PT::Bool),
    ("MailTipsLargeAudienceThreshold", PT::Int),
    ("MailTipsMailboxSourcedTipsEnabled", PT::Bool),
    ("LinkPreviewEnabled", PT::Bool),
    ("ConnectorsEnabled", PT::Bool),
    ("SmtpActionableMessagesEnabled", PT::Bool),
    ("DirectReportsGroupAutoCreationEnabled", PT::Bool),
    ("ActivityBasedAuthenticationTimeoutEnabled", PT::Bool),
    ("ActivityBasedAuthenticationTimeoutInterval", PT::Str),
    ("EwsEnabled", PT::NullableBool),
    ("MobileAppEducationEnabled", PT::Bool),
    ("ElcProcessingDisabled", PT::Bool),
    (
        "PublicFoldersEnabled",
        PT::Enum(&["None", "Local", "Remote"]),
    ),
    ("VisibleMeetingUpdateProperties", PT::Str),
];

const AUTO_REPLY: &[(&str, PT)] = &[
    ID,
    (
        "AutoReplyState",
        PT::Enum(&["Disabled", "Enabled", "Scheduled"]),
    ),
    ("InternalMessage", PT::NullableStr),
    ("ExternalMessage", PT::NullableStr),
    ("ExternalAudience", PT::Enum(&["None", "Known", "All"])),
    ("StartTime", PT::Date),
    ("EndTime", PT::Date),
    ("CreateOOFEvent", PT::Bool),
    ("OOFEventSubject", PT::NullableStr),
    ("AutoDeclineFutureRequestsWhenOOF", PT::Bool),
    ("DeclineAllEventsForScheduledOOF", PT::Bool),
    ("DeclineEventsForScheduledOOF", PT::Bool),
    ("DeclineMeetingMessage", PT::NullableStr),
];

const REGIONAL: &[(&str, PT)] = &[
    ID,
    ("Language", PT::Str),
    ("DateFormat", PT::NullableStr),
    ("TimeFormat", PT::NullableStr),
    ("TimeZone", PT::Str),
    ("LocalizeDefaultFolderName", PT::Switch),
];

const CAS: &[(&str, PT)] = &[
    ID,
    ("ActiveSyncEnabled", PT::Bool),
    ("OWAEnabled", PT::Bool),
    ("OWAforDevicesEnabled", PT::Bool),
    ("ECPEnabled", PT::Bool),
    ("PopEnabled", PT::Bool),
    ("ImapEnabled", PT::Bool),
    ("MAPIEnabled", PT::Bool),
    ("EwsEnabled", PT::Bool),
    ("UniversalOutlookEnabled", PT::Bool),
    ("OutlookMobileEnabled", PT::Bool),
    ("MacOutlookEnabled", PT::Bool),
    ("SmtpClientAuthenticationDisabled", PT::NullableBool),
    ("ActiveSyncMailboxPolicy", PT::Str),
    ("OwaMailboxPolicy", PT::NullableStr),
];

const GROUP_LIST: &[(&str, PT)] = &[
    ID,
    RESULT,
    ("RecipientTypeDetails", PT::StrList),
    ("Anr", PT::Str),
    ("IncludeAllProperties", PT::Switch),
];

const MAILBOX_RIGHTS: PT = PT::EnumList(&[
    "FullAccess",
    "ExternalAccount",
    "DeleteItem",
    "ReadPermission",
    "ChangePermission",
    "ChangeOwner",
]);

const QUARANTINE_TYPES: &[&str] = &[
    "Bulk",
    "HighConfPhish",
    "Phish",
    "Spam",
    "SPOMalware",
    "TransportRule",
    "Malware",
    "FileTypeBlock",
];

pub static SPECS: &[Spec] = &[
    // --- recipients and mailboxes -----------------------------------------------------------
    Spec {
        filter: true,
        default_limit: Some(1000),
        ..Spec::read(
            "Get-Mailbox",
            Set::Custom("Mailbox"),
            Ident::Mailbox,
            &[
                ID,
                RESULT,
                ("RecipientTypeDetails", PT::StrList),
                ("Anr", PT::Str),
                ("Archive", PT::Switch),
                ("SoftDeletedMailbox", PT::Switch),
                ("InactiveMailboxOnly", PT::Switch),
                ("IncludeInactiveMailbox", PT::Switch),
                ("Properties", PT::StrList),
                ("PropertySets", PT::StrList),
            ],
            builtin,
        )
    },
    Spec {
        filter: true,
        default_limit: Some(1000),
        ..Spec::read(
            "Get-Recipient",
            Set::Custom("Recipient"),
            Ident::Recipient,
            &[
                ID,
                RESULT,
                ("RecipientTypeDetails", PT::StrList),
                ("RecipientType", PT::StrList),
                ("Anr", PT::Str),
                ("Properties", PT::StrList),
                ("PropertySets", PT::StrList),
            ],
            builtin,
        )
    },
    Spec {
        filter: true,
        default_limit: Some(1000),
        ..Spec::read(
            "Get-CASMailbox",
            Set::CasMailbox,
            Ident::Mailbox,
            &[
                ID,
                RESULT,
                ("Anr", PT::Str),
                ("ProtocolSettings", PT::Switch),
            ],
            builtin,
        )
    },
    Spec {
        filter: true,
        default_limit: Some(1000),
        ..Spec::read(
            "Get-User",
            Set::Custom("User"),
            Ident::Mailbox,
            &[
                ID,
                RESULT,
                ("RecipientTypeDetails", PT::StrList),
                ("Anr", PT::Str),
            ],
            g::get_user,
        )
    },
    Spec {
        whatif: Some("What if: Setting mailbox \"{target}\"."),
        ..Spec::write(
            "Set-Mailbox",
            Set::Custom("Mailbox"),
            Ident::Mailbox,
            SET_MAILBOX_PARAMS,
            &["Identity"],
            builtin,
        )
    },
    Spec {
        whatif: Some("What if: Enabling archive for mailbox \"{target}\"."),
        ..Spec::write(
            "Enable-Mailbox",
            Set::Custom("Mailbox"),
            Ident::Mailbox,
            &[
                ID,
                ("Archive", PT::Switch),
                ("AutoExpandingArchive", PT::Switch),
                ("ArchiveName", PT::Str),
            ],
            &["Identity"],
            g::enable_mailbox,
        )
    },
    Spec::write(
        "Set-CASMailbox",
        Set::CasMailbox,
        Ident::Mailbox,
        CAS,
        &["Identity"],
        g::set_mailbox_object,
    ),
    Spec {
        mandatory: &["Identity"],
        ..Spec::read(
            "Get-MailboxStatistics",
            Set::Custom("MailboxStatistics"),
            Ident::Mailbox,
            &[
                ID,
                ("Archive", PT::Switch),
                ("IncludeSoftDeletedRecipients", PT::Switch),
            ],
            builtin,
        )
    },
    // --- permissions ---------------------------------------------------------------------
    Spec {
        mandatory: &["Identity"],
        ..Spec::read(
            "Get-MailboxPermission",
            Set::Custom("MailboxPermission"),
            Ident::Mailbox,
            &[ID, ("User", PT::Str), ("Owner", PT::Switch), RESULT],
            builtin,
        )
    },
    Spec {
        whatif: Some("What if: Adding mailbox permission on \"{target}\"."),
        ..Spec::write(
            "Add-MailboxPermission",
            Set::Custom("MailboxPermission"),
            Ident::Mailbox,
            &[
                ID,
                ("User", PT::Recipient),
                ("AccessRights", MAILBOX_RIGHTS),
                ("AutoMapping", PT::Bool),
                (
                    "InheritanceType",
                    PT::Enum(&["None", "All", "Descendents", "SelfAndChildren", "Children"]),
                ),
            ],
            &["Identity", "User", "AccessRights"],
            g::mailbox_permission_write,
        )
    },
    Spec {
        whatif: Some("What if: Removing mailbox permission on \"{target}\"."),
        ..Spec::write(
            "Remove-MailboxPermission",
            Set::Custom("MailboxPermission"),
            Ident::Mailbox,
            &[
                ID,
                ("User", PT::Recipient),
                ("AccessRights", MAILBOX_RIGHTS),
                (
                    "InheritanceType",
                    PT::Enum(&["None", "All", "Descendents", "SelfAndChildren", "Children"]),
                ),
                ("BypassMasterAccountSid", PT::Switch),
            ],
            &["Identity", "User", "AccessRights"],
            g::mailbox_permission_write,
        )
    },
    Spec {
        default_limit: Some(1000),
        ..Spec::read(
            "Get-RecipientPermission",
            Set::Custom("RecipientPermission"),
            Ident::Mailbox,
            &[
                ID,
                ("Trustee", PT::Str),
                ("AccessRights", PT::StrList),
                RESULT,
            ],
            builtin,
        )
    },
    Spec {
        whatif: Some("What if: Adding recipient permission \"SendAs\" on \"{target}\"."),
        ..Spec::write(
            "Add-RecipientPermission",
            Set::Custom("RecipientPermission"),
            Ident::Mailbox,
            &[
                ID,
                ("Trustee", PT::Recipient),
                ("AccessRights", PT::EnumList(&["SendAs"])),
            ],
            &["Identity", "Trustee", "AccessRights"],
            g::recipient_permission_write,
        )
    },
    Spec {
        whatif: Some("What if: Removing recipient permission \"SendAs\" on \"{target}\"."),
        ..Spec::write(
            "Remove-RecipientPermission",
            Set::Custom("RecipientPermission"),
            Ident::Mailbox,
            &[
                ID,
                ("Trustee", PT::Recipient),
                ("AccessRights", PT::EnumList(&["SendAs"])),
                ("Deny", PT::Switch),
            ],
            &["Identity", "Trustee", "AccessRights"],
            g::recipient_permission_write,
        )
    },
    // --- folders and devices ---------------------------------------------------------------
    Spec {
        mandatory: &["Identity"],
        ..Spec::read(
            "Get-MailboxFolderStatistics",
            Set::Custom("Folder"),
            Ident::Mailbox,
            &[
                ID,
                ("FolderScope", PT::Str),
                ("IncludeOldestAndNewestItems", PT::Switch),
                ("IncludeAnalysis", PT::Switch),
                ("Archive", PT::Switch),
                RESULT,
            ],
            builtin,
        )
    },
    Spec {
        mandatory: &["Identity"],
        ..Spec::read(
            "Get-MailboxFolderPermission",
            Set::Custom("FolderPermission"),
            Ident::Folder,
            &[ID, ("User", PT::Str), ("GroupMailbox", PT::Switch)],
            builtin,
        )
    },
    Spec {
        whatif: Some("What if: {cmdlet} on \"{target}\"."),
        ..Spec::write(
            "Add-MailboxFolderPermission",
            Set::Custom("FolderPermission"),
            Ident::Folder,
            &[
                ID,
                ("User", PT::Str),
                ("AccessRights", PT::StrList),
                ("SharingPermissionFlags", PT::StrList),
                ("SendNotificationToUser", PT::Bool),
            ],
            &["Identity", "User", "AccessRights"],
            builtin,
        )
    },
    Spec {
        whatif: Some("What if: {cmdlet} on \"{target}\"."),
        ..Spec::write(
            "Set-MailboxFolderPermission",
            Set::Custom("FolderPermission"),
            Ident::Folder,
            &[
                ID,
                ("User", PT::Str),
                ("AccessRights", PT::StrList),
                ("SharingPermissionFlags", PT::StrList),
                ("SendNotificationToUser", PT::Bool),
            ],
            &["Identity", "User", "AccessRights"],
            builtin,
        )
    },
    Spec {
        whatif: Some("What if: {cmdlet} on \"{target}\"."),
        ..Spec::write(
            "Remove-MailboxFolderPermission",
            Set::Custom("FolderPermission"),
            Ident::Folder,
            &[
                ID,
                ("User", PT::Str),
                ("Force", PT::Switch),
                ("ResetDelegateUserCollection", PT::Switch),
            ],
            &["Identity", "User"],
            builtin,
        )
    },
    Spec::read(
        "Get-MobileDeviceStatistics",
        Set::Custom("MobileDevice"),
        Ident::Device,
        &[
            ("Mailbox", PT::Str),
            ID,
            ("ActiveSync", PT::Switch),
            ("OWAforDevices", PT::Switch),
            ("RestApi", PT::Switch),
            ("UniversalOutlook", PT::Switch),
        ],
        builtin,
    ),
    Spec {
        filter: true,
        ..Spec::read(
            "Get-MobileDevice",
            Set::Custom("MobileDevice"),
            Ident::Device,
            &[
                ("Mailbox", PT::Str),
                ID,
                RESULT,
                ("ActiveSync", PT::Switch),
                ("OWAforDevices", PT::Switch),
                ("RestApi", PT::Switch),
                ("UniversalOutlook", PT::Switch),
            ],
            g::get_mobile_device,
        )
    },
    // --- per-mailbox settings --------------------------------------------------------------
    Spec {
        mandatory: &["Identity"],
        ..Spec::read(
            "Get-MailboxAutoReplyConfiguration",
            Set::AutoReply,
            Ident::Mailbox,
            &[ID],
            g::get_mailbox_object,
        )
    },
    Spec::write(
        "Set-MailboxAutoReplyConfiguration",
        Set::AutoReply,
        Ident::Mailbox,
        AUTO_REPLY,
        &["Identity"],
        g::set_mailbox_object,
    ),
    Spec {
        mandatory: &["Identity"],
        ..Spec::read(
            "Get-MailboxRegionalConfiguration",
            Set::Regional,
            Ident::Mailbox,
            &[ID, ("VerifyDefaultFolderNameLanguage", PT::Switch)],
            g::get_mailbox_object,
        )
    },
    Spec::write(
        "Set-MailboxRegionalConfiguration",
        Set::Regional,
        Ident::Mailbox,
        REGIONAL,
        &["Identity"],
        g::set_mailbox_object,
    ),
    Spec::read(
        "Get-InboxRule",
        Set::Custom("InboxRule"),
        Ident::Mailbox,
        &[
            ID,
            ("Mailbox", PT::Str),
            ("IncludeHidden", PT::Switch),
            ("BypassScopeCheck", PT::Switch),
            ("SweepRules", PT::Switch),
        ],
        g::get_inbox_rule,
    ),
    // --- groups --------------------------------------------------------------------------
    Spec {
        filter: true,
        default_limit: Some(1000),
        ..Spec::read(
            "Get-DistributionGroup",
            Set::Custom("DistributionGroup"),
            Ident::Group,
            GROUP_LIST,
            g::get_groups,
        )
    },
    Spec {
        mandatory: &["Identity"],
        default_limit: Some(1000),
        ..Spec::read(
            "Get-DistributionGroupMember",
            Set::Custom("DistributionGroupMember"),
            Ident::Group,
            &[ID, RESULT, ("IncludeSoftDeletedObjects", PT::Switch)],
            g::get_group_members,
        )
    },
    Spec {
        whatif: Some("What if: Adding recipient \"{target}\"."),
        ..Spec::write(
            "Add-DistributionGroupMember",
            Set::Custom("DistributionGroupMember"),
            Ident::Group,
            &[
                ID,
                ("Member", PT::Recipient),
                ("BypassSecurityGroupManagerCheck", PT::Switch),
            ],
            &["Identity", "Member"],
            g::group_member_write,
        )
    },
    Spec {
        whatif: Some("What if: Removing recipient \"{target}\"."),
        ..Spec::write(
            "Remove-DistributionGroupMember",
            Set::Custom("DistributionGroupMember"),
            Ident::Group,
            &[
                ID,
                ("Member", PT::Recipient),
                ("BypassSecurityGroupManagerCheck", PT::Switch),
            ],
            &["Identity", "Member"],
            g::group_member_write,
        )
    },
    Spec {
        filter: true,
        ..Spec::read(
            "Get-UnifiedGroup",
            Set::Custom("UnifiedGroup"),
            Ident::Group,
            GROUP_LIST,
            g::get_groups,
        )
    },
    Spec {
        mandatory: &["Identity", "LinkType"],
        ..Spec::read(
            "Get-UnifiedGroupLinks",
            Set::Custom("UnifiedGroupLinks"),
            Ident::Group,
            &[
                ID,
                (
                    "LinkType",
                    PT::Enum(&[
                        "Members",
                        "Owners",
                        "Subscribers",
                        "Aggregators",
                        "EventSubscribers",
                    ]),
                ),
                RESULT,
            ],
            g::get_group_members,
        )
    },
    // --- organization settings and policies --------------------------------------------------
    Spec::read(
        "Get-OrganizationConfig",
        Set::OrganizationConfig,
        Ident::None,
        &[],
        g::get_objects,
    ),
    Spec::write(
        "Set-OrganizationConfig",
        Set::OrganizationConfig,
        Ident::None,
        ORG_BOOLS,
        &[],
        g::set_object,
    ),
    Spec::read(
        "Get-AcceptedDomain",
        Set::AcceptedDomain,
        Ident::Object,
        &[ID, RESULT],
        g::get_objects,
    ),
    Spec::read(
        "Get-TransportRule",
        Set::TransportRule,
        Ident::Object,
        &[
            ID,
            RESULT,
            ("State", PT::Enum(&["Enabled", "Disabled"])),
            ("DlpPolicy", PT::Str),
        ],
        g::get_objects,
    ),
    Spec::read(
        "Get-HostedContentFilterPolicy",
        Set::HostedContentFilterPolicy,
        Ident::Object,
        POLICY_PARAMS,
        g::get_objects,
    ),
    Spec::read(
        "Get-HostedOutboundSpamFilterPolicy",
        Set::HostedOutboundSpamFilterPolicy,
        Ident::Object,
        POLICY_PARAMS,
        g::get_objects,
    ),
    Spec::read(
        "Get-AntiPhishPolicy",
        Set::AntiPhishPolicy,
        Ident::Object,
        &[
            ID,
            ("Advanced", PT::Switch),
            ("Impersonation", PT::Switch),
            ("Spoof", PT::Switch),
        ],
        g::get_objects,
    ),
    Spec::read(
        "Get-MalwareFilterPolicy",
        Set::MalwareFilterPolicy,
        Ident::Object,
        POLICY_PARAMS,
        g::get_objects,
    ),
    Spec::read(
        "Get-SafeLinksPolicy",
        Set::SafeLinksPolicy,
        Ident::Object,
        POLICY_PARAMS,
        g::get_objects,
    ),
    Spec::read(
        "Get-SafeAttachmentPolicy",
        Set::SafeAttachmentPolicy,
        Ident::Object,
        POLICY_PARAMS,
        g::get_objects,
    ),
    Spec::read(
        "Get-AdminAuditLogConfig",
        Set::AdminAuditLogConfig,
        Ident::None,
        &[],
        g::get_objects,
    ),
    // --- mail flow ------------------------------------------------------------------------
    Spec::read(
        "Get-QuarantineMessage",
        Set::Custom("QuarantineMessage"),
        Ident::Object,
        &[
            ID,
            ("Page", PT::Int),
            ("PageSize", PT::Int),
            ("StartReceivedDate", PT::Date),
            ("EndReceivedDate", PT::Date),
            ("QuarantineTypes", PT::EnumList(QUARANTINE_TYPES)),
            ("Type", PT::Enum(QUARANTINE_TYPES)),
            ("Direction", PT::Enum(&["Inbound", "Outbound"])),
            ("RecipientAddress", PT::StrList),
            ("SenderAddress", PT::StrList),
            ("Subject", PT::Str),
            ("MessageId", PT::Str),
            (
                "ReleaseStatus",
                PT::Enum(&[
                    "NotReleased",
                    "Released",
                    "Requested",
                    "Denied",
                    "PreparingToRelease",
                    "Error",
                ]),
            ),
        ],
        g::get_quarantine,
    ),
    Spec::read(
        "Get-MessageTraceV2",
        Set::Custom("MessageTrace"),
        Ident::None,
        &[
            ("StartDate", PT::Date),
            ("EndDate", PT::Date),
            ("ResultSize", PT::Int),
            ("StartingRecipientAddress", PT::Str),
            ("SenderAddress", PT::StrList),
            ("RecipientAddress", PT::StrList),
            ("MessageId", PT::Str),
            ("MessageTraceId", PT::Str),
            (
                "Status",
                PT::EnumList(&[
                    "None",
                    "GettingStatus",
                    "Failed",
                    "Pending",
                    "Delivered",
                    "Expanded",
                    "Quarantined",
                    "FilteredAsSpam",
                ]),
            ),
            ("Subject", PT::Str),
            (
                "SubjectFilterType",
                PT::Enum(&["Contains", "EndsWith", "StartsWith"]),
            ),
            ("FromIP", PT::Str),
            ("ToIP", PT::Str),
        ],
        g::get_message_trace,
    ),
];

pub fn spec(name: &str) -> Option<&'static Spec> {
    SPECS
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name.trim()))
}
