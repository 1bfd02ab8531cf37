using System;
using System.Collections.Generic;

namespace ExoDelegated.Interop
{
    /// <summary>
    /// Property sets of the Get-EXO* cmdlets (ExchangeOnlineManagement v3, "Property sets in
    /// Exchange Online PowerShell module cmdlets"). They become the $select list of the request,
    /// which is what makes the v3 cmdlets fast: Exchange computes and sends only those properties.
    /// Names compare case-insensitively, as PowerShell's -PropertySets values do.
    /// </summary>
    public static class PropertySets
    {
        private static readonly Dictionary<string, Dictionary<string, string[]>> Kinds =
            new Dictionary<string, Dictionary<string, string[]>>(StringComparer.OrdinalIgnoreCase)
        {
            { "Mailbox", Sets(
                Set("Minimum", "Alias", "DisplayName", "DistinguishedName", "EmailAddresses", "ExchangeVersion", "ExternalDirectoryObjectId", "Guid", "Id", "Name", "OrganizationId", "PrimarySmtpAddress", "RecipientType", "RecipientTypeDetails", "UserPrincipalName"),
                Set("AddressList", "AddressBookPolicy", "AddressListMembership", "ExternalDirectoryObjectId", "GeneratedOfflineAddressBooks", "HiddenFromAddressListsEnabled", "OfflineAddressBook"),
                Set("Archive", "ArchiveDatabase", "ArchiveDomain", "ArchiveGuid", "ArchiveName", "ArchiveQuota", "ArchiveRelease", "ArchiveState", "ArchiveStatus", "ArchiveWarningQuota", "AutoExpandingArchiveEnabled", "DisabledArchiveDatabase", "DisabledArchiveGuid", "ExternalDirectoryObjectId", "JournalArchiveAddress"),
                Set("Audit", "AuditAdmin", "AuditDelegate", "AuditEnabled", "AuditLogAgeLimit", "AuditOwner", "DefaultAuditSet", "ExternalDirectoryObjectId"),
                Set("Custom", "CustomAttribute1", "CustomAttribute2", "CustomAttribute3", "CustomAttribute4", "CustomAttribute5", "CustomAttribute6", "CustomAttribute7", "CustomAttribute8", "CustomAttribute9", "CustomAttribute10", "CustomAttribute11", "CustomAttribute12", "CustomAttribute13", "CustomAttribute14", "CustomAttribute15", "ExtensionCustomAttribute1", "ExtensionCustomAttribute2", "ExtensionCustomAttribute3", "ExtensionCustomAttribute4", "ExtensionCustomAttribute5", "ExternalDirectoryObjectId"),
                Set("Delivery", "AcceptMessagesOnlyFrom", "AcceptMessagesOnlyFromDLMembers", "AcceptMessagesOnlyFromSendersOrMembers", "DeliverToMailboxAndForward", "DowngradeHighPriorityMessagesEnabled", "ExternalDirectoryObjectId", "ForwardingAddress", "ForwardingSmtpAddress", "GrantSendOnBehalfTo", "MaxBlockedSenders", "MaxReceiveSize", "MaxSafeSenders", "MaxSendSize", "MessageCopyForSendOnBehalfEnabled", "MessageCopyForSentAsEnabled", "MessageRecallProcessingEnabled", "MessageTrackingReadStatusEnabled", "RecipientLimits", "RejectMessagesFrom", "RejectMessagesFromDLMembers", "RejectMessagesFromSendersOrMembers", "RulesQuota"),
                Set("Hold", "ComplianceTagHoldApplied", "DelayHoldApplied", "ExternalDirectoryObjectId", "InPlaceHolds", "InactiveMailboxRetireTime", "LitigationHoldDate", "LitigationHoldDuration", "LitigationHoldEnabled", "LitigationHoldOwner"),
                Set("Moderation", "BypassModerationFromSendersOrMembers", "ExternalDirectoryObjectId", "ModeratedBy", "ModerationEnabled", "SendModerationNotifications"),
                Set("Move", "ExternalDirectoryObjectId", "MailboxMoveBatchName", "MailboxMoveFlags", "MailboxMoveRemoteHostName", "MailboxMoveSourceMDB", "MailboxMoveStatus", "MailboxMoveTargetMDB"),
                Set("Policy", "AddressBookPolicy", "DataEncryptionPolicy", "EmailAddressPolicyEnabled", "ExternalDirectoryObjectId", "ManagedFolderMailboxPolicy", "PoliciesExcluded", "PoliciesIncluded", "RemoteAccountPolicy", "RetentionPolicy", "RetentionUrl", "RoleAssignmentPolicy", "SharingPolicy", "ThrottlingPolicy"),
                Set("PublicFolder", "DefaultPublicFolderMailbox", "EffectivePublicFolderMailbox", "ExternalDirectoryObjectId", "IsExcludedFromServingHierarchy", "IsHierarchyReady", "IsHierarchySyncEnabled", "IsRootPublicFolderMailbox"),
                Set("Quota", "ArchiveQuota", "ArchiveWarningQuota", "CalendarLoggingQuota", "ExternalDirectoryObjectId", "IssueWarningQuota", "ProhibitSendQuota", "ProhibitSendReceiveQuota", "RecoverableItemsQuota", "RecoverableItemsWarningQuota", "RulesQuota", "UseDatabaseQuotaDefaults"),
                Set("Resource", "ExternalDirectoryObjectId", "IsResource", "ResourceCapacity", "ResourceCustom", "ResourceType", "RoomMailboxAccountEnabled"),
                Set("Retention", "EndDateForRetentionHold", "ExternalDirectoryObjectId", "OrphanSoftDeleteTrackingTime", "RetainDeletedItemsFor", "RetainDeletedItemsUntilBackup", "RetentionComment", "RetentionHoldEnabled", "RetentionPolicy", "RetentionUrl", "SingleItemRecoveryEnabled", "StartDateForRetentionHold", "UseDatabaseRetentionDefaults"),
                Set("SCL", "AntispamBypassEnabled", "ExternalDirectoryObjectId", "SCLDeleteEnabled", "SCLDeleteThreshold", "SCLJunkEnabled", "SCLJunkThreshold", "SCLQuarantineEnabled", "SCLQuarantineThreshold", "SCLRejectEnabled", "SCLRejectThreshold"),
                Set("SoftDelete", "ExternalDirectoryObjectId", "IncludeInGarbageCollection", "IsInactiveMailbox", "IsSoftDeletedByDisable", "IsSoftDeletedByRemove", "WhenSoftDeleted"),
                Set("StatisticsSeed", "ArchiveDatabaseGuid", "DatabaseGuid", "ExchangeGuid", "ExternalDirectoryObjectId")
            ) },
            { "Recipient", Sets(
                Set("Minimum", "ExchangeVersion", "ExternalDirectoryObjectId", "Name", "OrganizationId", "RecipientType", "RecipientTypeDetails"),
                Set("Archive", "ArchiveDatabase", "ArchiveGuid", "ArchiveRelease", "ArchiveState", "ArchiveStatus"),
                Set("Custom", "CustomAttribute1", "CustomAttribute2", "CustomAttribute3", "CustomAttribute4", "CustomAttribute5", "CustomAttribute6", "CustomAttribute7", "CustomAttribute8", "CustomAttribute9", "CustomAttribute10", "CustomAttribute11", "CustomAttribute12", "CustomAttribute13", "CustomAttribute14", "CustomAttribute15", "ExtensionCustomAttribute1", "ExtensionCustomAttribute2", "ExtensionCustomAttribute3", "ExtensionCustomAttribute4", "ExtensionCustomAttribute5"),
                Set("MailboxMove", "MailboxMoveBatchName", "MailboxMoveFlags", "MailboxMoveRemoteHostName", "MailboxMoveSourceMDB", "MailboxMoveStatus", "MailboxMoveTargetMDB"),
                Set("Policy", "ActiveSyncMailboxPolicy", "ActiveSyncMailboxPolicyIsDefaulted", "AddressBookPolicy", "EmailAddressPolicyEnabled", "ManagedFolderMailboxPolicy", "OwaMailboxPolicy", "PoliciesExcluded", "PoliciesIncluded", "RetentionPolicy", "SharingPolicy", "ShouldUseDefaultRetentionPolicy", "UMMailboxPolicy")
            ) },
            { "CasMailbox", Sets(
                Set("Minimum", "ActiveSyncEnabled", "DisplayName", "ECPEnabled", "EmailAddresses", "EwsEnabled", "ExchangeVersion", "ExternalDirectoryObjectId", "Guid", "Identity", "ImapEnabled", "MAPIEnabled", "Name", "OWAEnabled", "OrganizationId", "PopEnabled", "PrimarySmtpAddress", "ServerLegacyDN"),
                Set("ActiveSync", "ActiveSyncAllowedDeviceIDs", "ActiveSyncBlockedDeviceIDs", "ActiveSyncEnabled", "ActiveSyncMailboxPolicy", "ActiveSyncMailboxPolicyIsDefaulted", "ActiveSyncSuppressReadReceipt", "ExternalDirectoryObjectId", "Guid", "HasActiveSyncDevicePartnership", "Identity", "Name", "OrganizationId"),
                Set("Ews", "EwsAllowMacOutlook", "EwsAllowOutlook", "EwsEnabled", "ExternalDirectoryObjectId", "Guid", "Identity", "Name", "OrganizationId"),
                Set("Imap", "ExternalDirectoryObjectId", "Guid", "Identity", "ImapEnableExactRFC822Size", "ImapEnabled", "ImapForceICalForCalendarRetrievalOption", "ImapMessagesRetrievalMimeFormat", "ImapSuppressReadReceipt", "ImapUseProtocolDefaults", "Name", "OrganizationId"),
                Set("Mapi", "ExternalDirectoryObjectId", "Guid", "Identity", "MAPIBlockOutlookExternalConnectivity", "MAPIBlockOutlookNonCachedMode", "MAPIBlockOutlookRpcHttp", "MAPIBlockOutlookVersions", "MAPIEnabled", "MapiHttpEnabled", "Name", "OrganizationId"),
                Set("Pop", "ExternalDirectoryObjectId", "Guid", "Identity", "Name", "OrganizationId", "PopEnableExactRFC822Size", "PopEnabled", "PopMessagesRetrievalMimeFormat", "PopSuppressReadReceipt", "PopUseProtocolDefaults"),
                Set("ProtocolSettings", "ExternalDirectoryObjectId", "ExternalImapSettings", "ExternalPopSettings", "ExternalSmtpSettings", "Guid", "Identity", "InternalImapSettings", "InternalPopSettings", "InternalSmtpSettings", "Name", "OrganizationId")
            ) },
            { "MailboxStatistics", Sets(
                Set("Minimum", "DeletedItemCount", "DisplayName", "ItemCount", "MailboxGuid", "TotalDeletedItemSize", "TotalItemSize")
            ) },

        };

