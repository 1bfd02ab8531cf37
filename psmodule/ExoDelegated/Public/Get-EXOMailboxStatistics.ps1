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

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin {
        $select = Resolve-ExoSelect -Kind MailboxStatistics -PropertySets $PropertySets -Properties $Properties
    }
    process {
        $c = Resolve-ExoConnection -Cmdlet $PSCmdlet -Connection $Connection -InputObject $_
        $p = Copy-ExoParameter $PSBoundParameters 'Identity', 'Archive', 'IncludeSoftDeletedRecipients'
        Invoke-ExoPaged -Cmdlet $PSCmdlet -Connection $c -CmdletName 'Get-MailboxStatistics' -Parameters $p -Select $select `
            -TypeName 'ExoDelegated.MailboxStatistics' -Target $Identity
    }
}
