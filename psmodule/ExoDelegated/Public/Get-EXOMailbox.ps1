function Get-EXOMailbox {
    <#
    .SYNOPSIS
    Gets mailboxes of the connected tenant, like Get-EXOMailbox of ExchangeOnlineManagement v3.

    .DESCRIPTION
    Runs Get-Mailbox in the tenant of the connection and streams the mailboxes page by page:
    the first ones reach the pipeline before the rest is fetched, and Select-Object -First
    stops fetching. By default only the Minimum property set is requested (Alias,
    DisplayName, EmailAddresses, ExternalDirectoryObjectId, Name, PrimarySmtpAddress,
    RecipientTypeDetails, UserPrincipalName, ...), which is much faster than all properties;
    add sets with -PropertySets or single properties with -Properties.

    Output objects (ExoDelegated.Mailbox) pipe into Get-EXOMailboxPermission,
    Get-EXOMailboxStatistics, Get-EXOCalendarPermission and the other commands, which then
    use the connection these mailboxes came from.

    .PARAMETER Identity
    The mailbox: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name.
    Accepts pipeline input, also by the property names UserPrincipalName, PrimarySmtpAddress
    and ExternalDirectoryObjectId (which are aliases of this parameter).

    .PARAMETER Anr
    Ambiguous name resolution: mailboxes whose name, alias, email address, ... start with this text.

    .PARAMETER Filter
    An OPATH filter evaluated by Exchange, e.g. "Department -eq 'Sales'".

    .PARAMETER OrganizationalUnit
    Only mailboxes in this organizational unit.

    .PARAMETER RecipientTypeDetails
    Only mailboxes of these types: UserMailbox, SharedMailbox, RoomMailbox, EquipmentMailbox, ...

    .PARAMETER MailboxPlan
    Only mailboxes with this mailbox plan.

    .PARAMETER Archive
    Only mailboxes that have an archive.

    .PARAMETER InactiveMailboxOnly
    Only inactive mailboxes.

    .PARAMETER IncludeInactiveMailbox
    Include inactive mailboxes.

    .PARAMETER SoftDeletedMailbox
    Only soft-deleted mailboxes.

    .PARAMETER ResultSize
    The most mailboxes to return (default 1000), or 'Unlimited'. A warning says when the
    default cut the output short.

    .PARAMETER Properties
    Properties to return in addition to the property sets; '*' returns every property.

    .PARAMETER PropertySets
    Property sets to return in addition to Minimum (as in ExchangeOnlineManagement v3):
    AddressList, Archive, Audit, Custom, Delivery, Hold, Moderation, Move, Policy,
    PublicFolder, Quota, Resource, Retention, SCL, SoftDelete, StatisticsSeed, or All.

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
    Get-EXOMailbox -ResultSize Unlimited -RecipientTypeDetails SharedMailbox

    Lists every shared mailbox.

    .EXAMPLE
    Get-EXOMailbox -Identity john@contoso.com -PropertySets Quota,Audit

    Gets one mailbox with the quota and audit properties.

    .EXAMPLE
    Get-EXOMailbox -Connection $fabrikam | Get-EXOMailboxPermission

    Lists the mailbox permissions of every mailbox of the tenant behind $fabrikam.

    .EXAMPLE
    $all = Get-ExoDelegatedConnection
    Get-EXOMailbox -Connection $all -ResultSize Unlimited -ThrottleLimit 16 | Group-Object ExoTenant | Select-Object Name, Count

    Counts the mailboxes of every open connection's tenant, all tenants at once.

    .OUTPUTS
    ExoDelegated.Mailbox
    #>
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    [OutputType('ExoDelegated.Mailbox')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId')]
        [string] $Identity,

        [Parameter(Mandatory, ParameterSetName = 'Anr')]
        [string] $Anr,

        [string] $Filter,

        [string] $OrganizationalUnit,

        [ArgumentCompleter({ 'UserMailbox', 'SharedMailbox', 'RoomMailbox', 'EquipmentMailbox', 'SchedulingMailbox', 'DiscoveryMailbox', 'GroupMailbox', 'TeamMailbox', 'LinkedMailbox', 'LegacyMailbox' })]
        [string[]] $RecipientTypeDetails,

        [string] $MailboxPlan,

        [switch] $Archive,

        [switch] $InactiveMailboxOnly,

        [switch] $IncludeInactiveMailbox,

        [switch] $SoftDeletedMailbox,

        [ExoDelegated.Interop.ValidateResultSize()]
        [ArgumentCompleter({ 'Unlimited' })]
        [string] $ResultSize = '1000',

        [string[]] $Properties,

        [ValidateSet('Minimum', 'AddressList', 'Archive', 'Audit', 'Custom', 'Delivery', 'Hold', 'Moderation', 'Move', 'Policy', 'PublicFolder', 'Quota', 'Resource', 'Retention', 'SCL', 'SoftDelete', 'StatisticsSeed', 'All')]
        [string[]] $PropertySets,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection[]] $Connection,

        [ValidateRange(1, 256)]
        [int] $ThrottleLimit = 16
    )

    begin {
        $select = [ExoDelegated.Interop.PropertySets]::Select('Mailbox', $PropertySets, $Properties)
        $limit = [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit($ResultSize)
        $piped = [System.Collections.Generic.List[ExoDelegated.Connection]]::new()
        $explicit = [System.Collections.Generic.Dictionary[string, object]]::new($PSBoundParameters)
    }
    process {
        if ([ExoDelegated.Interop.ConnectionResolver]::AddPiped($_, $piped)) { return }
        $c = [ExoDelegated.Interop.ConnectionResolver]::ResolveSet($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('Identity', 'Anr', 'Filter', 'OrganizationalUnit', 'RecipientTypeDetails', 'MailboxPlan',
            'Archive', 'InactiveMailboxOnly', 'IncludeInactiveMailbox', 'SoftDeletedMailbox'), $null)
        $p.ResultSize = if ($limit -eq 0) { 'Unlimited' } else { $limit }
        [ExoDelegated.Interop.TenantCommand]::Run($PSCmdlet, $c, 'Get-Mailbox', $p, $select, 'ExoDelegated.Mailbox', $limit,
            $(if ($Identity) { $Identity } else { $c[0].TenantId }), $null, $ThrottleLimit, $false)
    }
    end { if ($piped.Count) { Invoke-ExoForPipedConnection -Cmdlet $PSCmdlet -BoundParameters $explicit -Connections $piped } }
}
