# Get-EXOMailboxFolderPermission: '<mailbox>:\<folder>' identities, -User, errors.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 15
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
    $m = Get-EXOMailbox -ResultSize 1
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXOMailboxFolderPermission' {
    It 'lists the permissions of a folder as ExoDelegated.MailboxFolderPermission' {
        $inbox = (Get-EXOMailboxFolderStatistics $m.UserPrincipalName -FolderScope Inbox | Select-Object -First 1).Name
        $p = @(Get-EXOMailboxFolderPermission -Identity "$($m.UserPrincipalName):\$inbox")
        $p.User | Should -Contain 'Default'
        $p.User | Should -Contain 'Anonymous'
        (Get-TestRecordType $p[0]) | Should -Be 'ExoDelegated.MailboxFolderPermission'
        ($p | Out-String -Width 200) | Should -Match 'FolderName\s+User\s+AccessRights\s+SharingPermissionFlags'
    }

    It 'takes folder identities from the pipeline and filters by -User' {
        $inbox = (Get-EXOMailboxFolderStatistics $m.UserPrincipalName -FolderScope Inbox | Select-Object -First 1).Name
        $p = @("$($m.UserPrincipalName):\$inbox" | Get-EXOMailboxFolderPermission -User Default)
        $p.Count | Should -Be 1
        $p[0].User | Should -Be 'Default'
        $trimmed = Get-EXOMailboxFolderPermission "$($m.UserPrincipalName):\$inbox" -Properties User | Select-Object -First 1
        $trimmed.PSObject.Properties.Name | Should -Be @('User', 'ExoTenant')
    }

    It 'fails per item with an ExoDelegated error for a folder that does not exist' {
        $null = "$($m.UserPrincipalName):\No such folder" | Get-EXOMailboxFolderPermission -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.*,Get-EXOMailboxFolderPermission'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'No secret leaked by Get-EXOMailboxFolderPermission' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
