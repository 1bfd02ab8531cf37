# Set-EXOCalendarPermission: changes on localized calendars, ShouldProcess, pipeline binding.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 40
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
    $defaults = @(Get-EXOMailbox -RecipientTypeDetails UserMailbox -ResultSize Unlimited | Get-EXOCalendarPermission -User Default)
    $german = @($defaults | Where-Object FolderName -eq 'Kalender')
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Set-EXOCalendarPermission' {
    It 'changes nothing with -WhatIf, and names the localized calendar' {
        $german.Count | Should -BeGreaterThan 0
        Reset-ExoEmulatorStats $emu
        # A dry run Exchange checks: sent with Exchange's WhatIf switch, nothing applied.
        Set-EXOCalendarPermission -Identity $german[0].Mailbox -User Default -AccessRights Reviewer -WhatIf -WarningVariable whatIf
        $stats = Get-ExoEmulatorStats $emu
        $stats.writes.applied | Should -Be 0
        $stats.writes.whatIf | Should -Be 1
        "$whatIf" | Should -Match ':\\Kalender'
        (Get-EXOCalendarPermission $german[0].Mailbox -User Default).AccessRights | Should -Be $german[0].AccessRights
    }

    It 'sets a permission on the default calendar, e.g. Kalender' {
        Set-EXOCalendarPermission -Identity $german[0].Mailbox -User Default -AccessRights Reviewer
        (Get-ExoEmulatorStats $emu).writes.log[-1].identity | Should -BeLike '*:\Kalender'
        (Get-EXOCalendarPermission $german[0].Mailbox -User Default).AccessRights | Should -Be 'Reviewer'
    }

    It 'has ConfirmImpact Medium' {
        (Get-Command Set-EXOCalendarPermission).ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] }).ConfirmImpact | Should -Be 'Medium'
    }

    It 'changes every mailbox piped in from Get-EXOMailbox' {
        $some = @(Get-EXOMailbox -RecipientTypeDetails UserMailbox -ResultSize 5)
        Reset-ExoEmulatorStats $emu
        $some | Set-EXOCalendarPermission -User Default -AccessRights LimitedDetails -Confirm:$false
        (Get-ExoEmulatorStats $emu).writes.byCmdlet.'Set-MailboxFolderPermission' | Should -Be 5
        @($some | Get-EXOCalendarPermission -User Default).AccessRights | Sort-Object -Unique | Should -Be 'LimitedDetails'
    }

    It 'takes Identity and User from calendar permissions piped in' {
        $entry = Get-EXOCalendarPermission $defaults[-1].Mailbox -User Default
        $entry | Set-EXOCalendarPermission -AccessRights AvailabilityOnly
        (Get-EXOCalendarPermission $defaults[-1].Mailbox -User Default).AccessRights | Should -Be 'AvailabilityOnly'
    }

    It 'sets delegate flags with -SharingPermissionFlags' {
        $owner = $defaults[2].Mailbox
        $delegate = $defaults[3].Mailbox
        $null = Add-EXOCalendarPermission -Identity $owner -User $delegate -AccessRights Reviewer
        Set-EXOCalendarPermission -Identity $owner -User $delegate -AccessRights Editor -SharingPermissionFlags Delegate
        $p = Get-EXOCalendarPermission $owner -User $delegate
        $p.AccessRights | Should -Be 'Editor'
        $p.SharingPermissionFlags | Should -Be 'Delegate'
    }

    It 'writes an error for a user without an entry, and for an unknown mailbox, and goes on' {
        $stranger = $defaults[4].Mailbox
        $null = $defaults[5].Mailbox, 'nobody@nowhere.example', $defaults[6].Mailbox |
            Set-EXOCalendarPermission -User $stranger -AccessRights Reviewer -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 3
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.*,Set-EXOCalendarPermission'
        $err[0].ErrorDetails.Message | Should -Match 'no existing permission entry'
        $err[1].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Set-EXOCalendarPermission'
    }

    It 'rejects an invalid access right with ExoDelegated.InvalidParameter' {
        $null = Set-EXOCalendarPermission -Identity $defaults[0].Mailbox -User Default -AccessRights Superuser -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.InvalidParameter,Set-EXOCalendarPermission'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'No secret leaked by Set-EXOCalendarPermission' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
