# Remove-EXOCalendarPermission: ConfirmImpact High, -WhatIf, pipeline, Default cannot be removed.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 30
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
    $users = @(Get-EXOMailbox -RecipientTypeDetails UserMailbox -ResultSize Unlimited)
    $contractor = $users[-1].UserPrincipalName
    $targets = $users[0..3].UserPrincipalName
    $null = $targets | Add-EXOCalendarPermission -User $contractor -AccessRights Reviewer -Confirm:$false
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Remove-EXOCalendarPermission' {
    It 'has ConfirmImpact High, like Remove-MailboxFolderPermission' {
        (Get-Command Remove-EXOCalendarPermission).ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] }).ConfirmImpact | Should -Be 'High'
    }

    It 'removes nothing with -WhatIf' {
        Reset-ExoEmulatorStats $emu
        Remove-EXOCalendarPermission -Identity $targets[0] -User $contractor -WhatIf
        (Get-ExoEmulatorStats $emu).writes.applied | Should -Be 0
        Get-EXOCalendarPermission $targets[0] -User $contractor | Should -Not -BeNullOrEmpty
    }

    It 'removes the entry from the default calendar with -Confirm:$false' {
        Remove-EXOCalendarPermission -Identity $targets[0] -User $contractor -Confirm:$false
        $null = Get-EXOCalendarPermission $targets[0] -User $contractor -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].ErrorDetails.Message | Should -Match 'no existing permission entry'
    }

    It 'removes the entries piped in from Get-EXOCalendarPermission (Identity and User by property name)' {
        Reset-ExoEmulatorStats $emu
        $targets[1..2] | Get-EXOCalendarPermission -User $contractor | Remove-EXOCalendarPermission -Confirm:$false
        (Get-ExoEmulatorStats $emu).writes.byCmdlet.'Remove-MailboxFolderPermission' | Should -Be 2
        @($targets[1..2] | Get-EXOCalendarPermission | Where-Object User -eq $users[-1].DisplayName).Count | Should -Be 0
    }

    It 'removes from mailboxes piped in from Get-EXOMailbox' {
        Get-EXOMailbox -Identity $targets[3] | Remove-EXOCalendarPermission -User $contractor -Confirm:$false
        @(Get-EXOCalendarPermission $targets[3] | Where-Object User -eq $users[-1].DisplayName).Count | Should -Be 0
    }

    It 'writes an error for Default (which can only be set to None)' {
        Remove-EXOCalendarPermission -Identity $targets[0] -User Default -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.*,Remove-EXOCalendarPermission'
        $err[0].ErrorDetails.Message | Should -Match 'Set-MailboxFolderPermission -AccessRights None'
    }
}

Describe 'No secret leaked by Remove-EXOCalendarPermission' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
