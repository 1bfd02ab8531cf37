# Secrets from habit: -RefreshToken, -ClientSecret and -AccessToken take plain strings too
# (converted to SecureStrings at the parameter boundary), and the README's migration block
# runs with the old runbook's variables as they were.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 6
    $hosts = @{ AuthorityHost = $emu.url; ExchangeHost = $emu.url }
    $tenant = $emu.customers[0].domain
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Plain-string secrets' {
    It 'connects with a plain-string refresh token and client secret' {
        $c = Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken $emu.refreshToken -ClientSecret $emu.clientSecret @hosts -Name plain
        $c.State | Should -Be 'Connected'
        $c.Credential | Should -Be 'RefreshToken'
        @(Get-EXOMailbox -Connection $c -ResultSize 2).Count | Should -Be 2
        Disconnect-ExoDelegated -Connection $c
    }

    It 'connects app-only with a plain-string client secret, and with a plain-string access token' {
        $app = Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -ClientSecret $emu.clientSecret @hosts -Name app
        $app.Credential | Should -Be 'AppSecret'
        $token = ConvertFrom-TestSecret (Get-TestAccessToken $emu)
        $at = Connect-ExoDelegated -TenantId $tenant -AccessToken $token @hosts -Name at
        @(Get-EXOMailbox -Connection $at -ResultSize 1).Count | Should -Be 1
        Disconnect-ExoDelegated -Connection $app, $at
    }

    It 'fails a wrong plain-string secret like a wrong SecureString, and the string shows up nowhere' {
        $wrong = 'WRONG-' + [guid]::NewGuid().ToString('N')
        $err = $null
        try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken $emu.refreshToken -ClientSecret $wrong @hosts } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.Secret*'
        Find-TestSecret -Text (ConvertTo-TestText @($err) + @($global:Error)) -Secret @($wrong) | Should -BeNullOrEmpty
    }

    It 'rejects other types with a message that names the type, not the value' {
        $err = $null
        try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken 424242424242 @hosts } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError*'
        "$err" | Should -Match 'SecureString or a string'
        "$err" | Should -Not -Match '424242424242'
    }

    It 'says in the help why SecureString is preferred' {
        $help = (Get-Help Connect-ExoDelegated -Parameter RefreshToken).description.Text -join "`n"
        $help | Should -Match 'plain\s+string is accepted'
        $help | Should -Match 'Why SecureString is preferred'
        ((Get-Help Connect-ExoDelegated -Parameter ClientSecret).description.Text -join "`n") | Should -Match 'plain string is accepted'
    }
}

Describe 'The README migration block' {
    It 'runs as written with the old runbook''s plain-string variables' {
        $readme = Get-Content -Raw (Join-Path $RepoRoot 'README.md')
        $blocks = [regex]::Matches($readme, '(?s)```powershell\r?\n(.*?)```') | ForEach-Object { $_.Groups[1].Value }
        $block = @($blocks | Where-Object { $_ -match 'Connect-ExoDelegated -TenantId \$CustomerDomain' })
        $block.Count | Should -Be 1
        # The old runbook's variables, as PartnerCenter-era scripts had them: plain strings.
        $CustomerDomain = $tenant
        $AppId = $emu.applicationId
        $RefreshToken = [string]$emu.refreshToken
        $AppSecret = [string]$emu.clientSecret
        $RefreshToken | Should -BeOfType [string]
        $PSDefaultParameterValues['Connect-ExoDelegated:AuthorityHost'] = $emu.url
        $PSDefaultParameterValues['Connect-ExoDelegated:ExchangeHost'] = $emu.url
        try { $out = @(. ([scriptblock]::Create($block[0]))) }
        finally {
            $PSDefaultParameterValues.Remove('Connect-ExoDelegated:AuthorityHost')
            $PSDefaultParameterValues.Remove('Connect-ExoDelegated:ExchangeHost')
        }
        $perms = @($out | Where-Object { $_.PSObject.TypeNames -contains 'ExoDelegated.CalendarPermission' })
        $perms.Count | Should -BeGreaterOrEqual $emu.customers[0].mailboxes
        $c.State | Should -Be 'Disconnected'
    }
}
