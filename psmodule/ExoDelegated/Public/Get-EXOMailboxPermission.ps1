function Get-EXOMailboxPermission {
    <#
    .SYNOPSIS
    Gets the permissions on mailboxes (Full Access, ...), like Get-EXOMailboxPermission of ExchangeOnlineManagement v3.

    .DESCRIPTION
    Runs Get-MailboxPermission for each mailbox given or piped in and streams the permission
    entries (ExoDelegated.MailboxPermission: Identity, User, AccessRights, IsInherited, Deny).
    A mailbox that cannot be found gives a non-terminating ExoDelegated.NotFound error and
    the next mailbox is processed.

    .PARAMETER Identity
    The mailbox: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name.
    Accepts pipeline input, e.g. from Get-EXOMailbox.

    .PARAMETER User
    Only the entries of this user or group.

    .PARAMETER SoftDeletedMailbox
    The mailbox is soft-deleted.

    .PARAMETER ResultSize
    The most entries to return per mailbox (default 1000), or 'Unlimited'.

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
    Get-EXOMailboxPermission -Identity info@contoso.com

    Lists who has access to the info mailbox.

    .EXAMPLE
    Get-EXOMailbox -RecipientTypeDetails SharedMailbox -ResultSize Unlimited | Get-EXOMailboxPermission | Where-Object { -not $_.IsInherited }

    Lists the explicit permissions on every shared mailbox.

    .EXAMPLE
    Get-EXOMailbox -ResultSize Unlimited | Get-EXOMailboxPermission |
        Select-Object ExoTenant, Identity, User, @{ n = 'AccessRights'; e = { $_.AccessRights -join ',' } } |
        Export-Csv -NoTypeInformation -Path mailbox-permissions.csv

    Every object carries its tenant (ExoTenant); AccessRights is an array (FullAccess,
    ReadPermission, ...), joined into one CSV cell with -join.

    .OUTPUTS
    ExoDelegated.MailboxPermission
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.MailboxPermission')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId')]
        [string] $Identity,

        [string] $User,

        [switch] $SoftDeletedMailbox,

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
        $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -Activity 'Mailbox permissions'
        $select = [ExoDelegated.Interop.PropertySets]::Select('MailboxPermission', $null, $Properties)
        $limit = [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit($ResultSize)
    }
    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('Identity', 'User', 'SoftDeletedMailbox'), $null)
        $p.ResultSize = if ($limit -eq 0) { 'Unlimited' } else { $limit }
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Get-MailboxPermission' -Parameters $p -Select $select `
            -TypeName 'ExoDelegated.MailboxPermission' -ResultSize $limit -Target $Identity
    }

    end { Complete-ExoBatchQueue $queue }
}
