# Get-EXORecipientPermission: Send As entries, whole tenant or per recipient, -Trustee, -AccessRights.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 15
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXORecipientPermission' {
    It 'lists Send As entries of the whole tenant as ExoDelegated.RecipientPermission' {
        $p = @(Get-EXORecipientPermission -ResultSize Unlimited)
        $p.Count | Should -BeGreaterThan 15
        (Get-TestRecordType $p[0]) | Should -Be 'ExoDelegated.RecipientPermission'
        ($p | Select-Object -First 2 | Out-String -Width 200) | Should -Match 'Identity\s+Trustee\s+AccessControlType\s+AccessRights'
    }

    It 'lists the entries of one recipient, given or piped in' {
        $m = Get-EXOMailbox -ResultSize 1
        @(Get-EXORecipientPermission -Identity $m.UserPrincipalName).Identity | Sort-Object -Unique | Should -Be $m.Alias
        @($m | Get-EXORecipientPermission).Identity | Sort-Object -Unique | Should -Be $m.Alias
    }

    It 'filters by -Trustee and -AccessRights and limits with -ResultSize' {
        @(Get-EXORecipientPermission -Trustee 'NT AUTHORITY\SELF' -ResultSize 5).Trustee | Sort-Object -Unique | Should -Be 'NT AUTHORITY\SELF'
        @(Get-EXORecipientPermission -AccessRights SendAs -ResultSize 3).Count | Should -Be 3
        $null = Get-EXORecipientPermission -AccessRights FullAccess -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.*,Get-EXORecipientPermission'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'writes ExoDelegated.NotFound for an unknown recipient' {
        $null = Get-EXORecipientPermission -Identity 'nobody@nowhere.example' -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Get-EXORecipientPermission'
    }
}

Describe 'No secret leaked by Get-EXORecipientPermission' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
