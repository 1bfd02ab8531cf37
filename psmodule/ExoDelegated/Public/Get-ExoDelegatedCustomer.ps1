function Get-ExoDelegatedCustomer {
    <#
    .SYNOPSIS
    Lists the partner's customer tenants (GDAP) from Microsoft Graph.

    .DESCRIPTION
    Reads the partner's active granular delegated admin (GDAP) relationships from Microsoft
    Graph with the same partner refresh token and application as Connect-ExoDelegated (token
    scope https://graph.microsoft.com/.default, in the partner's own tenant), every page of
    them, and returns one object per customer tenant: a customer with several relationships
    appears once. Each customer's default domain comes from Graph's tenant information.

    Output properties: TenantId, DisplayName, DefaultDomainName, RelationshipEndsUtc (the
    latest end of its active relationships), HasExchangeAdminRole (an active relationship
    grants Exchange Administrator, 29232cdf-9323-42fd-ade2-1d097af3e4de), HasGlobalAdminRole
    (Global Administrator, 62e90394-69f5-4237-9190-012177145e10), ActiveRelationships, Status.

    Pipe the customers into Connect-ExoDelegated (it binds TenantId by property name) to get
    one connection per customer, and those into Get-EXOMailbox or -Connection of the other
    commands to run in all of them at once. This replaces the customer loop over the archived
    PartnerCenter module's Get-PartnerCustomer.

    The signed-in partner user needs a role that reads GDAP relationships (e.g. the Admin
    agent group) and the application the delegated Graph permission
    DelegatedAdminRelationship.Read.All; otherwise Graph answers 403, reported as
    ExoDelegated.Forbidden with what to do. Throttling (429) is retried with Retry-After.

    A relationship without a customer tenant id is skipped, and a customer Graph has no
    tenant information for keeps no DefaultDomainName, each with a warning; past ten of a
    kind, one more warning counts the rest. Text from Graph is cleaned for the terminal and
    never shows a token. A listing past 100,000 relationships (far above any real partner; a
    Graph host that never stops listing) ends with ExoDelegated.MalformedResponse.

    .PARAMETER ApplicationId
    The application (client) id the refresh token was issued to.

    .PARAMETER RefreshToken
    The partner admin's refresh token (a SecureString, or a plain string, which is converted).

    .PARAMETER ClientSecret
    The application's client secret, for a confidential application (a SecureString, or a
    plain string).

    .PARAMETER Environment
    The cloud: O365Default, O365USGovGCCHigh, O365USGovDoD or O365China. It picks the Graph
    host and the token's resource.

    .PARAMETER AuthorityHost
    Overrides the Entra ID authority (e.g. the emulator's url).

    .PARAMETER GraphHost
    Overrides the Microsoft Graph host, like -ExchangeHost of Connect-ExoDelegated
    (http:// only for loopback addresses). The token goes to this host only.

    .PARAMETER PartnerTenantId
    The partner's tenant (GUID or domain) to sign in to. Default: organizations (the home
    tenant of the user the refresh token belongs to).

    .PARAMETER IncludeInactive
    Also customers whose relationships have all expired or are pending approval (Status
    says which); their role flags come from those relationships.

    .PARAMETER TimeoutSec
    Seconds to wait for one response. Default: 100.

    .PARAMETER MaximumRetryCount
    How often a throttled or transiently failing request is retried. Default: 5.

    .EXAMPLE
    Get-ExoDelegatedCustomer -ApplicationId $appId -RefreshToken $refresh -ClientSecret $secret | Format-Table

    Lists the customers with an active GDAP relationship, one row per tenant.

    .EXAMPLE
    $customers = Get-ExoDelegatedCustomer -ApplicationId $appId -RefreshToken $refresh -ClientSecret $secret
    $customers | Where-Object { -not $_.HasExchangeAdminRole } | Select-Object DisplayName, DefaultDomainName

    Finds the customers whose relationships grant no Exchange Administrator role (commands
    there fail until the role is added to the relationship).

    .EXAMPLE
    $all = Get-ExoDelegatedCustomer -ApplicationId $appId -RefreshToken $refresh -ClientSecret $secret |
        Connect-ExoDelegated -ApplicationId $appId -RefreshToken $refresh -ClientSecret $secret -ErrorAction SilentlyContinue -ErrorVariable failed
    Get-EXOMailbox -Connection $all -ResultSize Unlimited | Group-Object ExoTenant | Select-Object Name, Count
    $failed | ForEach-Object { $_.TargetObject }

    Connects to every customer (a tenant that cannot be connected is an error naming it, the
    others connect), counts the mailboxes of all of them at once, and lists the tenants that
    failed.

    .OUTPUTS
    ExoDelegated.Customer
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.Customer')]
    param(
        [Parameter(Mandatory)]
        [Alias('AppId', 'ClientId')]
        [ValidateNotNullOrEmpty()]
        [string] $ApplicationId,

        [Parameter(Mandatory)]
        [ExoDelegated.Interop.SecureStringTransformation()]
        [securestring] $RefreshToken,

        [ExoDelegated.Interop.SecureStringTransformation()]
        [securestring] $ClientSecret,

        [ValidateSet('O365Default', 'O365USGovGCCHigh', 'O365USGovDoD', 'O365China')]
        [string] $Environment = 'O365Default',

        [ExoDelegated.Interop.ValidateHttpUrl('AuthorityHost')]
        [string] $AuthorityHost,

        [ExoDelegated.Interop.ValidateHttpUrl('GraphHost')]
        [string] $GraphHost,

        [ValidateNotNullOrEmpty()]
        [string] $PartnerTenantId,

        [switch] $IncludeInactive,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSec = 100,

        [ValidateRange(0, 20)]
        [int] $MaximumRetryCount = 5
    )

    if (-not $AuthorityHost -and -not $GraphHost -and $env:EXODELEGATED_EMULATOR_URL) {
        $AuthorityHost = $GraphHost = Resolve-ExoEmulatorUrl -Cmdlet $PSCmdlet -Url $env:EXODELEGATED_EMULATOR_URL
    }
    $options = [ordered]@{ applicationId = $ApplicationId; environment = $Environment }
    if ($AuthorityHost) { $options.authorityHost = $AuthorityHost.TrimEnd('/') }
    if ($GraphHost) { $options.graphHost = $GraphHost.TrimEnd('/') }
    if ($PartnerTenantId) { $options.tenantId = $PartnerTenantId }
    if ($IncludeInactive) { $options.includeInactive = $true }
    $options.readTimeoutMs = $TimeoutSec * 1000
    if ($PSBoundParameters.ContainsKey('MaximumRetryCount')) { $options.maxRetries = $MaximumRetryCount }
    $options.clientApplication = 'ExoDelegated'
    $optionsJson = ConvertTo-ExoJson $options
    $PSCmdlet.WriteDebug("exo_customers_new options: $optionsJson")

    $call = [ExoDelegated.Interop.CustomerListing]::TryList($optionsJson, $RefreshToken, $ClientSecret, $PSCmdlet)
    if ($call.Failed) { Write-ExoFailure -Cmdlet $PSCmdlet -Exception $call.Error -Target 'Microsoft Graph' -Terminating }
    $listing = $call.Value | ConvertFrom-Json
    foreach ($retry in $listing.retries) {
        [ExoDelegated.Interop.Streams]::Verbose($PSCmdlet, ("Microsoft Graph: retry {0} after {1}, waited {2} ms (request id {3})" -f $retry.attempt, $retry.reason, $retry.waitMs, $retry.requestId))
    }
    foreach ($warning in $listing.warnings) { [ExoDelegated.Interop.Streams]::Warning($PSCmdlet, $warning) }
    [ExoDelegated.Interop.Streams]::Verbose($PSCmdlet, ("{0} customer(s) from {1} relationship(s) on {2} page(s)." -f @($listing.customers).Count, $listing.relationships, $listing.pages))
    foreach ($c in $listing.customers) {
        $ends = $null
        if ($c.relationshipEndsUtc) {
            $ends = if ($c.relationshipEndsUtc -is [datetime]) { $c.relationshipEndsUtc.ToUniversalTime() }
                    else { [datetime]::Parse($c.relationshipEndsUtc, [cultureinfo]::InvariantCulture, 'AdjustToUniversal, AssumeUniversal') }
        }
        [pscustomobject]@{
            PSTypeName           = 'ExoDelegated.Customer'
            TenantId             = $c.tenantId
            DisplayName          = $c.displayName
            DefaultDomainName    = $c.defaultDomainName
            RelationshipEndsUtc  = $ends
            HasExchangeAdminRole = [bool]$c.hasExchangeAdminRole
            HasGlobalAdminRole   = [bool]$c.hasGlobalAdminRole
            ActiveRelationships  = [int]$c.activeRelationships
            Status               = $c.status
        }
    }
}
