# Get-EXOMailboxStatistics: one object per mailbox, Minimum/All, -Archive, pipeline.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 15
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXOMailboxStatistics' {
    It 'returns the Minimum set as ExoDelegated.MailboxStatistics' {
        $m = Get-EXOMailbox -ResultSize 1
        $s = Get-EXOMailboxStatistics -Identity $m.UserPrincipalName
        (Get-TestRecordType $s) | Should -Be 'ExoDelegated.MailboxStatistics'
        ($s.PSObject.Properties.Name | Sort-Object) | Should -Be @('DeletedItemCount', 'DisplayName', 'ExoTenant', 'ItemCount', 'MailboxGuid', 'TotalDeletedItemSize', 'TotalItemSize')
        ($s | Out-String -Width 200) | Should -Match 'DisplayName\s+ItemCount\s+TotalItemSize'
    }

    It 'returns every property with -PropertySets All, and extra ones with -Properties' {
        $m = Get-EXOMailbox -ResultSize 1
        (Get-EXOMailboxStatistics $m.UserPrincipalName -PropertySets All).PSObject.Properties.Name | Should -Contain 'LastLogonTime'
        $p = Get-EXOMailboxStatistics $m.UserPrincipalName -Properties LastLogonTime
        $p.PSObject.Properties.Name | Should -Contain 'LastLogonTime'
        $p.PSObject.Properties.Name | Should -Contain 'ItemCount'
    }

    It 'takes mailboxes from the pipeline: one object each' {
        $five = @(Get-EXOMailbox -ResultSize 5)
        @($five | Get-EXOMailboxStatistics).Count | Should -Be 5
    }

    It 'returns the archive with -Archive, and an error for a mailbox without one' {
        $archived = Get-EXOMailbox -Archive -ResultSize 1
        (Get-EXOMailboxStatistics $archived.UserPrincipalName -Archive).DisplayName | Should -BeLike 'In-Place Archive*'
        $all = @(Get-EXOMailbox -ResultSize Unlimited)
        $without = $all | Where-Object { $_.UserPrincipalName -notin @(Get-EXOMailbox -Archive -ResultSize Unlimited).UserPrincipalName } | Select-Object -First 1
        $null = Get-EXOMailboxStatistics $without.UserPrincipalName -Archive -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Get-EXOMailboxStatistics'
    }

    It 'writes ExoDelegated.NotFound per unknown mailbox' {
        $null = 'nobody@nowhere.example' | Get-EXOMailboxStatistics -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'No secret leaked by Get-EXOMailboxStatistics' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
