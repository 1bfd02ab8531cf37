# Export-ExoDelegatedRefreshToken: the rotated refresh token as a SecureString, usable again.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 5
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Export-ExoDelegatedRefreshToken' {
    It 'returns the rotated refresh token of the current connection as a read-only SecureString' {
        $c = Connect-TestTenant $emu -Options @{ Name = 'rotating' }
        $c.RefreshTokenRotated | Should -BeTrue
        $token = Export-ExoDelegatedRefreshToken
        $token | Should -BeOfType ([securestring])
        $token.IsReadOnly() | Should -BeTrue
        $token.Length | Should -BeGreaterThan 20
        ConvertFrom-TestSecret $token | Should -Not -Be $emu.refreshToken
    }

    It 'exports the token of a given connection (-Connection, pipeline), which connects again' {
        $c = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'second' }
        $fromParam = Export-ExoDelegatedRefreshToken -Connection $c
        $fromPipe = $c | Export-ExoDelegatedRefreshToken
        ConvertFrom-TestSecret $fromParam | Should -Be (ConvertFrom-TestSecret $fromPipe)
        # The rotated token is what the next run of a runbook reads back from Key Vault.
        $next = Connect-ExoDelegated -TenantId $emu.customers[1].domain -ApplicationId $emu.applicationId -RefreshToken $fromParam `
            -ClientSecret (New-TestSecret $emu.clientSecret) -AuthorityHost $emu.url -ExchangeHost $emu.url -Name next
        @(Get-EXOMailbox -Connection $next -ResultSize 1).Count | Should -Be 1
        ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken -Connection $next) | Should -Not -Be (ConvertFrom-TestSecret $fromParam)
    }

    It 'fails with ExoDelegated.NoRefreshToken for an app-only connection' {
        $app = Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret $emu.clientSecret) `
            -AuthorityHost $emu.url -ExchangeHost $emu.url -Name apponly
        $e = { Export-ExoDelegatedRefreshToken -Connection $app } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'ExoDelegated.NoRefreshToken,Export-ExoDelegatedRefreshToken'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.TargetObject | Should -Be 'apponly'
    }

    It 'fails with ExoDelegated.NotConnected when there is no connection' {
        Disconnect-ExoDelegated -All
        { Export-ExoDelegatedRefreshToken } | Should -Throw -ErrorId 'ExoDelegated.NotConnected,Export-ExoDelegatedRefreshToken'
    }

    It 'writes nothing secret to any stream' {
        $c = Connect-TestTenant $emu -Options @{ Name = 'quiet' }
        $all = Export-ExoDelegatedRefreshToken -Connection $c -Verbose -Debug -InformationAction Continue *>&1
        $secure = @($all | Where-Object { $_ -is [securestring] })
        $secure.Count | Should -Be 1
        $others = @($all | Where-Object { $_ -isnot [securestring] })
        Find-TestSecret -Text (ConvertTo-TestText $others) -Secret (@(Get-TestSecretString $emu) + (ConvertFrom-TestSecret $secure[0])) | Should -BeNullOrEmpty
    }
}

Describe 'No secret leaked by Export-ExoDelegatedRefreshToken' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
