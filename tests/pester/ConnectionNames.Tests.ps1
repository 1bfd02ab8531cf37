# -Connection takes a name as well as the object (tab-completed); connecting again under an
# open name warns and closes the older connection; the connection view shows the tenant's
# domain and a non-default endpoint.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 4
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe '-Connection by name' {
    BeforeAll {
        $a = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'tenant a' }
        $b = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'b' }
    }
    AfterAll { Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue }

    It 'runs a command in the named connection''s tenant, whichever is current' {
        (Get-EXOMailbox -Connection 'tenant a' -ResultSize 1).PrimarySmtpAddress | Should -BeLike "*@$($emu.customers[0].domain)"
        (Invoke-ExoCommand Get-Mailbox @{ ResultSize = 1 } -Connection b).PrimarySmtpAddress | Should -BeLike "*@$($emu.customers[1].domain)"
    }

    It 'takes names in Export-ExoDelegatedRefreshToken (also from the pipeline) and Disconnect-ExoDelegated' {
        Export-ExoDelegatedRefreshToken -Connection b | Should -BeOfType [securestring]
        'b' | Export-ExoDelegatedRefreshToken | Should -BeOfType [securestring]
        $x = Connect-TestTenant $emu -Options @{ Name = 'x1' }
        $y = Connect-TestTenant $emu -Options @{ Name = 'x2' }
        Disconnect-ExoDelegated -Connection 'x1', 'x2'
        $x.State | Should -Be 'Disconnected'
        $y.State | Should -Be 'Disconnected'
    }

    It 'fails an unknown name at the parameter, naming it and what to do' {
        $err = $null
        try { Get-EXOMailbox -Connection nosuchname -ResultSize 1 } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError*'
        "$err" | Should -Match "no open connection named 'nosuchname'"
        "$err" | Should -Match 'Get-ExoDelegatedConnection'
    }

    It 'treats a name literally (no wildcards)' {
        { Get-EXOMailbox -Connection '*' -ResultSize 1 } | Should -Throw "*no open connection named '``*'*"
    }

    It 'tab-completes the open names, quoting those that need it' {
        $line = 'Get-EXOMailbox -Connection '
        $names = (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText
        $names | Should -Contain "'tenant a'"
        $names | Should -Contain 'b'
        $line = 'Invoke-ExoCommand Get-Mailbox -Connection te'
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @("'tenant a'")
        $line = 'Get-ExoDelegatedConnection -Name '
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Contain 'b'
    }
}

Describe 'Connecting again under an open name' {
    AfterEach { Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue }

    It 'closes the older connection with a warning and makes the new one current' {
        $old = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'same' }
        $new = Connect-ExoDelegated -TenantId $emu.customers[1].domain -ApplicationId $emu.applicationId -RefreshToken $emu.refreshToken `
            -ClientSecret $emu.clientSecret -AuthorityHost $emu.url -ExchangeHost $emu.url -Name same -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -Match "connection named 'same'.*closed and replaced"
        "$w" | Should -Match ([regex]::Escape($emu.customers[0].domain))
        $old.State | Should -Be 'Disconnected'
        $new.State | Should -Be 'Connected'
        @(Get-ExoDelegatedConnection -Name same).Count | Should -Be 1
        [object]::ReferenceEquals((Get-ExoDelegatedConnection -Current), $new) | Should -BeTrue
    }

    It 'keeps the older connection when the new sign-in fails' {
        $old = Connect-TestTenant $emu -Options @{ Name = 'keep' }
        { Connect-TestTenant $emu -Options @{ Name = 'keep'; ClientSecret = (New-TestSecret 'wrong') } } | Should -Throw
        $old.State | Should -Be 'Connected'
        (Get-ExoDelegatedConnection -Name keep).Id | Should -Be $old.Id
    }

    It 'is documented in the help of -Name' {
        ((Get-Help Connect-ExoDelegated -Parameter Name).description.Text -join ' ') | Should -Match '(?s)closes the older\s+connection.*warning'
    }
}

Describe 'The connection view' {
    AfterEach { Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue }

    It 'shows the tenant domain and the endpoint when it is not the cloud default' {
        $c = Connect-TestTenant $emu
        $c.TenantDomain | Should -Be $emu.customers[0].domain
        $c.Endpoint | Should -Be $emu.url
        $text = $c | Format-Table | Out-String -Width 300
        $text | Should -Match 'TenantDomain'
        $text | Should -Match 'Endpoint'
        $text | Should -Match ([regex]::Escape($emu.url))
    }

    It 'shows the tenant''s domain for a connection made by GUID (its default accepted domain, one request)' {
        Reset-ExoEmulatorStats $emu
        $c = Connect-TestTenant $emu -TenantId $emu.customers[1].tenantId -Options @{ Name = 'byguid' }
        $c.TenantId | Should -Be $emu.customers[1].tenantId
        $c.TenantDomain | Should -Be $emu.customers[1].domain
        ($c | Format-Table | Out-String -Width 300) | Should -Match ([regex]::Escape($emu.customers[1].domain))
        (Get-ExoEmulatorStats $emu).requests.byCmdlet.'Get-AcceptedDomain' | Should -Be 1
    }

    It 'leaves Endpoint empty for the cloud''s default endpoint' {
        # An access-token connection signs in without a request, so the real cloud's defaults can be shown offline.
        $c = Connect-ExoDelegated -TenantId contoso.onmicrosoft.com -AccessToken 'not-a-real-token' -Name cloud
        $c.ExchangeHost | Should -Be 'https://outlook.office365.com'
        $c.Endpoint | Should -BeNullOrEmpty
        $c.TenantDomain | Should -Be 'contoso.onmicrosoft.com'
    }
}
