# Get-EXOMailboxPermission: Get-EXOMailbox | Get-EXOMailboxPermission, -User, errors per item.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 15
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXOMailboxPermission' {
    It 'lists the permissions of a mailbox as ExoDelegated.MailboxPermission' {
        $m = Get-EXOMailbox -ResultSize 1
        $p = @(Get-EXOMailboxPermission -Identity $m.UserPrincipalName)
        $p.Count | Should -BeGreaterThan 0
        (Get-TestRecordType $p[0]) | Should -Be 'ExoDelegated.MailboxPermission'
        $p.User | Should -Contain 'NT AUTHORITY\SELF'
        ($p | Out-String -Width 200) | Should -Match 'Identity\s+User\s+AccessRights\s+IsInherited\s+Deny'
    }

    It 'takes the mailboxes from Get-EXOMailbox through the pipeline' {
        $shared = @(Get-EXOMailbox -RecipientTypeDetails SharedMailbox -ResultSize Unlimited)
        $shared.Count | Should -BeGreaterThan 0
        $perms = @($shared | Get-EXOMailboxPermission)
        ($perms.Identity | Sort-Object -Unique) | Should -Be ($shared.Alias | Sort-Object -Unique)
        @($perms | Where-Object { $_.AccessRights -contains 'FullAccess' -and $_.User -ne 'NT AUTHORITY\SELF' }).Count | Should -BeGreaterThan 0
    }

    It 'filters by -User, trims with -Properties and limits with -ResultSize' {
        $m = Get-EXOMailbox -ResultSize 1
        @(Get-EXOMailboxPermission $m.UserPrincipalName -User 'NT AUTHORITY\SELF').User | Sort-Object -Unique | Should -Be 'NT AUTHORITY\SELF'
        $trimmed = Get-EXOMailboxPermission $m.UserPrincipalName -Properties User, AccessRights | Select-Object -First 1
        ($trimmed.PSObject.Properties.Name | Sort-Object) | Should -Be @('AccessRights', 'ExoTenant', 'User')
        @(Get-EXOMailboxPermission $m.UserPrincipalName -ResultSize 1).Count | Should -Be 1
    }

    It 'requires -Identity' {
        (Get-Command Get-EXOMailboxPermission).Parameters.Identity.Attributes.Where({ $_ -is [Parameter] }).Mandatory | Should -Contain $true
    }

    It 'writes ExoDelegated.NotFound per unknown mailbox and continues with the next' {
        $m = Get-EXOMailbox -ResultSize 1
        $out = @('nobody@nowhere.example', $m.UserPrincipalName | Get-EXOMailboxPermission -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -BeGreaterThan 0
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Get-EXOMailboxPermission'
        $err[0].TargetObject | Should -Be 'nobody@nowhere.example'
    }
}

Describe 'No secret leaked by Get-EXOMailboxPermission' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
