function Get-EXOMailboxFolderStatistics {
    <#
    .SYNOPSIS
    Gets the folders of a mailbox with their item counts and sizes, like Get-EXOMailboxFolderStatistics of ExchangeOnlineManagement v3.

    .DESCRIPTION
    Runs Get-MailboxFolderStatistics for each mailbox given or piped in and streams one
    ExoDelegated.MailboxFolderStatistics object per folder (Name, FolderPath, FolderType,
    ItemsInFolder, FolderSize, ...). Folder names are localized in the mailbox's language;
    FolderType is not (Calendar, Inbox, SentItems, ...).

    .PARAMETER Identity
    The mailbox: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name.
    Accepts pipeline input, e.g. from Get-EXOMailbox.

    .PARAMETER FolderScope
    Only folders of this type: All, Calendar, Contacts, DeletedItems, Drafts, Inbox,
    JunkEmail, SentItems, Tasks, RecoverableItems, ...

    .PARAMETER Archive
    Folders of the archive mailbox.

    .PARAMETER IncludeOldestAndNewestItems
    Also return the dates of the oldest and newest item of each folder.

    .PARAMETER IncludeSoftDeletedRecipients
    Include soft-deleted mailboxes.

    .PARAMETER ResultSize
    The most folders to return per mailbox (default 1000), or 'Unlimited'.

    .PARAMETER Properties
    Only these properties are returned. Default: all.

    .PARAMETER BatchSize
    Mailboxes piped in are sent up to this many per $batch request (1-10, default 10): one
    request answers ten mailboxes. 1 sends one request per mailbox, as without batching.
    Results come out in input order, one window (BatchSize x ThrottleLimit mailboxes) at a time;
    a mailbox that fails gives its own non-terminating error naming it.

    .PARAMETER ThrottleLimit
    How many $batch requests are in flight at once (default: the connection's request window,
    Connect-ExoDelegated -ThrottleLimit, 4 unless set; the window also caps this).

    .PARAMETER Connection
    The connection (tenant) to use. Default: the connection the piped object came from, else
    the current connection.
    A connection object, or the name of an open connection (tab completion lists them).

    .EXAMPLE
    Get-EXOMailboxFolderStatistics -Identity john@contoso.com -FolderScope Calendar

    The calendar folders of John's mailbox, whatever their localized names.

    .EXAMPLE
    Get-EXOMailboxFolderStatistics john@contoso.com | Sort-Object ItemsInFolder -Descending | Select-Object -First 5 Name, ItemsInFolder

    John's five fullest folders.

    .OUTPUTS
    ExoDelegated.MailboxFolderStatistics
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.MailboxFolderStatistics')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId')]
        [string] $Identity,

        [ValidateSet('All', 'Archive', 'Calendar', 'Clutter', 'Contacts', 'ConversationHistory', 'DeletedItems', 'Drafts', 'Inbox', 'Journal', 'JunkEmail', 'LegacyArchiveJournals', 'ManagedCustomFolder', 'NonIpmRoot', 'Notes', 'Outbox', 'Personal', 'RecoverableItems', 'RssSubscriptions', 'SentItems', 'SyncIssues', 'Tasks')]
        [string] $FolderScope,

        [switch] $Archive,

        [switch] $IncludeOldestAndNewestItems,

        [switch] $IncludeSoftDeletedRecipients,

        [ExoDelegated.Interop.ValidateResultSize()]
        [ArgumentCompleter({ 'Unlimited' })]
        [string] $ResultSize = '1000',

        [string[]] $Properties,

        [ValidateRange(1, 10)]
        [int] $BatchSize = 10,

        [ValidateRange(1, 64)]
        [int] $ThrottleLimit,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin {
        $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -Activity 'Mailboxes'
        $select = [ExoDelegated.Interop.PropertySets]::Select('MailboxFolderStatistics', $null, $Properties)
        $limit = [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit($ResultSize)
    }
    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('Identity', 'FolderScope', 'Archive', 'IncludeOldestAndNewestItems', 'IncludeSoftDeletedRecipients'), $null)
        $p.ResultSize = if ($limit -eq 0) { 'Unlimited' } else { $limit }
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Get-MailboxFolderStatistics' -Parameters $p -Select $select `
            -TypeName 'ExoDelegated.MailboxFolderStatistics' -ResultSize $limit -Target $Identity
    }

    end { Complete-ExoBatchQueue $queue }
}
