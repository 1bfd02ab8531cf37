# Dry runs that validate: -WhatIf sends Exchange's own WhatIf switch (Exchange checks the
# parameters and objects and changes nothing), says when a cmdlet cannot be dry-run on the
# server, and never sends a write without WhatIf. Tab completion of cmdlet names.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 6
    $c = Connect-TestTenant $emu
    $m = Get-TestMailbox $c
    $other = Get-TestMailbox $c -Skip 1
    $upn = $m.UserPrincipalName

    function Get-TestWriteRequest {
        # The write cmdlets the emulator received since the last reset, and how many applied.
        $s = Get-ExoEmulatorStats $emu
        [pscustomobject]@{ Applied = $s.writes.applied; WhatIf = $s.writes.whatIf; Cmdlets = @($s.requests.byCmdlet.PSObject.Properties.Name) }
    }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Invoke-ExoCommand -WhatIf' {
    BeforeEach { Reset-ExoEmulatorStats $emu }

    It 'sends the write with WhatIf, shows Exchange''s answer and changes nothing' {
        $out = Invoke-ExoCommand Set-Mailbox @{ Identity = $upn; CustomAttribute1 = 'dry' } -WhatIf -WarningVariable w
        $out | Should -BeNullOrEmpty
        "$w" | Should -Match '^What if: Setting mailbox'
        $r = Get-TestWriteRequest
        $r.Applied | Should -Be 0
        $r.WhatIf | Should -Be 1
        $r.Cmdlets | Should -Contain 'Set-Mailbox'
        (Get-EXOMailbox $upn -Properties CustomAttribute1).CustomAttribute1 | Should -Not -Be 'dry'
    }

    It 'fails a misspelled parameter, a wrong value and a missing object as the real run would, applying nothing' {
        $e1 = $e2 = $e3 = $null
        Invoke-ExoCommand Set-Mailbox @{ Identity = $upn; HiddenFromAdressListsEnabled = $true } -WhatIf -ErrorVariable e1 -ErrorAction SilentlyContinue
        Invoke-ExoCommand Set-Mailbox @{ Identity = $upn; HiddenFromAddressListsEnabled = 'maybe' } -WhatIf -ErrorVariable e2 -ErrorAction SilentlyContinue
        Invoke-ExoCommand Set-Mailbox @{ Identity = 'nobody@nowhere.example'; CustomAttribute1 = 'x' } -WhatIf -ErrorVariable e3 -ErrorAction SilentlyContinue
        "$e1" | Should -Match "parameter name 'HiddenFromAdressListsEnabled'"
        "$e2" | Should -Not -BeNullOrEmpty
        $e3[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.NotFound*'
        (Get-TestWriteRequest).Applied | Should -Be 0
    }

    It 'fails an unknown cmdlet in the dry run' {
        Invoke-ExoCommand Set-Mailboxx @{ Identity = $upn } -WhatIf -ErrorVariable e -ErrorAction SilentlyContinue
        "$e" | Should -Match "Set-Mailboxx"
        (Get-TestWriteRequest).Applied | Should -Be 0
    }

    It 'adds WhatIf even when the caller''s parameters say WhatIf = $false' {
        Invoke-ExoCommand Set-Mailbox @{ Identity = $upn; CustomAttribute2 = 'never'; WhatIf = $false } -WhatIf -WarningAction SilentlyContinue
        $r = Get-TestWriteRequest
        $r.Applied | Should -Be 0
        $r.WhatIf | Should -Be 1
    }

    It 'says a cmdlet without WhatIf cannot be dry-run on the server, and sends nothing' {
        Invoke-ExoCommand Start-HistoricalSearch @{ ReportTitle = 'x'; ReportType = 'MessageTrace' } -WhatIf -WarningVariable w
        "$w" | Should -Match 'Start-HistoricalSearch cannot be dry-run on the server'
        "$w" | Should -Match 'Nothing was changed'
        (Get-TestWriteRequest).Cmdlets | Should -Not -Contain 'Start-HistoricalSearch'
    }

    It 'turns Exchange''s "no WhatIf parameter" answer into the same message' {
        $module = Get-Module ExoDelegated
        $answer = & $module { Test-ExoNoWhatIfError ([System.Exception]::new('A parameter cannot be found that matches parameter name ''WhatIf''.')) }
        $answer | Should -BeTrue
        (& $module { Test-ExoNoWhatIfError ([System.Exception]::new('A parameter cannot be found that matches parameter name ''Foo''.')) }) | Should -BeFalse
    }

    It 'still applies the write without -WhatIf, once' {
        Invoke-ExoCommand Set-Mailbox @{ Identity = $upn; CustomAttribute3 = 'real' } -Confirm:$false -WarningAction SilentlyContinue
        (Get-TestWriteRequest).Applied | Should -Be 1
    }

    It 'documents the dry run and the -NoWhatIf list in the help' {
        $help = (Get-Help Invoke-ExoCommand).description.Text -join "`n"
        $help | Should -Match "Exchange's\s+own\s+WhatIf\s+switch"
        $help | Should -Match 'cannot be dry-run on the\s+server'
    }
}

