function Get-EXORecipient {
    <#
    .SYNOPSIS
    Gets recipients (mailboxes, mail users, contacts, groups) of the connected tenant, like Get-EXORecipient of ExchangeOnlineManagement v3.

    .DESCRIPTION
    Runs Get-Recipient in the tenant of the connection and streams the results page by page.
    By default only the Minimum property set is requested (ExternalDirectoryObjectId, Name,
    RecipientType, RecipientTypeDetails, ...); add sets with -PropertySets or single
    properties with -Properties.

    .PARAMETER Identity
    The recipient: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name.
    Accepts pipeline input, also by the property names UserPrincipalName, PrimarySmtpAddress
    and ExternalDirectoryObjectId.

    .PARAMETER Anr
    Ambiguous name resolution: recipients whose name, alias, email address, ... start with this text.

    .PARAMETER Filter
    An OPATH filter evaluated by Exchange, e.g. "RecipientType -eq 'MailContact'".

    .PARAMETER OrganizationalUnit
    Only recipients in this organizational unit.

    .PARAMETER RecipientType
    Only recipients of these types: UserMailbox, MailUser, MailContact, MailUniversalDistributionGroup, ...

    .PARAMETER RecipientTypeDetails
    Only recipients of these detailed types: UserMailbox, SharedMailbox, RoomMailbox, GroupMailbox, ...

    .PARAMETER RecipientPreviewFilter
    Tests the recipient filter of a dynamic distribution group or address list.

    .PARAMETER IncludeSoftDeletedRecipients
    Include soft-deleted recipients.

    .PARAMETER ResultSize
    The most recipients to return (default 1000), or 'Unlimited'.

    .PARAMETER Properties
    Properties to return in addition to the property sets; '*' returns every property.

    .PARAMETER PropertySets
    Property sets to return in addition to Minimum: Archive, Custom, MailboxMove, Policy, or All.

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
    Get-EXORecipient -RecipientTypeDetails MailContact -ResultSize Unlimited

    Lists every mail contact.

    .EXAMPLE
    Get-EXORecipient -Anr sales -Properties PrimarySmtpAddress

    Finds recipients matching 'sales', with their primary address.

    .OUTPUTS
    ExoDelegated.Recipient
    #>
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    [OutputType('ExoDelegated.Recipient')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId')]
        [string] $Identity,

        [Parameter(Mandatory, ParameterSetName = 'Anr')]
        [string] $Anr,

        [string] $Filter,

        [string] $OrganizationalUnit,

        [ArgumentCompleter({ 'UserMailbox', 'MailUser', 'MailContact', 'MailUniversalDistributionGroup', 'MailUniversalSecurityGroup', 'DynamicDistributionGroup', 'MailNonUniversalGroup', 'PublicFolder' })]
        [string[]] $RecipientType,

        [ArgumentCompleter({ 'UserMailbox', 'SharedMailbox', 'RoomMailbox', 'EquipmentMailbox', 'GroupMailbox', 'MailUser', 'MailContact', 'GuestMailUser', 'MailUniversalDistributionGroup', 'DynamicDistributionGroup' })]
        [string[]] $RecipientTypeDetails,

        [string] $RecipientPreviewFilter,

        [switch] $IncludeSoftDeletedRecipients,

        [ExoDelegated.Interop.ValidateResultSize()]
        [ArgumentCompleter({ 'Unlimited' })]
        [string] $ResultSize = '1000',

        [string[]] $Properties,

        [ValidateSet('Minimum', 'Archive', 'Custom', 'MailboxMove', 'Policy', 'All')]
        [string[]] $PropertySets,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection[]] $Connection,

        [ValidateRange(1, 256)]
        [int] $ThrottleLimit = 16
    )

    begin {
        $select = [ExoDelegated.Interop.PropertySets]::Select('Recipient', $PropertySets, $Properties)
        $limit = [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit($ResultSize)
        $piped = [System.Collections.Generic.List[ExoDelegated.Connection]]::new()
        $explicit = [System.Collections.Generic.Dictionary[string, object]]::new($PSBoundParameters)
    }
    process {
        if ([ExoDelegated.Interop.ConnectionResolver]::AddPiped($_, $piped)) { return }
        $c = [ExoDelegated.Interop.ConnectionResolver]::ResolveSet($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('Identity', 'Anr', 'Filter', 'OrganizationalUnit', 'RecipientType', 'RecipientTypeDetails',
            'RecipientPreviewFilter', 'IncludeSoftDeletedRecipients'), $null)
        $p.ResultSize = if ($limit -eq 0) { 'Unlimited' } else { $limit }
        [ExoDelegated.Interop.TenantCommand]::Run($PSCmdlet, $c, 'Get-Recipient', $p, $select, 'ExoDelegated.Recipient', $limit,
            $(if ($Identity) { $Identity } else { $c[0].TenantId }), $null, $ThrottleLimit, $false)
    }
    end { if ($piped.Count) { Invoke-ExoForPipedConnection -Cmdlet $PSCmdlet -BoundParameters $explicit -Connections $piped } }
}
