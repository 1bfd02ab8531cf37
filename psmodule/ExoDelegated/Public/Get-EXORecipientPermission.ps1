function Get-EXORecipientPermission {
    <#
    .SYNOPSIS
    Gets Send As permissions on recipients, like Get-EXORecipientPermission of ExchangeOnlineManagement v3.

    .DESCRIPTION
    Runs Get-RecipientPermission, for the recipients given or piped in, or for the whole
    tenant when no identity is given, and streams the entries
    (ExoDelegated.RecipientPermission: Identity, Trustee, AccessControlType, AccessRights, IsInherited).

    .PARAMETER Identity
    The recipient: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name.
    Accepts pipeline input, e.g. from Get-EXOMailbox or Get-EXORecipient.

    .PARAMETER Trustee
    Only the entries of this user or group.

    .PARAMETER AccessRights
    Only entries with these rights (SendAs).

    .PARAMETER ResultSize
    The most entries to return (default 1000), or 'Unlimited'.

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
    Get-EXORecipientPermission -Identity info@contoso.com

    Lists who can send as the info mailbox.

    .EXAMPLE
    Get-EXORecipientPermission -Trustee john@contoso.com -ResultSize Unlimited

    Lists every recipient John can send as.

    .OUTPUTS
    ExoDelegated.RecipientPermission
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.RecipientPermission')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId')]
        [string] $Identity,

        [string] $Trustee,

        [ArgumentCompleter({ 'SendAs' })]
        [string[]] $AccessRights,

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
        $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -Activity 'Recipient permissions'
        $select = [ExoDelegated.Interop.PropertySets]::Select('RecipientPermission', $null, $Properties)
        $limit = [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit($ResultSize)
    }
    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('Identity', 'Trustee', 'AccessRights'), $null)
        $p.ResultSize = if ($limit -eq 0) { 'Unlimited' } else { $limit }
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Get-RecipientPermission' -Parameters $p -Select $select `
            -TypeName 'ExoDelegated.RecipientPermission' -ResultSize $limit -Target $(if ($Identity) { $Identity } else { $c.TenantId })
    }

    end { Complete-ExoBatchQueue $queue }
}
