# Errors that say what to do: a bad refresh token is not a consent problem; a wrong secret is
# not an expired one; Scope (decided by the native library) tells "stop the run" (Credential)
# from "skip this tenant" (Tenant).
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 3
    $hosts = @{ AuthorityHost = $emu.url; ExchangeHost = $emu.url }

    function Get-ConnectError([string] $Tenant, [string] $RefreshToken, [string] $Secret) {
        try {
            Connect-ExoDelegated -TenantId $Tenant -ApplicationId $emu.applicationId -RefreshToken $RefreshToken -ClientSecret $Secret @hosts -ErrorAction Stop
            throw 'connected, but a failure was expected'
        }
        catch { $_ }
    }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Sign-in errors for runs over many tenants' {
    It 'reports an invalid refresh token as RefreshTokenInvalid (Credential): sign in again with -DeviceCode' {
        $e = Get-ConnectError $emu.customers[0].domain 'garbage-refresh-token' $emu.clientSecret
        $e.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.RefreshTokenInvalid,*'
        $e.Exception.Aadsts | Should -Be 70000
        $e.Exception.Scope | Should -Be 'Credential'
        $e.ErrorDetails.RecommendedAction | Should -Match 'Connect-ExoDelegated -DeviceCode'
        "$e" | Should -Match 'Connect-ExoDelegated -DeviceCode'
    }

    It 'keeps missing consent as ReconsentRequired (Tenant)' {
        $e = Get-ConnectError $emu.specialTenants.consentMissing.domain $emu.refreshToken $emu.clientSecret
        $e.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.ReconsentRequired,*'
        $e.Exception.Aadsts | Should -Be 65001
        $e.Exception.Scope | Should -Be 'Tenant'
    }

    It 'tells a wrong client secret from an expired one, both Credential' {
        $wrong = Get-ConnectError $emu.customers[0].domain $emu.refreshToken 'not-the-secret'
        $expired = Get-ConnectError $emu.customers[0].domain $emu.refreshToken $emu.expiredClientSecret
        $wrong.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.SecretInvalid,*'
        $expired.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.SecretExpired,*'
        $wrong.Exception.Scope | Should -Be 'Credential'
        $expired.Exception.Scope | Should -Be 'Credential'
        "$expired" | Should -Match 'expired'
    }

    It 'documents which errors stop the run and which skip the tenant' {
        $about = Get-Content -Raw (Join-Path $RepoRoot 'psmodule/ExoDelegated/en-US/about_ExoDelegated.help.txt')
        foreach ($row in 'ExoDelegated.RefreshTokenInvalid Credential', 'ExoDelegated.SecretExpired       Credential', 'ExoDelegated.ReconsentRequired   Tenant') {
            $about | Should -Match ([regex]::Escape($row))
        }
    }
}
