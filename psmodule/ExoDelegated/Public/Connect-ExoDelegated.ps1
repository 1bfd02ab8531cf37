function Connect-ExoDelegated {
    <#
    .SYNOPSIS
    Connects to Exchange Online in a customer tenant through delegated partner access or an app secret.

    .DESCRIPTION
    Opens a connection to the Exchange Online admin API of one tenant and makes it the
    current connection, used by every ExoDelegated command that is not given -Connection.
    Many connections can be open at once (one per customer tenant); each has a name
    (-Name, by default the tenant id).

    Four ways to sign in (parameter sets):
    - RefreshToken (default): the Secure Application Model. A partner admin's refresh token,
      issued to your multi-tenant application (-ApplicationId), is redeemed for an Exchange
      token in the customer tenant (GDAP/AOBO). Confidential applications also pass
      -ClientSecret (parameter set RefreshTokenConfidential). No certificate, no remote
      PowerShell session.
    - AppSecret: app-only access with the application's client secret (client credentials).
    - AccessToken: an Exchange access token you obtained elsewhere. It cannot be refreshed:
      commands fail once it expires (about one hour).
    - DeviceCode: signs in interactively on another device; shows the code to enter at
      https://microsoft.com/devicelogin and waits. Ctrl+C cancels. Use it once to create the
      refresh token the other runs use (Export-ExoDelegatedRefreshToken).

    The connection shows the tenant's domain (TenantDomain) even when connected by GUID: it
    is then read from Exchange (the default accepted domain, Get-AcceptedDomain; one request),
    since the token names only the tenant's GUID. That request runs while your script goes on
    (reading TenantDomain waits for it), so connecting by GUID costs no extra round trip. The Endpoint column shows the Exchange
    endpoint when it is not the cloud's default (e.g. exo-emulator).

    The first token is requested before the command returns, so a wrong secret, a missing
    consent or an MFA requirement fails here, with an ErrorRecord whose ErrorId names the
    reason (ExoDelegated.MfaRequired, ExoDelegated.ConsentMissing, ...), the AADSTS code and
    the correlation id. Secrets are SecureStrings; they are handed to the native library in
    unmanaged buffers that are zeroed and freed at once, and never appear in any output,
    error or log. Tokens are refreshed automatically before they expire. When the identity
    platform rotates the refresh token, the connection's RefreshTokenRotated is True: store
    the new one with Export-ExoDelegatedRefreshToken.

    .PARAMETER TenantId
    The customer tenant: its GUID or its initial domain (contoso.onmicrosoft.com).
    Also from the pipeline by property name: Get-ExoDelegatedCustomer | Connect-ExoDelegated ...
    connects to every customer (16 at once) and returns one connection each, in the order the
    customers came. A tenant that cannot be connected (consent missing, MFA, conditional
    access, ...) is then a non-terminating error whose message starts with the tenant, and
    the others are still connected. (When the partner's own refresh token or secret is
    refused, every tenant fails alike: the errors' Exception.Scope is then 'Credential'.)

    .PARAMETER DefaultDomainName
    The tenant's domain when it is already known (bound by property name from
    Get-ExoDelegatedCustomer): a connection made by GUID then skips looking it up.

    .PARAMETER ApplicationId
    The application (client) id of your multi-tenant application. For RefreshToken, the
    application the refresh token was issued to.

    .PARAMETER RefreshToken
    The partner admin's refresh token, preferably as a SecureString (for example from Key
    Vault: (Get-AzKeyVaultSecret -VaultName v -Name ExoRefreshToken).SecretValue). A plain
    string is accepted too (what PartnerCenter's New-PartnerAccessToken took, and what
    Get-AzKeyVaultSecret -AsPlainText returns): it is turned into a read-only SecureString at
    the parameter boundary. Why SecureString is preferred: a plain string stays in your
    session's managed memory (and in $Error, transcripts or variables you dump) until the
    garbage collector reuses it, and cannot be zeroed; a SecureString is kept encrypted (on
    Windows) and is copied to the native library in a buffer that is zeroed right after use.

    .PARAMETER ClientSecret
    The application's client secret, preferably as a SecureString; a plain string is accepted
    and converted at the parameter boundary (see -RefreshToken for why SecureString is
    preferred). Required for AppSecret; for RefreshToken only when the application is
    confidential (a web application).

    .PARAMETER AccessToken
    An Exchange Online access token (audience: the Exchange host), as a SecureString or a
    plain string (converted at the parameter boundary).

    .PARAMETER DeviceCode
    Sign in interactively with the device code flow.

    .PARAMETER Environment
    The Microsoft cloud: O365Default (commercial and GCC), O365USGovGCCHigh, O365USGovDoD or
    O365China. Sets the sign-in and Exchange hosts. Default: O365Default.

    .PARAMETER AuthorityHost
    Base URL of the identity platform, overriding -Environment (e.g. the url of exo-emulator).
    When neither -AuthorityHost nor -ExchangeHost is given and $env:EXODELEGATED_EMULATOR_URL
    holds a loopback URL, both are that URL (with a warning): a runbook runs against
    exo-emulator without being edited.

    .PARAMETER ExchangeHost
    Base URL of Exchange Online, overriding -Environment (e.g. the url of exo-emulator).
    The token scope follows it ({ExchangeHost}/.default).

    .PARAMETER AnchorMailbox
    The X-AnchorMailbox routing value for every request. Default: the tenant's system mailbox
    (APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@<tenant GUID>). The tenant GUID
    comes from the access token (its tid claim) and is also used in the request URL, as for
    the real service's own clients; a token that is not a JWT leaves -TenantId as given.

    .PARAMETER PageSize
    Records per page requested from Exchange (1-1000). Default: 1000.

    .PARAMETER Name
    The name of the connection: every command's -Connection takes it (with tab completion),
    as does Get-ExoDelegatedConnection -Name. Default: the tenant id as given (always so for
    tenants that come from the pipeline).
    Connecting again under the name of an open connection closes the older connection once
    the new one has signed in, and says so with a warning (as Connect-ExchangeOnline
    replaces its session); if the new sign-in fails, the older connection stays open.

    .PARAMETER ConnectTimeoutSec
    Seconds to wait for a TCP/TLS connection to a service. Default: 10.

    .PARAMETER TimeoutSec
    Seconds to wait for a response. Default: 930: Exchange lets a cmdlet run up to 15 minutes,
    so a long write is waited for instead of being reported as "may or may not have been
    applied" while it still runs. Connecting has its own short timeout (-ConnectTimeoutSec),
    token requests are capped at 60 seconds, and Ctrl+C stops a command at any moment.

    .PARAMETER MaximumRetryCount
    How often a throttled or transiently failing request is retried (honouring Retry-After)
    before the command fails. Default: 5. Writes are never retried blindly.

    .PARAMETER MaximumRetryWaitSec
    The longest single wait between retries, in seconds. Default: 60.

    .PARAMETER ThrottleLimit
    The connection's request window: at most this many requests of the connection in flight at
    once (every command, pipeline and runspace that uses it shares the window; it shrinks when
    Exchange refuses concurrency and grows back). Batched commands (-BatchSize) keep this many
    $batch requests in flight. Default: 4.

    .EXAMPLE
    $refresh = (Get-AzKeyVaultSecret -VaultName 'msp-vault' -Name 'ExoRefreshToken').SecretValue
    $secret = (Get-AzKeyVaultSecret -VaultName 'msp-vault' -Name 'ExoAppSecret').SecretValue
    Connect-ExoDelegated -TenantId 'contoso.onmicrosoft.com' -ApplicationId $appId -RefreshToken $refresh -ClientSecret $secret
    Get-EXOMailbox -ResultSize 10

    Connects to a customer tenant with the partner's refresh token (Secure Application Model)
    and lists ten mailboxes.

    .EXAMPLE
    Connect-ExoDelegated -TenantId 'fabrikam.onmicrosoft.com' -ApplicationId $appId -ClientSecret $secret -Name fabrikam

    Connects app-only with a client secret, under the name 'fabrikam'.

    .EXAMPLE
    $c = Connect-ExoDelegated -TenantId $partnerTenantId -ApplicationId $appId -DeviceCode
    Export-ExoDelegatedRefreshToken -Connection $c | Set-Variable refresh

    Signs in once interactively (MFA) and keeps the refresh token for unattended runs.
    (Someone must sign in on another device, so this example is not run offline.)

    .EXAMPLE
    $all = Get-ExoDelegatedCustomer -ApplicationId $appId -RefreshToken $refresh -ClientSecret $secret |
        Where-Object HasExchangeAdminRole |
        Connect-ExoDelegated -ApplicationId $appId -RefreshToken $refresh -ClientSecret $secret -ErrorAction SilentlyContinue -ErrorVariable failed
    $all | Format-Table Name, TenantDomain, State
    $failed | ForEach-Object { "$($_.TargetObject): $($_.FullyQualifiedErrorId)" }

    Connects to every customer whose GDAP relationship grants Exchange Administrator; the
    tenants that could not be connected are listed with the reason.

    .EXAMPLE
    $emu = Start-ExoDelegatedEmulator
    $rt = ConvertTo-SecureString $emu.refreshToken -AsPlainText -Force
    $cs = ConvertTo-SecureString $emu.clientSecret -AsPlainText -Force
    Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -RefreshToken $rt -ClientSecret $cs -AuthorityHost $emu.url -ExchangeHost $emu.url

    Connects to a tenant of exo-emulator, the local Entra ID + Exchange API shipped with the module,
    to test a runbook offline (Stop-ExoDelegatedEmulator $emu stops it).

    .OUTPUTS
    ExoDelegated.Connection
    #>
    [CmdletBinding(DefaultParameterSetName = 'RefreshToken')]
    [OutputType('ExoDelegated.Connection')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $TenantId,

        [Parameter(ValueFromPipelineByPropertyName)]
        [AllowNull()] [AllowEmptyString()]
        [string] $DefaultDomainName,

        [Parameter(Mandatory, ParameterSetName = 'RefreshToken')]
        [Parameter(Mandatory, ParameterSetName = 'RefreshTokenConfidential')]
        [Parameter(Mandatory, ParameterSetName = 'AppSecret')]
        [Parameter(Mandatory, ParameterSetName = 'DeviceCode')]
        [Parameter(ParameterSetName = 'AccessToken')]
        [Alias('AppId', 'ClientId')]
        [ValidateNotNullOrEmpty()]
        [string] $ApplicationId,

        [Parameter(Mandatory, ParameterSetName = 'RefreshToken')]
        [Parameter(Mandatory, ParameterSetName = 'RefreshTokenConfidential')]
        [ExoDelegated.Interop.SecureStringTransformation()]
        [securestring] $RefreshToken,

        # RefreshTokenConfidential is the RefreshToken set of a confidential application; a
        # set of its own so that -ClientSecret without -RefreshToken resolves to AppSecret.
        [Parameter(Mandatory, ParameterSetName = 'RefreshTokenConfidential')]
        [Parameter(Mandatory, ParameterSetName = 'AppSecret')]
        [ExoDelegated.Interop.SecureStringTransformation()]
        [securestring] $ClientSecret,

        [Parameter(Mandatory, ParameterSetName = 'AccessToken')]
        [ExoDelegated.Interop.SecureStringTransformation()]
        [securestring] $AccessToken,

        [Parameter(Mandatory, ParameterSetName = 'DeviceCode')]
        [switch] $DeviceCode,

        [ValidateSet('O365Default', 'O365USGovGCCHigh', 'O365USGovDoD', 'O365China')]
        [Alias('ExchangeEnvironmentName')]
        [string] $Environment = 'O365Default',

        [ExoDelegated.Interop.ValidateHttpUrl('AuthorityHost')]
        [string] $AuthorityHost,

        [ExoDelegated.Interop.ValidateHttpUrl('ExchangeHost')]
        [string] $ExchangeHost,

        [ValidateNotNullOrEmpty()]
        [string] $AnchorMailbox,

        [ValidateRange(1, 1000)]
        [int] $PageSize = 1000,

        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [ValidateRange(1, 600)]
        [int] $ConnectTimeoutSec = 10,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSec = 930,

        [ValidateRange(0, 20)]
        [int] $MaximumRetryCount = 5,

        [ValidateRange(0, 600)]
        [int] $MaximumRetryWaitSec = 60,

        [ValidateRange(1, 64)]
        [int] $ThrottleLimit = 4
    )

    begin {
        # Tenants from the pipeline connect through a queue (Connect-ExoPipedOrDeviceCode): up to 16
        # at once, the connections come out in the order the tenants came in, and a tenant's
        # failure does not stop the others.
        $queue = $null
    }

    process {
        # The defaults above are the native library's (shown by Get-Help); only values given
        # explicitly are sent, so the library stays the one place that applies them.
        if (-not $AuthorityHost -and -not $ExchangeHost -and $env:EXODELEGATED_EMULATOR_URL) {
            $AuthorityHost = $ExchangeHost = Resolve-ExoEmulatorUrl -Cmdlet $PSCmdlet -Url $env:EXODELEGATED_EMULATOR_URL
        }
        # One tenant given by parameters: the options, the sign-in, the tenant's domain and the
        # registration under its name are one call to the interop. (PowerShell compiles this whole
        # body at the first call, and each member access costs a compilation of its own: the
        # pipeline and device code ways live in Private/ExoConnect.ps1.)
        # The way is chosen here, not from Connect's result: an exception inside Connect ends only its
        # statement, and must not send the tenant down the other way as well.
        if ($MyInvocation.ExpectingInput -or $PSCmdlet.ParameterSetName -eq 'DeviceCode') {
            if ($null -eq $queue -and $MyInvocation.ExpectingInput) { $queue = [ExoDelegated.Interop.ConnectQueue]::new(16) }
            Connect-ExoPipedOrDeviceCode -Cmdlet $PSCmdlet -Queue $queue -TenantId $TenantId -DefaultDomainName $DefaultDomainName -Name $Name `
                -AuthorityHost $AuthorityHost -ExchangeHost $ExchangeHost -RefreshToken $RefreshToken -ClientSecret $ClientSecret -AccessToken $AccessToken
            return
        }
        $connection = [ExoDelegated.Interop.ConnectOperation]::Connect($PSCmdlet, $AuthorityHost, $ExchangeHost, $script:ExoConnections)
        if ($null -eq $connection) { return }
        $script:ExoCurrentConnection = $connection
        $connection
    }

    end {
        if ($null -ne $queue) { Complete-ExoConnectQueue -Cmdlet $PSCmdlet -Queue $queue }
    }
}
