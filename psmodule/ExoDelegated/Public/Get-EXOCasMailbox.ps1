function Get-EXOCasMailbox {
    <#
    .SYNOPSIS
    Gets the client access settings of mailboxes (OWA, ActiveSync, POP, IMAP, MAPI, EWS), like Get-EXOCasMailbox of ExchangeOnlineManagement v3.

    .DESCRIPTION
    Runs Get-CASMailbox in the tenant of the connection and streams the results page by page
    (ExoDelegated.CasMailbox). By default only the Minimum property set is requested; add
    sets with -PropertySets or single properties with -Properties.

    .PARAMETER Identity
    The mailbox: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name.
    Accepts pipeline input, e.g. from Get-EXOMailbox.

    .PARAMETER Anr
    Ambiguous name resolution: mailboxes whose name, alias, email address, ... start with this text.

    .PARAMETER Filter
    An OPATH filter evaluated by Exchange, e.g. "PopEnabled -eq `$true".

    .PARAMETER OrganizationalUnit
    Only mailboxes in this organizational unit.

    .PARAMETER ProtocolSettings
    Also return the server names, TCP ports and encryption methods of the protocols.

    .PARAMETER ResultSize
    The most mailboxes to return (default 1000), or 'Unlimited'.

    .PARAMETER Properties
    Properties to return in addition to the property sets; '*' returns every property.

    .PARAMETER PropertySets
    Property sets to return in addition to Minimum: ActiveSync, Ews, Imap, Mapi, Pop, ProtocolSettings, or All.

    .PARAMETER Connection
    The connection (tenant) to use. Default: the connection the piped object came from, else
    the current connection.
    A connection object, or the name of an open connection (tab completion lists them).
    Several connections (-Connection $all, or connections piped in from Connect-ExoDelegated)
    run in all their tenants at once in the native core: records stream as they arrive, each
    tagged with its tenant (ExoTenant); a tenant that fails is one error naming it, and the
    others go on.

    .PARAMETER ThrottleLimit
    With several connections: how many tenants are worked on at once (default 16). Each
    tenant also stays within its own request window.

    .EXAMPLE
    Get-EXOCasMailbox -Filter "PopEnabled -eq `$true -or ImapEnabled -eq `$true" -ResultSize Unlimited

    Mailboxes that still allow POP or IMAP.

    .EXAMPLE
    Get-EXOMailbox -ResultSize 10 | Get-EXOCasMailbox -PropertySets ActiveSync

    ActiveSync settings of ten mailboxes.

    .OUTPUTS
    ExoDelegated.CasMailbox
    #>
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    [OutputType('ExoDelegated.CasMailbox')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId')]
        [string] $Identity,

        [Parameter(Mandatory, ParameterSetName = 'Anr')]
        [string] $Anr,

        [string] $Filter,

        [string] $OrganizationalUnit,

        [switch] $ProtocolSettings,

        [ExoDelegated.Interop.ValidateResultSize()]
        [ArgumentCompleter({ 'Unlimited' })]
        [string] $ResultSize = '1000',

        [string[]] $Properties,

        [ValidateSet('Minimum', 'ActiveSync', 'Ews', 'Imap', 'Mapi', 'Pop', 'ProtocolSettings', 'All')]
        [string[]] $PropertySets,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection[]] $Connection,

        [ValidateRange(1, 256)]
        [int] $ThrottleLimit = 16
    )

    begin {
        $select = [ExoDelegated.Interop.PropertySets]::Select('CasMailbox', $PropertySets, $Properties)
        $limit = [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit($ResultSize)
        $piped = [System.Collections.Generic.List[ExoDelegated.Connection]]::new()
        $explicit = [System.Collections.Generic.Dictionary[string, object]]::new($PSBoundParameters)
    }
    process {
        if ([ExoDelegated.Interop.ConnectionResolver]::AddPiped($_, $piped)) { return }
        $c = [ExoDelegated.Interop.ConnectionResolver]::ResolveSet($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('Identity', 'Anr', 'Filter', 'OrganizationalUnit', 'ProtocolSettings'), $null)
        $p.ResultSize = if ($limit -eq 0) { 'Unlimited' } else { $limit }
        [ExoDelegated.Interop.TenantCommand]::Run($PSCmdlet, $c, 'Get-CASMailbox', $p, $select, 'ExoDelegated.CasMailbox', $limit,
            $(if ($Identity) { $Identity } else { $c[0].TenantId }), $null, $ThrottleLimit, $false)
    }
    end { if ($piped.Count) { Invoke-ExoForPipedConnection -Cmdlet $PSCmdlet -BoundParameters $explicit -Connections $piped } }
}
