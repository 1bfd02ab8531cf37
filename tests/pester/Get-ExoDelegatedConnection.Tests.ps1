# Get-ExoDelegatedConnection: all, -Name (wildcards), -Current; fresh token details; no secrets.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 5
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-ExoDelegatedConnection' {
    BeforeAll {
        Disconnect-ExoDelegated -All
        $a = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'contoso' }
        $b = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'northwind' }
    }

    It 'has the parameter sets Name (default) and Current' {
        $cmd = Get-Command Get-ExoDelegatedConnection
        $cmd.DefaultParameterSet | Should -Be 'Name'
        ($cmd.ParameterSets.Name | Sort-Object) | Should -Be @('Current', 'Name')
    }

    It 'lists every open connection, oldest first' {
        $all = @(Get-ExoDelegatedConnection)
        $all.Name | Should -Be @('contoso', 'northwind')
        (Get-TestRecordType $all[0]) | Should -Be 'ExoDelegated.Connection'
    }

    It 'filters by -Name with wildcards' {
        (Get-ExoDelegatedConnection -Name 'north*').Name | Should -Be 'northwind'
        (Get-ExoDelegatedConnection 'contoso', 'northwind').Count | Should -Be 2
        Get-ExoDelegatedConnection -Name 'nosuch*' | Should -BeNullOrEmpty
    }

    It 'returns the current connection with -Current' {
        (Get-ExoDelegatedConnection -Current).Name | Should -Be 'northwind'
    }

    It 'shows tenant, cloud, user, token expiry, rotation and state in a table' {
        $text = Get-ExoDelegatedConnection | Out-String -Width 250
        $text | Should -Match 'Name\s+TenantDomain\s+TenantId\s+Environment\s+User/App\s+TokenExpiresUtc\s+Rotated\s+State\s+Endpoint'
        $text | Should -Match 'contoso\s.*O365Default\s+admin@'
        $text | Should -Match 'Connected'
    }

    It 'reads fresh details from the native library' {
        $c = Get-ExoDelegatedConnection -Name contoso
        $c.TokenExpiresUtc.Kind | Should -Be 'Utc'
        $c.TokenExpiresUtc | Should -BeGreaterThan ([datetime]::UtcNow)
        $c.ExchangeHost | Should -Be $emu.url
        $c.AuthorityHost | Should -Be $emu.url
        $c.AnchorMailbox | Should -BeLike 'APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@*'
    }

    It 'contains no secret' {
        $text = ConvertTo-TestText @(Get-ExoDelegatedConnection) + (Get-ExoDelegatedConnection | Format-List * | Out-String)
        Find-TestSecret -Text $text -Secret (Get-TestSecretString $emu) | Should -BeNullOrEmpty
    }
}

Describe 'No secret leaked by Get-ExoDelegatedConnection' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
