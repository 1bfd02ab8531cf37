# Get-EXOCalendarPermission: the default calendar of each mailbox, whatever its localized name.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 40
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
    $mailboxes = @(Get-EXOMailbox -ResultSize Unlimited)
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXOCalendarPermission' {
    It 'finds each default calendar through folder statistics, whatever its localized name' {
        $perms = @($mailboxes | Get-EXOCalendarPermission -User Default)
        $perms.Count | Should -Be $mailboxes.Count
        $names = $perms.FolderName | Sort-Object -Unique
        @($names).Count | Should -BeGreaterThan 1
        $names | Where-Object { $_ -ne 'Calendar' } | Should -Not -BeNullOrEmpty
        foreach ($p in $perms | Select-Object -First 10) {
            $calendar = Get-EXOMailboxFolderStatistics $p.Mailbox -FolderScope Calendar | Where-Object FolderType -eq 'Calendar'
            $p.FolderName | Should -Be $calendar.Name
        }
    }

    It 'returns ExoDelegated.CalendarPermission entries with the mailbox, in a table' {
        $m = $mailboxes[0]
        $p = @(Get-EXOCalendarPermission -Identity $m.UserPrincipalName)
        $p.User | Should -Contain 'Default'
        $p.User | Should -Contain 'Anonymous'
        (Get-TestRecordType $p[0]) | Should -Be 'ExoDelegated.CalendarPermission'
        $p[0].Mailbox | Should -Be $m.UserPrincipalName
        $p[0].Identity | Should -BeLike "*:\$($p[0].FolderName)"
        ($p | Out-String -Width 200) | Should -Match 'Mailbox\s+FolderName\s+User\s+AccessRights\s+SharingPermissionFlags'
    }

    It 'asks Exchange once for the folder and once for the permissions per mailbox' {
        Reset-ExoEmulatorStats $emu
        $null = $mailboxes | Select-Object -First 4 | Get-EXOCalendarPermission
        $by = (Get-ExoEmulatorStats $emu).requests.byCmdlet
        $by.'Get-MailboxFolderStatistics' | Should -Be 4
        $by.'Get-MailboxFolderPermission' | Should -Be 4
    }

    It 'accepts a folder identity as is, and the -Mailbox alias' {
        $p = Get-EXOCalendarPermission -Identity $mailboxes[1].UserPrincipalName -User Default
        (Get-EXOCalendarPermission -Identity $p.Identity -User Default).AccessRights | Should -Be $p.AccessRights
        (Get-EXOCalendarPermission -Mailbox $mailboxes[1].UserPrincipalName -User Default).Identity | Should -Be $p.Identity
    }

    It 'uses the connection the piped mailboxes came from' {
        $other = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'other' }
        try {
            $p = @(Get-EXOMailbox -Connection $c -ResultSize 2 | Get-EXOCalendarPermission -User Default)
            $p.Count | Should -Be 2
            $p.Mailbox | ForEach-Object { $_ | Should -BeLike "*@$($emu.customers[0].domain)" }
        }
        finally { Disconnect-ExoDelegated -Connection $other }
    }

    It 'writes ExoDelegated.NotFound for an unknown mailbox and goes on with the next' {
        $out = @('nobody@nowhere.example', $mailboxes[0].UserPrincipalName | Get-EXOCalendarPermission -User Default -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Get-EXOCalendarPermission'
        $err[0].TargetObject | Should -Be 'nobody@nowhere.example'
    }
}

Describe 'No secret leaked by Get-EXOCalendarPermission' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
