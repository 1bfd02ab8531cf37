# Property sets of the Get-EXO* cmdlets (ExchangeOnlineManagement v3, "Property sets in
# Exchange Online PowerShell module cmdlets"). They become the $select list of the request,
# which is what makes the v3 cmdlets fast: Exchange computes and sends only those properties.
$script:ExoPropertySets = @{
    Mailbox           = @{
        Minimum        = 'Alias', 'DisplayName', 'DistinguishedName', 'EmailAddresses', 'ExchangeVersion', 'ExternalDirectoryObjectId', 'Guid', 'Id', 'Name', 'OrganizationId', 'PrimarySmtpAddress', 'RecipientType', 'RecipientTypeDetails', 'UserPrincipalName'
        AddressList    = 'AddressBookPolicy', 'AddressListMembership', 'ExternalDirectoryObjectId', 'GeneratedOfflineAddressBooks', 'HiddenFromAddressListsEnabled', 'OfflineAddressBook'
        Archive        = 'ArchiveDatabase', 'ArchiveDomain', 'ArchiveGuid', 'ArchiveName', 'ArchiveQuota', 'ArchiveRelease', 'ArchiveState', 'ArchiveStatus', 'ArchiveWarningQuota', 'AutoExpandingArchiveEnabled', 'DisabledArchiveDatabase', 'DisabledArchiveGuid', 'ExternalDirectoryObjectId', 'JournalArchiveAddress'
        Audit          = 'AuditAdmin', 'AuditDelegate', 'AuditEnabled', 'AuditLogAgeLimit', 'AuditOwner', 'DefaultAuditSet', 'ExternalDirectoryObjectId'
        Custom         = @(foreach ($i in 1..15) { "CustomAttribute$i" }) + @(foreach ($i in 1..5) { "ExtensionCustomAttribute$i" }) + 'ExternalDirectoryObjectId'
        Delivery       = 'AcceptMessagesOnlyFrom', 'AcceptMessagesOnlyFromDLMembers', 'AcceptMessagesOnlyFromSendersOrMembers', 'DeliverToMailboxAndForward', 'DowngradeHighPriorityMessagesEnabled', 'ExternalDirectoryObjectId', 'ForwardingAddress', 'ForwardingSmtpAddress', 'GrantSendOnBehalfTo', 'MaxBlockedSenders', 'MaxReceiveSize', 'MaxSafeSenders', 'MaxSendSize', 'MessageCopyForSendOnBehalfEnabled', 'MessageCopyForSentAsEnabled', 'MessageRecallProcessingEnabled', 'MessageTrackingReadStatusEnabled', 'RecipientLimits', 'RejectMessagesFrom', 'RejectMessagesFromDLMembers', 'RejectMessagesFromSendersOrMembers', 'RulesQuota'
        Hold           = 'ComplianceTagHoldApplied', 'DelayHoldApplied', 'ExternalDirectoryObjectId', 'InPlaceHolds', 'InactiveMailboxRetireTime', 'LitigationHoldDate', 'LitigationHoldDuration', 'LitigationHoldEnabled', 'LitigationHoldOwner'
        Moderation     = 'BypassModerationFromSendersOrMembers', 'ExternalDirectoryObjectId', 'ModeratedBy', 'ModerationEnabled', 'SendModerationNotifications'
        Move           = 'ExternalDirectoryObjectId', 'MailboxMoveBatchName', 'MailboxMoveFlags', 'MailboxMoveRemoteHostName', 'MailboxMoveSourceMDB', 'MailboxMoveStatus', 'MailboxMoveTargetMDB'
        Policy         = 'AddressBookPolicy', 'DataEncryptionPolicy', 'EmailAddressPolicyEnabled', 'ExternalDirectoryObjectId', 'ManagedFolderMailboxPolicy', 'PoliciesExcluded', 'PoliciesIncluded', 'RemoteAccountPolicy', 'RetentionPolicy', 'RetentionUrl', 'RoleAssignmentPolicy', 'SharingPolicy', 'ThrottlingPolicy'
        PublicFolder   = 'DefaultPublicFolderMailbox', 'EffectivePublicFolderMailbox', 'ExternalDirectoryObjectId', 'IsExcludedFromServingHierarchy', 'IsHierarchyReady', 'IsHierarchySyncEnabled', 'IsRootPublicFolderMailbox'
        Quota          = 'ArchiveQuota', 'ArchiveWarningQuota', 'CalendarLoggingQuota', 'ExternalDirectoryObjectId', 'IssueWarningQuota', 'ProhibitSendQuota', 'ProhibitSendReceiveQuota', 'RecoverableItemsQuota', 'RecoverableItemsWarningQuota', 'RulesQuota', 'UseDatabaseQuotaDefaults'
        Resource       = 'ExternalDirectoryObjectId', 'IsResource', 'ResourceCapacity', 'ResourceCustom', 'ResourceType', 'RoomMailboxAccountEnabled'
        Retention      = 'EndDateForRetentionHold', 'ExternalDirectoryObjectId', 'OrphanSoftDeleteTrackingTime', 'RetainDeletedItemsFor', 'RetainDeletedItemsUntilBackup', 'RetentionComment', 'RetentionHoldEnabled', 'RetentionPolicy', 'RetentionUrl', 'SingleItemRecoveryEnabled', 'StartDateForRetentionHold', 'UseDatabaseRetentionDefaults'
        SCL            = 'AntispamBypassEnabled', 'ExternalDirectoryObjectId', 'SCLDeleteEnabled', 'SCLDeleteThreshold', 'SCLJunkEnabled', 'SCLJunkThreshold', 'SCLQuarantineEnabled', 'SCLQuarantineThreshold', 'SCLRejectEnabled', 'SCLRejectThreshold'
        SoftDelete     = 'ExternalDirectoryObjectId', 'IncludeInGarbageCollection', 'IsInactiveMailbox', 'IsSoftDeletedByDisable', 'IsSoftDeletedByRemove', 'WhenSoftDeleted'
        StatisticsSeed = 'ArchiveDatabaseGuid', 'DatabaseGuid', 'ExchangeGuid', 'ExternalDirectoryObjectId'
    }
    Recipient         = @{
        Minimum     = 'ExchangeVersion', 'ExternalDirectoryObjectId', 'Name', 'OrganizationId', 'RecipientType', 'RecipientTypeDetails'
        Archive     = 'ArchiveDatabase', 'ArchiveGuid', 'ArchiveRelease', 'ArchiveState', 'ArchiveStatus'
        Custom      = @(foreach ($i in 1..15) { "CustomAttribute$i" }) + @(foreach ($i in 1..5) { "ExtensionCustomAttribute$i" })
        MailboxMove = 'MailboxMoveBatchName', 'MailboxMoveFlags', 'MailboxMoveRemoteHostName', 'MailboxMoveSourceMDB', 'MailboxMoveStatus', 'MailboxMoveTargetMDB'
        Policy      = 'ActiveSyncMailboxPolicy', 'ActiveSyncMailboxPolicyIsDefaulted', 'AddressBookPolicy', 'EmailAddressPolicyEnabled', 'ManagedFolderMailboxPolicy', 'OwaMailboxPolicy', 'PoliciesExcluded', 'PoliciesIncluded', 'RetentionPolicy', 'SharingPolicy', 'ShouldUseDefaultRetentionPolicy', 'UMMailboxPolicy'
    }
    CasMailbox        = @{
        Minimum          = 'ActiveSyncEnabled', 'DisplayName', 'ECPEnabled', 'EmailAddresses', 'EwsEnabled', 'ExchangeVersion', 'ExternalDirectoryObjectId', 'Guid', 'Identity', 'ImapEnabled', 'MAPIEnabled', 'Name', 'OWAEnabled', 'OrganizationId', 'PopEnabled', 'PrimarySmtpAddress', 'ServerLegacyDN'
        ActiveSync       = 'ActiveSyncAllowedDeviceIDs', 'ActiveSyncBlockedDeviceIDs', 'ActiveSyncEnabled', 'ActiveSyncMailboxPolicy', 'ActiveSyncMailboxPolicyIsDefaulted', 'ActiveSyncSuppressReadReceipt', 'ExternalDirectoryObjectId', 'Guid', 'HasActiveSyncDevicePartnership', 'Identity', 'Name', 'OrganizationId'
        Ews              = 'EwsAllowMacOutlook', 'EwsAllowOutlook', 'EwsEnabled', 'ExternalDirectoryObjectId', 'Guid', 'Identity', 'Name', 'OrganizationId'
        Imap             = 'ExternalDirectoryObjectId', 'Guid', 'Identity', 'ImapEnableExactRFC822Size', 'ImapEnabled', 'ImapForceICalForCalendarRetrievalOption', 'ImapMessagesRetrievalMimeFormat', 'ImapSuppressReadReceipt', 'ImapUseProtocolDefaults', 'Name', 'OrganizationId'
        Mapi             = 'ExternalDirectoryObjectId', 'Guid', 'Identity', 'MAPIBlockOutlookExternalConnectivity', 'MAPIBlockOutlookNonCachedMode', 'MAPIBlockOutlookRpcHttp', 'MAPIBlockOutlookVersions', 'MAPIEnabled', 'MapiHttpEnabled', 'Name', 'OrganizationId'
        Pop              = 'ExternalDirectoryObjectId', 'Guid', 'Identity', 'Name', 'OrganizationId', 'PopEnableExactRFC822Size', 'PopEnabled', 'PopMessagesRetrievalMimeFormat', 'PopSuppressReadReceipt', 'PopUseProtocolDefaults'
        ProtocolSettings = 'ExternalDirectoryObjectId', 'ExternalImapSettings', 'ExternalPopSettings', 'ExternalSmtpSettings', 'Guid', 'Identity', 'InternalImapSettings', 'InternalPopSettings', 'InternalSmtpSettings', 'Name', 'OrganizationId'
    }
    MailboxStatistics = @{
        Minimum = 'DeletedItemCount', 'DisplayName', 'ItemCount', 'MailboxGuid', 'TotalDeletedItemSize', 'TotalItemSize'
    }
}

function Resolve-ExoSelect {
    # The $select list for a request: the union of the Minimum set, the named property sets
    # and -Properties. $null (all properties) for 'All' or '*'.
    param(
        [Parameter(Mandatory)][string] $Kind,
        [string[]] $PropertySets,
        [string[]] $Properties
    )
    if ($PropertySets -contains 'All' -or $Properties -contains '*') { return $null }
    $sets = $script:ExoPropertySets[$Kind]
    $names = [System.Collections.Generic.List[string]]::new()
    $seen = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    if ($null -ne $sets) {
        # Minimum is always included: it carries the identities that pipeline binding uses.
        $chosen = @('Minimum') + @(foreach ($requested in $PropertySets) { if ($requested -and $requested -ne 'Minimum') { $requested } })
        foreach ($set in $chosen) {
            foreach ($p in $sets[$set]) { if ($seen.Add($p)) { $names.Add($p) } }
        }
    }
    elseif (-not $Properties) {
        return $null
    }
    foreach ($p in $Properties) { if ($p -and $seen.Add($p)) { $names.Add($p) } }
    , $names.ToArray()
}
