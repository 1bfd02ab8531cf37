# Rotation across many tenants: Export-ExoDelegatedRefreshToken without -Connection returns the
# newest refresh token of the credential across all open connections (every redemption, at
# any customer, rotates the partner's token; each connection keeps its own newest).
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    # Short-lived access tokens, so a command can force a redemption (and a rotation).
    $emu = Start-ExoEmulator -Tenants 3 -Mailboxes 3 -TokenLifetime 4
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Export-ExoDelegatedRefreshToken across tenants' {
    It 'returns the token the last redemption at any tenant produced' {
        $a = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'a' }
        $b = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'b' }
        $c = Connect-TestTenant $emu -Index 2 -Options @{ Name = 'c' }
        # c connected last, so c's token is the newest; then a redeems again and becomes the newest.
        ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken) | Should -Be (ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken -Connection c))
        Start-Sleep -Seconds 3
        $null = Get-EXOMailbox -Connection a -ResultSize 1
        $aToken = ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken -Connection a)
        $aToken | Should -Not -Be (ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken -Connection c))
        [object]::ReferenceEquals((Get-ExoDelegatedConnection -Current), $c) | Should -BeTrue
        ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken) | Should -Be $aToken
    }

    It 'keeps the newest after the connection that received it is closed, while others of the credential are open' {
        $aToken = ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken -Connection a)
        Disconnect-ExoDelegated -Connection a
        ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken) | Should -Be $aToken
    }

    It 'returns a token that works' {
        $newest = Export-ExoDelegatedRefreshToken
        $d = Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -RefreshToken $newest `
            -ClientSecret $emu.clientSecret -AuthorityHost $emu.url -ExchangeHost $emu.url -Name d
        @(Get-EXOMailbox -Connection $d -ResultSize 1).Count | Should -Be 1
    }

    It 'says so in the help' {
        ((Get-Help Export-ExoDelegatedRefreshToken).description.Text -join ' ') | Should -Match 'newest refresh token of the current\s+connection''s credential across all open\s+connections'
    }
}
