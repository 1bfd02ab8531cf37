# Connect-ExoDelegated: every parameter set, the options, and every mapped sign-in failure,
# against exo-emulator.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 12 -DeviceCodeInterval 1
    $hosts = @{ AuthorityHost = $emu.url; ExchangeHost = $emu.url }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Connect-ExoDelegated parameter sets' {
    It 'has RefreshToken (default), RefreshTokenConfidential, AppSecret, AccessToken and DeviceCode' {
        $cmd = Get-Command Connect-ExoDelegated
        $cmd.DefaultParameterSet | Should -Be 'RefreshToken'
        ($cmd.ParameterSets.Name | Sort-Object) | Should -Be @('AccessToken', 'AppSecret', 'DeviceCode', 'RefreshToken', 'RefreshTokenConfidential')
    }

    It 'connects with the partner refresh token and the app secret (Secure Application Model)' {
        $c = Connect-TestTenant $emu
        $c | Should -BeOfType ([ExoDelegated.Connection])
        (Get-TestRecordType $c) | Should -Be 'ExoDelegated.Connection'
        $c.Name | Should -Be $emu.customers[0].domain
        $c.TenantId | Should -Be $emu.customers[0].domain
        $c.Credential | Should -Be 'RefreshToken'
        $c.User | Should -Be "admin@$($emu.partnerDomain)"
        $c.ApplicationId | Should -Be $emu.applicationId
        $c.Environment | Should -Be 'O365Default'
        $c.State | Should -Be 'Connected'
        $c.TokenExpiresUtc | Should -BeGreaterThan ([datetime]::UtcNow.AddMinutes(30))
        $c.RefreshTokenRotated | Should -BeTrue
        (Get-ExoDelegatedConnection -Current).Id | Should -Be $c.Id
        @(Get-EXOMailbox -Connection $c -ResultSize 3).Count | Should -Be 3
    }

    It 'connects a public client with its refresh token and no secret (RefreshToken)' {
        $c = Connect-ExoDelegated -TenantId $emu.customers[1].domain -ApplicationId $emu.publicClientId `
            -RefreshToken (New-TestSecret $emu.publicRefreshToken) @hosts -Name public
        $c.Credential | Should -Be 'RefreshToken'
        $c.ApplicationId | Should -Be $emu.publicClientId
        @(Get-EXOMailbox -Connection $c -ResultSize 2).Count | Should -Be 2
    }

    It 'connects app-only with the client secret (AppSecret)' {
        $c = Connect-ExoDelegated -TenantId $emu.customers[1].tenantId -ApplicationId $emu.applicationId `
            -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name apponly
        $c.Credential | Should -Be 'AppSecret'
        $c.User | Should -BeNullOrEmpty
        $c.TenantId | Should -Be $emu.customers[1].tenantId
        @(Get-EXOMailbox -Connection $c -ResultSize 2).Count | Should -Be 2
    }

    It 'connects with an Exchange access token (AccessToken)' {
        $before = (Get-ExoEmulatorStats $emu).tokens.issued
        $token = Get-TestAccessToken $emu -Index 0
        $c = Connect-ExoDelegated -TenantId $emu.customers[0].domain -AccessToken $token @hosts -Name byToken
        $c.Credential | Should -Be 'AccessToken'
        @(Get-EXOMailbox -Connection $c -ResultSize 2).Count | Should -Be 2
        # Only the test's own token request: the module asked for none.
        (Get-ExoEmulatorStats $emu).tokens.issued | Should -Be ($before + 1)
    }

    It 'signs in with the device code flow and shows the sign-in message (DeviceCode)' {
        $out = Connect-ExoDelegated -TenantId $emu.partnerDomain -ApplicationId $emu.publicClientId -DeviceCode @hosts -Name device 6>&1
        $message = @($out | Where-Object { $_ -is [System.Management.Automation.InformationRecord] })
        $c = @($out | Where-Object { $_ -is [ExoDelegated.Connection] })
        "$($message[0])" | Should -Match 'https://microsoft.com/devicelogin'
        "$($message[0])" | Should -Match 'code [A-Z0-9]{6,}'
        $c.Count | Should -Be 1
        $c[0].Credential | Should -Be 'DeviceCode'
        $c[0].User | Should -Be "admin@$($emu.partnerDomain)"
        (Get-ExoEmulatorStats $emu).tokens.byGrant.device_code | Should -BeGreaterOrEqual 1
    }

    It 'cancels the device code flow promptly when the pipeline is stopped (Ctrl+C)' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($manifest, $emu)
                Import-Module $manifest
                Connect-ExoDelegated -TenantId $emu.partnerDomain -ApplicationId $emu.publicClientId -DeviceCode -AuthorityHost $emu.url -ExchangeHost $emu.url
            }).AddArgument($ModuleManifest).AddArgument($emu)
        try {
            $handle = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while ($ps.Streams.Information.Count -eq 0 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $ps.Streams.Information.Count | Should -BeGreaterThan 0 -Because 'the sign-in message is shown before waiting'
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 1.5
            $handle.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Connect-ExoDelegated options' {
    It 'names the connection (-Name) and pages with -PageSize' {
        $c = Connect-TestTenant $emu -Options @{ Name = 'paged'; PageSize = 4 }
        $c.Name | Should -Be 'paged'
        $c.PageSize | Should -Be 4
        $before = (Get-ExoEmulatorStats $emu).pages.served
        @(Get-EXOMailbox -Connection $c -ResultSize Unlimited).Count | Should -Be 12
        (Get-ExoEmulatorStats $emu).pages.served - $before | Should -Be 3
    }

    It 'sends -AnchorMailbox as X-AnchorMailbox' {
        $anchor = "UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@$($emu.customers[0].domain)"
        $c = Connect-TestTenant $emu -Options @{ Name = 'anchored'; AnchorMailbox = $anchor }
        $c.AnchorMailbox | Should -Be $anchor
        $before = (Get-ExoEmulatorStats $emu).auth
        $null = Get-EXOMailbox -Connection $c -ResultSize 1
        $after = (Get-ExoEmulatorStats $emu).auth
        $after.anchorMailboxPresent | Should -Be ($before.anchorMailboxPresent + 1)
        $after.anchorMailboxMismatch | Should -Be $before.anchorMailboxMismatch
    }

    It 'accepts the timeout and retry options' {
        $c = Connect-TestTenant $emu -Options @{ Name = 'knobs'; ConnectTimeoutSec = 5; TimeoutSec = 30; MaximumRetryCount = 2; MaximumRetryWaitSec = 3 }
        $c.State | Should -Be 'Connected'
    }

    It 'offers the four clouds for -Environment (tab completion) and rejects others' {
        $completion = TabExpansion2 -inputScript 'Connect-ExoDelegated -Environment O365' -cursorColumn 38
        ($completion.CompletionMatches.CompletionText | Sort-Object) | Should -Be @('O365China', 'O365Default', 'O365USGovDoD', 'O365USGovGCCHigh')
        { Connect-ExoDelegated -TenantId x -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret 'x') -Environment Mars } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Connect-ExoDelegated'
    }

    It 'keeps many connections open at once; the newest is current' {
        $a = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'multiA' }
        $b = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'multiB' }
        (Get-ExoDelegatedConnection -Current).Name | Should -Be 'multiB'
        (Get-ExoDelegatedConnection -Name 'multi*').Name | Should -Be @('multiA', 'multiB')
        (Get-EXOMailbox -Connection $a -ResultSize 1).PrimarySmtpAddress | Should -BeLike "*@$($emu.customers[0].domain)"
        (Get-EXOMailbox -ResultSize 1).PrimarySmtpAddress | Should -BeLike "*@$($emu.customers[1].domain)"
    }

    It 'replaces (and disconnects) a connection opened again under the same name' {
        $first = Connect-TestTenant $emu -Options @{ Name = 'again' }
        $second = Connect-TestTenant $emu -Options @{ Name = 'again' }
        $first.State | Should -Be 'Disconnected'
        $second.State | Should -Be 'Connected'
        @(Get-ExoDelegatedConnection -Name again).Count | Should -Be 1
    }

    It 'refuses http:// to a host that is not loopback (InsecureEndpoint)' {
        $e = { Connect-ExoDelegated -TenantId x.onmicrosoft.com -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret 'x') `
                -AuthorityHost 'http://login.example.com' -ExchangeHost 'http://outlook.example.com' } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'ExoDelegated.InsecureEndpoint,Connect-ExoDelegated'
        $e.CategoryInfo.Category | Should -Be 'SecurityError'
    }

    It 'puts no secret and no handle into what users see of a connection' {
        $c = Connect-TestTenant $emu -Options @{ Name = 'visible' }
        $text = ConvertTo-TestText @($c, ($c | Format-List * | Out-String), ($c | Get-Member | Out-String))
        Find-TestSecret -Text $text -Secret (Get-TestSecretString $emu) | Should -BeNullOrEmpty
        ($c | Format-List * | Out-String) | Should -Not -Match 'Handle'
        ($c | Get-Member -MemberType Property).Name | Should -Not -Contain 'Handle'
    }
}

Describe 'Connect-ExoDelegated failures' {
    BeforeDiscovery {
        $cases = @(
            @{ Case = 'a wrong client secret'; Tenant = 'customer'; Secret = 'wrong'; Token = $null; Public = $false; Id = 'SecretInvalid'; Category = 'AuthenticationError'; Aadsts = 7000215 }
            @{ Case = 'an expired client secret'; Tenant = 'customer'; Secret = 'expired'; Token = $null; Public = $false; Id = 'SecretExpired'; Category = 'AuthenticationError'; Aadsts = 7000222 }
            @{ Case = 'a tenant that requires MFA'; Tenant = 'mfaRequired'; Secret = $null; Token = $null; Public = $false; Id = 'MfaRequired'; Category = 'AuthenticationError'; Aadsts = 50076 }
            @{ Case = 'a tenant without consent'; Tenant = 'consentMissing'; Secret = $null; Token = $null; Public = $false; Id = 'ReconsentRequired'; Category = 'PermissionDenied'; Aadsts = 65001 }
            @{ Case = 'a tenant whose Conditional Access blocks'; Tenant = 'conditionalAccess'; Secret = $null; Token = $null; Public = $false; Id = 'ConditionalAccess'; Category = 'PermissionDenied'; Aadsts = 53003 }
            @{ Case = 'a tenant without the application'; Tenant = 'appMissing'; Secret = $null; Token = $null; Public = $false; Id = 'AppNotInTenant'; Category = 'PermissionDenied'; Aadsts = 700016 }
            @{ Case = 'a tenant without Exchange'; Tenant = 'noExchange'; Secret = $null; Token = $null; Public = $false; Id = 'ExchangeNotProvisioned'; Category = 'ObjectNotFound'; Aadsts = 500011 }
            @{ Case = 'an unknown tenant'; Tenant = 'unknown'; Secret = $null; Token = $null; Public = $false; Id = 'TenantNotFound'; Category = 'ObjectNotFound'; Aadsts = 90002 }
            @{ Case = 'an unrelated tenant (no GDAP relationship)'; Tenant = 'unrelated'; Secret = $null; Token = $null; Public = $false; Id = 'AppNotInTenant'; Category = 'PermissionDenied'; Aadsts = 700016 }
            @{ Case = 'an expired refresh token'; Tenant = 'customer'; Token = 'expired'; Secret = $null; Public = $false; Id = 'RefreshTokenExpired'; Category = 'AuthenticationError'; Aadsts = 700082 }
            @{ Case = 'an invalid refresh token'; Tenant = 'customer'; Token = 'garbage'; Secret = $null; Public = $false; Id = 'RefreshTokenInvalid'; Category = 'AuthenticationError'; Aadsts = 70000 }
            @{ Case = 'a public client that sends a secret'; Tenant = 'customer'; Public = $true; Secret = $null; Token = $null; Id = 'PublicClientSecret'; Category = 'InvalidArgument'; Aadsts = 700025 }
        )
    }

    It 'fails with ExoDelegated.<Id> (<Category>) for <Case>' -ForEach $cases {
        $tenant = switch ($Tenant) {
            'customer' { $emu.customers[0].domain }
            'unknown' { 'nosuchtenant.onmicrosoft.com' }
            'unrelated' { $emu.unrelatedTenant.domain }
            default { $emu.specialTenants.$Tenant.domain }
        }
        $secretText = switch ($Secret) { 'wrong' { 'not-the-secret' } 'expired' { $emu.expiredClientSecret } default { $emu.clientSecret } }
        $tokenText = switch ($Token) { 'expired' { $emu.expiredRefreshToken } 'garbage' { 'garbage-refresh-token' } default { $emu.refreshToken } }
        $appId = $emu.applicationId
        if ($Public) { $appId = $emu.publicClientId; $tokenText = $emu.publicRefreshToken }
        $e = { Connect-ExoDelegated -TenantId $tenant -ApplicationId $appId -RefreshToken (New-TestSecret $tokenText) `
                -ClientSecret (New-TestSecret $secretText) @hosts -Name "fail-$Id" } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be "ExoDelegated.$Id,Connect-ExoDelegated"
        $e.CategoryInfo.Category | Should -Be $Category
        $e.TargetObject | Should -Be $tenant
        $e.Exception | Should -BeOfType ([ExoDelegated.Interop.ExoNativeException])
        $e.Exception.Aadsts | Should -Be $Aadsts
        $e.ErrorDetails.Message | Should -Match "AADSTS$Aadsts"
        $e.ErrorDetails.Message | Should -Match 'correlation id [0-9a-f-]{36}'
        $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-ExoDelegatedConnection -Name "fail-$Id" | Should -BeNullOrEmpty
    }

    It 'fails with ExoDelegated.ConnectFailed (ConnectionError) when nothing listens' {
        $e = { Connect-TestTenant $emu -Options @{ AuthorityHost = 'http://127.0.0.1:9'; ExchangeHost = 'http://127.0.0.1:9'; MaximumRetryCount = 0 } } |
            Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'ExoDelegated.ConnectFailed,Connect-ExoDelegated'
        $e.CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'fails with ExoDelegated.Throttled (ResourceBusy) when throttled beyond the retries' {
        $throttled = Start-ExoEmulator -Tenants 1 -Mailboxes 2 -Faults 'throttle=1.0'
        try {
            $e = { Connect-TestTenant $throttled -Options @{ MaximumRetryCount = 1; MaximumRetryWaitSec = 1 } } | Should -Throw -PassThru
            $e.FullyQualifiedErrorId | Should -Be 'ExoDelegated.Throttled,Connect-ExoDelegated'
            $e.CategoryInfo.Category | Should -Be 'ResourceBusy'
            $e.Exception.Retries | Should -Be 1
            (Get-ExoEmulatorStats $throttled).faults.byKind.throttle | Should -Be 2
        }
        finally { Stop-ExoEmulator $throttled }
    }
}

Describe 'No secret leaked by Connect-ExoDelegated' {
    It 'leaves no secret in $Error' {
        Find-TestSecretInError $emu | Should -BeNullOrEmpty
    }
}
