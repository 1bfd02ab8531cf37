# Add-EXOCalendarPermission: new entries on localized calendars, ShouldProcess, duplicates.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 30
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
    $users = @(Get-EXOMailbox -RecipientTypeDetails UserMailbox -ResultSize Unlimited)
    $shared = @(Get-EXOMailbox -RecipientTypeDetails SharedMailbox -ResultSize 3)
    $assistant = $users[-1].UserPrincipalName
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Add-EXOCalendarPermission' {
    It 'adds nothing with -WhatIf' {
        Reset-ExoEmulatorStats $emu
        Add-EXOCalendarPermission -Identity $users[0].UserPrincipalName -User $assistant -AccessRights Editor -WhatIf
        (Get-ExoEmulatorStats $emu).writes.applied | Should -Be 0
        Get-EXOCalendarPermission $users[0].UserPrincipalName | Where-Object User -eq $users[-1].DisplayName | Should -BeNullOrEmpty
    }

    It 'adds an entry to the default calendar and returns it' {
        $added = Add-EXOCalendarPermission -Identity $users[0].UserPrincipalName -User $assistant -AccessRights Editor
        (Get-TestRecordType $added) | Should -Be 'ExoDelegated.CalendarPermission'
        $added.AccessRights | Should -Be 'Editor'
        $added.Mailbox | Should -Be $users[0].UserPrincipalName
        (Get-EXOCalendarPermission $users[0].UserPrincipalName -User $assistant).AccessRights | Should -Be 'Editor'
    }

    It 'adds the entry to every mailbox piped in' {
        $shared.Count | Should -BeGreaterThan 0
        $added = @($shared | Add-EXOCalendarPermission -User $assistant -AccessRights Reviewer -Confirm:$false)
        $added.Count | Should -Be $shared.Count
        @($shared | Get-EXOCalendarPermission -User $assistant).AccessRights | Sort-Object -Unique | Should -Be 'Reviewer'
    }

    It 'adds with -SharingPermissionFlags and -SendNotificationToUser' {
        $added = Add-EXOCalendarPermission -Identity $users[1].UserPrincipalName -User $assistant -AccessRights Editor -SharingPermissionFlags Delegate -SendNotificationToUser
        $added.SharingPermissionFlags | Should -Be 'Delegate'
    }

    It 'writes a non-terminating error when the user already has an entry' {
        $null = Add-EXOCalendarPermission -Identity $users[0].UserPrincipalName -User $assistant -AccessRights Reviewer -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.*,Add-EXOCalendarPermission'
        $err[0].ErrorDetails.Message | Should -Match 'existing permission entry'
        { Add-EXOCalendarPermission -Identity $users[0].UserPrincipalName -User $assistant -AccessRights Reviewer -ErrorAction Stop } | Should -Throw
    }
}

Describe 'No secret leaked by Add-EXOCalendarPermission' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