Describe 'Calendar permission commands -WhatIf' {
    BeforeEach { Reset-ExoEmulatorStats $emu }

    It 'Set-, Add- and Remove-EXOCalendarPermission send WhatIf and change nothing' {
        $m | Set-EXOCalendarPermission -User Default -AccessRights Reviewer -WhatIf -WarningVariable w1
        $m | Add-EXOCalendarPermission -User $other.UserPrincipalName -AccessRights Reviewer -WhatIf -WarningVariable w2
        "$w1" | Should -Match 'What if: Set-MailboxFolderPermission'
        "$w2" | Should -Match 'What if: Add-MailboxFolderPermission'
        $r = Get-TestWriteRequest
        $r.Applied | Should -Be 0
        $r.WhatIf | Should -Be 2
    }

    It 'reports what the real run would fail on (removing an entry that is not there)' {
        $m | Remove-EXOCalendarPermission -User $other.UserPrincipalName -WhatIf -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -Not -BeNullOrEmpty
        (Get-TestWriteRequest).Applied | Should -Be 0
    }
}

Describe 'Tab completion of Invoke-ExoCommand -Name' {
    It 'lists Exchange Online cmdlets from the module''s list' {
        $line = 'Invoke-ExoCommand Set-MailboxAuto'
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('Set-MailboxAutoReplyConfiguration')
        $line = 'Invoke-ExoCommand -Name Get-Mailbox'
        $names = (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText
        $names | Should -Contain 'Get-Mailbox'
        $names | Should -Contain 'Get-MailboxPermission'
        [ExoDelegated.Interop.ExchangeCmdletCatalog]::Names.Count | Should -BeGreaterThan 150
        [ExoDelegated.Interop.ExchangeCmdletCatalog]::SupportsWhatIf('Start-HistoricalSearch') | Should -BeFalse
        [ExoDelegated.Interop.ExchangeCmdletCatalog]::SupportsWhatIf('Set-Mailbox') | Should -BeTrue
    }
}

Describe 'Progress per mailbox' {
    It 'writes progress per piped mailbox (-BatchSize 1) or per batched window (mailboxes done), then completes' {
        $mailboxes = @(Get-EXOMailbox -ResultSize 3)
        foreach ($command in 'Get-EXOCalendarPermission', 'Get-EXOMailboxPermission') {
            foreach ($size in 1, 10) {
                # A runspace of its own (no host): its Progress stream keeps the records.
                $ps = [powershell]::Create()
                try {
                    $null = $ps.AddScript('param($manifest, $m, $command, $c, $size) Import-Module $manifest; $m | & $command -Connection $c -BatchSize $size -ProgressAction Continue').
                        AddArgument($ModuleManifest).AddArgument($mailboxes).AddArgument($command).AddArgument($c).AddArgument($size)
                    $null = $ps.Invoke()
                    $last = [regex]::Escape($mailboxes[2].UserPrincipalName)
                    if ($size -eq 1) {
                        $records = @($ps.Streams.Progress | Where-Object { $_.StatusDescription -like 'Mailbox *' })
                        $records.Count | Should -Be 3 -Because $command
                        $records[2].StatusDescription | Should -Match ('^Mailbox 3: ' + $last)
                    }
                    else {
                        $records = @($ps.Streams.Progress | Where-Object { $_.StatusDescription -like '* done (last:*' })
                        $records.Count | Should -Be 1 -Because $command
                        $records[0].StatusDescription | Should -Match ('^3 mailbox\(es\) done \(last: ' + $last)
                    }
                    @($ps.Streams.Progress | Where-Object RecordType -eq 'Completed').Count | Should -BeGreaterThan 0
                }
                finally { $ps.Dispose() }
            }
        }
    }
}
