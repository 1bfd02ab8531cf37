# Shared by the Pester files (dot-source it in BeforeAll): imports the module and the
# emulator helpers, connects test tenants, and checks that no secret leaked.
# Every behaviour test goes the real way: pwsh -> module -> native library -> HTTP -> exo-emulator.
$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
$script:ModuleManifest = Join-Path $RepoRoot 'psmodule/ExoDelegated/ExoDelegated.psd1'
Import-Module (Join-Path $RepoRoot 'tools/ExoEmulator.psm1') -Force
Import-Module $ModuleManifest -Force
# Exchange's "There are more results available..." warnings would only clutter the test
# output; tests that check warnings read them with -WarningVariable.
$PSDefaultParameterValues['*-EXO*:WarningAction'] = 'SilentlyContinue'
$PSDefaultParameterValues['Invoke-ExoCommand:WarningAction'] = 'SilentlyContinue'

function New-TestSecret([string] $Text) {
    ConvertTo-SecureString -String $Text -AsPlainText -Force
}

function ConvertFrom-TestSecret([securestring] $Secret) {
    [System.Net.NetworkCredential]::new('', $Secret).Password
}

function Connect-TestTenant {
    # Connects to a customer tenant of the emulator with the partner refresh token + app secret.
    param(
        [Parameter(Mandatory)] $Emulator,
        [int] $Index = 0,
        [string] $TenantId,
        [hashtable] $Options = @{}
    )
    if (-not $TenantId) { $TenantId = $Emulator.customers[$Index].domain }
    $p = @{
        TenantId      = $TenantId
        ApplicationId = $Emulator.applicationId
        RefreshToken  = New-TestSecret $Emulator.refreshToken
        ClientSecret  = New-TestSecret $Emulator.clientSecret
        AuthorityHost = $Emulator.url
        ExchangeHost  = $Emulator.url
        ErrorAction   = 'Stop'
    }
    foreach ($key in $Options.Keys) { $p[$key] = $Options[$key] }
    Connect-ExoDelegated @p
}

function Get-TestAccessToken {
    # An Exchange access token straight from the emulator's token endpoint (client credentials).
    param([Parameter(Mandatory)] $Emulator, [int] $Index = 0)
    $body = @{
        grant_type    = 'client_credentials'
        client_id     = $Emulator.applicationId
        client_secret = $Emulator.clientSecret
        scope         = "$($Emulator.url)/.default"
    }
    $r = Invoke-RestMethod -Method Post -NoProxy -Body $body -Uri "$($Emulator.url)/$($Emulator.customers[$Index].domain)/oauth2/v2.0/token"
    New-TestSecret $r.access_token
}

function Get-TestMailbox {
    # One mailbox of a tenant by type (UserMailbox, SharedMailbox, RoomMailbox, ...), skipping some.
    param([Parameter(Mandatory)] $Connection, [string] $Type = 'UserMailbox', [int] $Skip = 0)
    Get-EXOMailbox -Connection $Connection -RecipientTypeDetails $Type -ResultSize Unlimited | Select-Object -Skip $Skip -First 1
}

function Get-TestSecretString {
    # Every secret the emulator handed out: none may ever show up in output, errors or logs.
    param([Parameter(Mandatory)] $Emulator)
    foreach ($name in 'refreshToken', 'clientSecret', 'publicRefreshToken', 'expiredRefreshToken', 'expiredClientSecret') {
        $p = $Emulator.PSObject.Properties[$name]
        if ($p -and $p.Value) { $p.Value }
    }
}

function ConvertTo-TestText {
    # Everything a user could see of some objects: formatted output, properties, error details.
    param([object[]] $InputObject)
    $sb = [System.Text.StringBuilder]::new()
    foreach ($o in $InputObject) {
        if ($null -eq $o) { continue }
        $null = $sb.AppendLine(($o | Out-String -Width 4096))
        if ($o -is [System.Management.Automation.ErrorRecord]) {
            $null = $sb.AppendLine($o.Exception.ToString())
            if ($o.ErrorDetails) { $null = $sb.AppendLine($o.ErrorDetails.Message).AppendLine($o.ErrorDetails.RecommendedAction) }
            $null = $sb.AppendLine([string]$o.TargetObject)
        }
        elseif ($o -is [System.Management.Automation.InformationalRecord] -or $o -is [System.Management.Automation.InformationRecord]) {
            $null = $sb.AppendLine([string]$o)
        }
        elseif ($o -isnot [string] -and $o -isnot [securestring]) {
            try { $null = $sb.AppendLine(($o | ConvertTo-Json -Depth 4 -WarningAction Ignore)) } catch { $null = $sb.AppendLine("(not serializable: $($_.Exception.Message))") }
        }
    }
    $sb.ToString()
}

function Find-TestSecret {
    # The secrets that occur in the text (none, in a passing test).
    param([string] $Text, [string[]] $Secret)
    foreach ($s in $Secret) {
        if ($s -and $Text.Contains($s)) { "a secret starting with '$($s.Substring(0, [Math]::Min(6, $s.Length)))'" }
    }
}

function Find-TestSecretInError {
    # Secrets found in $Error: every file ends by checking this.
    param([Parameter(Mandatory)] $Emulator, [string[]] $Extra = @())
    Find-TestSecret -Text (ConvertTo-TestText @($global:Error)) -Secret (@(Get-TestSecretString $Emulator) + $Extra)
}

function Get-TestRecordType {
    # The record's type name. While more than one connection is open, records carry
    # '<type>#ExoTenant' first (the table views with the tenant column); this skips it.
    param([Parameter(Mandatory)] $InputObject)
    @($InputObject.PSObject.TypeNames | Where-Object { $_ -notlike '*#ExoTenant' })[0]
}