        private static KeyValuePair<string, string[]> Set(string name, params string[] properties)
        {
            return new KeyValuePair<string, string[]>(name, properties);
        }

        private static Dictionary<string, string[]> Sets(params KeyValuePair<string, string[]>[] sets)
        {
            var d = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
            foreach (var s in sets) d.Add(s.Key, s.Value);
            return d;
        }

        /// <summary>The property names of one set of a kind (Mailbox, Recipient, CasMailbox,
        /// MailboxStatistics), or null when there is no such set.</summary>
        public static string[] Get(string kind, string set)
        {
            Dictionary<string, string[]> sets;
            string[] names;
            if (kind == null || set == null || !Kinds.TryGetValue(kind, out sets) || !sets.TryGetValue(set, out names)) return null;
            return (string[])names.Clone();
        }

        /// <summary>The $select list for a request of this kind: the union, in order and without
        /// duplicates, of the Minimum set (always: it carries the identities that pipeline binding
        /// uses), the named sets and the extra properties. null (all properties) for the set 'All'
        /// or the property '*', or for a kind without property sets given no properties.</summary>
        public static string[] Select(string kind, string[] propertySets, string[] properties)
        {
            if (Contains(propertySets, "All") || Contains(properties, "*")) return null;
            Dictionary<string, string[]> sets;
            Kinds.TryGetValue(kind ?? "", out sets);
            var names = new List<string>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (sets != null)
            {
                Add(sets, "Minimum", names, seen);
                if (propertySets != null)
                {
                    foreach (string requested in propertySets)
                    {
                        if (!string.IsNullOrEmpty(requested) && !string.Equals(requested, "Minimum", StringComparison.OrdinalIgnoreCase)) Add(sets, requested, names, seen);
                    }
                }
            }
            else if (properties == null || properties.Length == 0)
            {
                return null;
            }
            if (properties != null)
            {
                foreach (string p in properties) { if (!string.IsNullOrEmpty(p) && seen.Add(p)) names.Add(p); }
            }
            return names.ToArray();
        }

        private static void Add(Dictionary<string, string[]> sets, string set, List<string> names, HashSet<string> seen)
        {
            string[] members;
            if (!sets.TryGetValue(set, out members)) return;
            foreach (string p in members) { if (seen.Add(p)) names.Add(p); }
        }

        private static bool Contains(string[] values, string wanted)
        {
            if (values == null) return false;
            foreach (string v in values) { if (string.Equals(v, wanted, StringComparison.OrdinalIgnoreCase)) return true; }
            return false;
        }
    }
}
