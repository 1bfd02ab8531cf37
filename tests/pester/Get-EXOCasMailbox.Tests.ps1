# Get-EXOCasMailbox: protocol settings, property sets, -Filter, pipeline.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 15
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXOCasMailbox' {
    It 'has the parameter sets Identity (default) and Anr' {
        ((Get-Command Get-EXOCasMailbox).ParameterSets.Name | Sort-Object) | Should -Be @('Anr', 'Identity')
    }

    It 'lists the client access settings as ExoDelegated.CasMailbox with the Minimum set' {
        $all = @(Get-EXOCasMailbox -ResultSize Unlimited)
        $all.Count | Should -Be 15
        (Get-TestRecordType $all[0]) | Should -Be 'ExoDelegated.CasMailbox'
        foreach ($p in 'ActiveSyncEnabled', 'OWAEnabled', 'PopEnabled', 'ImapEnabled', 'MAPIEnabled', 'EwsEnabled') { $all[0].PSObject.Properties.Name | Should -Contain $p }
        ($all | Out-String -Width 200) | Should -Match 'Name\s+ActiveSyncEnabled\s+OWAEnabled\s+PopEnabled\s+ImapEnabled\s+MapiEnabled'
    }

    It 'adds property sets, filters with -Filter and -Anr, honours -ResultSize' {
        (Get-EXOCasMailbox -ResultSize 1 -PropertySets ActiveSync).PSObject.Properties.Name | Should -Contain 'ActiveSyncMailboxPolicy'
        $pop = @(Get-EXOCasMailbox -Filter 'PopEnabled -eq $true' -ResultSize Unlimited)
        @($pop | Where-Object { -not $_.PopEnabled }).Count | Should -Be 0
        @(Get-EXOCasMailbox -ResultSize 2).Count | Should -Be 2
        $m = Get-EXOMailbox -ResultSize 1
        (Get-EXOCasMailbox -Anr $m.Alias).Name | Should -Contain $m.Name
    }

    It 'takes mailboxes from the pipeline' {
        $three = @(Get-EXOMailbox -ResultSize 3)
        @($three | Get-EXOCasMailbox).Name | Should -Be $three.Name
    }

    It 'writes ExoDelegated.NotFound for an unknown mailbox' {
        $null = Get-EXOCasMailbox -Identity 'nobody@nowhere.example' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Get-EXOCasMailbox'
    }
}

Describe 'No secret leaked by Get-EXOCasMailbox' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
