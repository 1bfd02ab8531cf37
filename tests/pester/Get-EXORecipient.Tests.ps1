# Get-EXORecipient: Minimum set, property sets, filters, pipeline binding, -Connection, errors.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 15
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXORecipient' {
    It 'has the parameter sets Identity (default) and Anr' {
        $cmd = Get-Command Get-EXORecipient
        $cmd.DefaultParameterSet | Should -Be 'Identity'
        ($cmd.ParameterSets.Name | Sort-Object) | Should -Be @('Anr', 'Identity')
    }

    It 'lists recipients (more than the mailboxes) as ExoDelegated.Recipient with the Minimum set' {
        $r = @(Get-EXORecipient -ResultSize Unlimited)
        $r.Count | Should -BeGreaterThan 15
        (Get-TestRecordType $r[0]) | Should -Be 'ExoDelegated.Recipient'
        $r[0].PSObject.Properties.Name | Should -Contain 'RecipientTypeDetails'
        $r[0].PSObject.Properties.Name | Should -Contain 'ExternalDirectoryObjectId'
        ($r | Out-String -Width 200) | Should -Match 'Name\s+RecipientType\s+RecipientTypeDetails'
    }

    It 'filters with -RecipientTypeDetails, -RecipientType and -Filter' {
        $contacts = @(Get-EXORecipient -RecipientTypeDetails MailContact -ResultSize Unlimited)
        $contacts.Count | Should -BeGreaterThan 0
        $contacts.RecipientTypeDetails | Sort-Object -Unique | Should -Be 'MailContact'
        @(Get-EXORecipient -RecipientType UserMailbox -ResultSize Unlimited).RecipientType | Sort-Object -Unique | Should -Be 'UserMailbox'
        @(Get-EXORecipient -Filter "RecipientTypeDetails -eq 'MailContact'" -ResultSize Unlimited).Count | Should -Be $contacts.Count
    }

    It 'finds recipients by -Identity, -Anr and from the pipeline (by value and property name)' {
        $m = Get-EXOMailbox -ResultSize 1
        (Get-EXORecipient -Identity $m.UserPrincipalName).ExternalDirectoryObjectId | Should -Be $m.ExternalDirectoryObjectId
        (Get-EXORecipient -Anr $m.Alias).ExternalDirectoryObjectId | Should -Contain $m.ExternalDirectoryObjectId
        ($m | Get-EXORecipient).ExternalDirectoryObjectId | Should -Be $m.ExternalDirectoryObjectId
        ($m.PrimarySmtpAddress | Get-EXORecipient).ExternalDirectoryObjectId | Should -Be $m.ExternalDirectoryObjectId
    }

    It 'adds property sets and properties' {
        $r = Get-EXORecipient -ResultSize 1 -PropertySets Custom -Properties PrimarySmtpAddress
        $r.PSObject.Properties.Name | Should -Contain 'CustomAttribute1'
        $r.PSObject.Properties.Name | Should -Contain 'PrimarySmtpAddress'
        $r.PSObject.Properties.Name | Should -Contain 'RecipientTypeDetails'
    }

    It 'honours -ResultSize and -Connection' {
        @(Get-EXORecipient -ResultSize 4).Count | Should -Be 4
        $other = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'other' }
        try {
            (Get-EXORecipient -Connection $other -ResultSize 1 -Properties PrimarySmtpAddress).PrimarySmtpAddress | Should -BeLike "*@$($emu.customers[1].domain)"
        }
        finally { Disconnect-ExoDelegated -Connection $other }
    }

    It 'writes ExoDelegated.NotFound for an unknown recipient and continues' {
        $m = Get-EXOMailbox -ResultSize 1
        $out = @('nobody@nowhere.example', $m.UserPrincipalName | Get-EXORecipient -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Get-EXORecipient'
    }
}

Describe 'No secret leaked by Get-EXORecipient' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
