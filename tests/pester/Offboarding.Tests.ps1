# examples/Offboarding.ps1 against the emulator: with -WhatIf nothing changes and a
# misspelled parameter is caught by the server; without it every change is applied once.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 12
    $c = Connect-TestTenant $emu -Options @{ Name = 'contoso' }
    $runbook = Join-Path $RepoRoot 'examples/Offboarding.ps1'
    # A user with a manager who has a mailbox.
    $leaver = $null
    foreach ($u in @(Invoke-ExoCommand Get-User @{ RecipientTypeDetails = 'UserMailbox'; ResultSize = 'Unlimited' })) {
        if ($u.Manager) { $leaver = $u; break }
    }
    $manager = Get-EXOMailbox -Identity $leaver.Manager
    $writeCmdlets = 'Set-Mailbox', 'Add-MailboxPermission', 'Set-MailboxAutoReplyConfiguration', 'Set-CASMailbox'
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'examples/Offboarding.ps1' {
    It 'has a leaver with a manager to work on' {
        $leaver | Should -Not -BeNullOrEmpty
        $manager.PrimarySmtpAddress | Should -Not -BeNullOrEmpty
    }

    It '-WhatIf: Exchange validates every step and nothing changes' {
        Reset-ExoEmulatorStats $emu
        $steps = @(& $runbook -Identity $leaver.UserPrincipalName -Connection contoso -WhatIf)
        $steps.Count | Should -Be 7
        $steps[0].Status | Should -Be 'Done'
        ($steps | Select-Object -Skip 1).Status | Sort-Object -Unique | Should -Be 'Validated'
        ($steps | Select-Object -Skip 1).Detail | ForEach-Object { $_ | Should -Match 'What if:' }
        $s = Get-ExoEmulatorStats $emu
        $s.writes.applied | Should -Be 0
        $s.writes.whatIf | Should -Be 6
    }

    It '-WhatIf catches a misspelled parameter on the server' {
        $broken = Join-Path $TestDrive 'Offboarding.ps1'
        (Get-Content -Raw $runbook).Replace('HiddenFromAddressListsEnabled = $true', 'HiddenFromAdressListsEnabled = $true') | Set-Content $broken
        Reset-ExoEmulatorStats $emu
        $steps = @(& $broken -Identity $leaver.UserPrincipalName -Connection contoso -WhatIf -ErrorAction SilentlyContinue -ErrorVariable runErrors)
        $hide = $steps | Where-Object Step -eq 4
        $hide.Status | Should -Be 'Failed'
        $hide.Detail | Should -Match "HiddenFromAdressListsEnabled"
        "$runErrors" | Should -Match '1 of 7 step\(s\) failed'
        (Get-ExoEmulatorStats $emu).writes.applied | Should -Be 0
    }

    It 'without -WhatIf applies every change exactly once' {
        Reset-ExoEmulatorStats $emu
        $steps = @(& $runbook -Identity $leaver.UserPrincipalName -Connection contoso -Confirm:$false)
        ($steps | Select-Object -Skip 1).Status | Sort-Object -Unique | Should -Be 'Done'
        $s = Get-ExoEmulatorStats $emu
        $s.writes.applied | Should -Be 6
        $s.writes.duplicates | Should -Be 0
        foreach ($cmdlet in $writeCmdlets) { $s.writes.byCmdlet.$cmdlet | Should -BeGreaterThan 0 -Because $cmdlet }
        $s.writes.byCmdlet.'Set-Mailbox' | Should -Be 3

        $after = Get-EXOMailbox -Identity $leaver.UserPrincipalName -Properties RecipientTypeDetails, ForwardingAddress, DeliverToMailboxAndForward, HiddenFromAddressListsEnabled
        $after.RecipientTypeDetails | Should -Be 'SharedMailbox'
        $after.HiddenFromAddressListsEnabled | Should -BeTrue
        $after.DeliverToMailboxAndForward | Should -BeTrue
        "$($after.ForwardingAddress)" | Should -Not -BeNullOrEmpty
        $full = @(Get-EXOMailboxPermission -Identity $leaver.UserPrincipalName | Where-Object { $_.AccessRights -contains 'FullAccess' -and -not $_.IsInherited })
        $full.Count | Should -BeGreaterThan 0
        $reply = Invoke-ExoCommand Get-MailboxAutoReplyConfiguration @{ Identity = $leaver.UserPrincipalName }
        $reply.AutoReplyState | Should -Be 'Enabled'
        $reply.ExternalMessage | Should -Match ([regex]::Escape($manager.PrimarySmtpAddress))
        $cas = Get-EXOCasMailbox -Identity $leaver.UserPrincipalName -PropertySets All
        foreach ($p in 'ActiveSyncEnabled', 'OWAEnabled', 'PopEnabled', 'ImapEnabled', 'MAPIEnabled', 'EwsEnabled') { $cas.$p | Should -BeFalse -Because $p }
    }
}
