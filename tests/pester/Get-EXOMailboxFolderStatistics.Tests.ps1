# Get-EXOMailboxFolderStatistics: folders with localized names, -FolderScope, pipeline.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 15
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXOMailboxFolderStatistics' {
    It 'lists the folders of a mailbox as ExoDelegated.MailboxFolderStatistics' {
        $m = Get-EXOMailbox -ResultSize 1
        $f = @(Get-EXOMailboxFolderStatistics -Identity $m.UserPrincipalName)
        $f.Count | Should -BeGreaterThan 5
        (Get-TestRecordType $f[0]) | Should -Be 'ExoDelegated.MailboxFolderStatistics'
        $f.FolderType | Should -Contain 'Inbox'
        ($f | Out-String -Width 200) | Should -Match 'Name\s+FolderPath\s+FolderType\s+ItemsInFolder\s+FolderSize'
    }

    It 'returns only the calendar folders with -FolderScope Calendar, whatever their language' {
        $names = Get-EXOMailbox -ResultSize Unlimited | Get-EXOMailboxFolderStatistics -FolderScope Calendar |
            Where-Object FolderType -eq 'Calendar' | ForEach-Object Name | Sort-Object -Unique
        @($names).Count | Should -BeGreaterThan 1 -Because 'the estate has mailboxes in several languages'
        { Get-EXOMailboxFolderStatistics x -FolderScope Nonsense } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Get-EXOMailboxFolderStatistics'
    }

    It 'passes -IncludeOldestAndNewestItems and honours -ResultSize and -Properties' {
        $m = Get-EXOMailbox -ResultSize 1
        (Get-EXOMailboxFolderStatistics $m.UserPrincipalName -FolderScope Inbox -IncludeOldestAndNewestItems).PSObject.Properties.Name | Should -Contain 'NewestItemReceivedDate'
        @(Get-EXOMailboxFolderStatistics $m.UserPrincipalName -ResultSize 3).Count | Should -Be 3
        $p = Get-EXOMailboxFolderStatistics $m.UserPrincipalName -Properties Name, FolderType | Select-Object -First 1
        ($p.PSObject.Properties.Name | Sort-Object) | Should -Be @('ExoTenant', 'FolderType', 'Name')
    }

    It 'writes ExoDelegated.NotFound per unknown mailbox and continues' {
        $m = Get-EXOMailbox -ResultSize 1
        $out = @('nobody@nowhere.example', $m.UserPrincipalName | Get-EXOMailboxFolderStatistics -FolderScope Inbox -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -BeGreaterThan 0
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Get-EXOMailboxFolderStatistics'
    }
}

Describe 'No secret leaked by Get-EXOMailboxFolderStatistics' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
