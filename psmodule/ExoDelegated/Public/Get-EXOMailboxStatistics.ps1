function Get-EXOMailboxStatistics {
    <#
    .SYNOPSIS
    Gets mailbox size, item count and last logon, like Get-EXOMailboxStatistics of ExchangeOnlineManagement v3.

    .DESCRIPTION
    Runs Get-MailboxStatistics for each mailbox given or piped in and returns one
    ExoDelegated.MailboxStatistics object per mailbox. By default only the Minimum property set
    is requested (DisplayName, ItemCount, TotalItemSize, DeletedItemCount, TotalDeletedItemSize,
    MailboxGuid); -PropertySets All returns everything (LastLogonTime, StorageLimitStatus, ...).

    .PARAMETER Identity
    The mailbox: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name.
    Accepts pipeline input, e.g. from Get-EXOMailbox.

    .PARAMETER Archive
    Statistics of the archive mailbox instead of the primary one.

    .PARAMETER IncludeSoftDeletedRecipients
    Include soft-deleted mailboxes.

    .PARAMETER Properties
    Properties to return in addition to the property sets; '*' returns every property.

    .PARAMETER PropertySets
    Minimum (default) or All.

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
    Get-EXOMailbox -ResultSize Unlimited | Get-EXOMailboxStatistics | Sort-Object ItemCount -Descending | Select-Object -First 10

    The ten mailboxes with the most items.

    .EXAMPLE
    Get-EXOMailboxStatistics -Identity john@contoso.com -Properties LastLogonTime

    When John last signed in to his mailbox.

    .OUTPUTS
    ExoDelegated.MailboxStatistics
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.MailboxStatistics')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId')]
        [string] $Identity,

        [switch] $Archive,

        [switch] $IncludeSoftDeletedRecipients,

        [string[]] $Properties,

        [ValidateSet('Minimum', 'All')]
        [string[]] $PropertySets,

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
        $select = [ExoDelegated.Interop.PropertySets]::Select('MailboxStatistics', $PropertySets, $Properties)
    }
    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('Identity', 'Archive', 'IncludeSoftDeletedRecipients'), $null)
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Get-MailboxStatistics' -Parameters $p -Select $select `
            -TypeName 'ExoDelegated.MailboxStatistics' -Target $Identity
    }

    end { Complete-ExoBatchQueue $queue }
}
