# Invoke-ExoCommand: any cmdlet; reads stream; writes go through ShouldProcess (-WhatIf/-Confirm).
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 20
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
    $mailboxes = @(Get-EXOMailbox -RecipientTypeDetails UserMailbox -ResultSize Unlimited)
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Invoke-ExoCommand' {
    It 'runs a read cmdlet with parameters and names the output type after the noun (ExoDelegated.Mailbox)' {
        $r = @(Invoke-ExoCommand -Name Get-Mailbox -Parameters @{ RecipientTypeDetails = 'UserMailbox'; ResultSize = 'Unlimited' })
        $r.Count | Should -Be $mailboxes.Count
        (Get-TestRecordType $r[0]) | Should -Be 'ExoDelegated.Mailbox'
        (Get-TestRecordType (Invoke-ExoCommand Get-CASMailbox @{ Identity = $mailboxes[0].UserPrincipalName })) | Should -Be 'ExoDelegated.CASMailbox'
    }

    It 'returns only -Properties, at most -ResultSize objects, with -TypeName' {
        $r = @(Invoke-ExoCommand Get-Mailbox @{ ResultSize = 'Unlimited' } -Properties Alias, PrimarySmtpAddress -ResultSize 3 -TypeName 'My.Mailbox')
        $r.Count | Should -Be 3
        ($r[0].PSObject.Properties.Name | Sort-Object) | Should -Be @('Alias', 'ExoTenant', 'PrimarySmtpAddress')
        (Get-TestRecordType $r[0]) | Should -Be 'My.Mailbox'
    }

    It 'runs against -Connection' {
        $other = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'other' }
        try {
            (Invoke-ExoCommand Get-Mailbox @{ ResultSize = 1 } -Connection $c).PrimarySmtpAddress | Should -BeLike "*@$($emu.customers[0].domain)"
            (Invoke-ExoCommand Get-Mailbox @{ ResultSize = 1 }).PrimarySmtpAddress | Should -BeLike "*@$($emu.customers[1].domain)"
        }
        finally { Disconnect-ExoDelegated -Connection $other }
    }

    It 'does not apply a write with -WhatIf: Exchange checks it with its own WhatIf switch' {
        Reset-ExoEmulatorStats $emu
        Invoke-ExoCommand Set-Mailbox @{ Identity = $mailboxes[0].UserPrincipalName; CustomAttribute1 = 'whatif' } -Connection $c -WhatIf -WarningVariable w
        $stats = Get-ExoEmulatorStats $emu
        $stats.writes.applied | Should -Be 0
        $stats.writes.whatIf | Should -Be 1
        "$w" | Should -Match '^What if:'
        (Get-EXOMailbox $mailboxes[0].UserPrincipalName -Properties CustomAttribute1).CustomAttribute1 | Should -Not -Be 'whatif'
    }

    It 'asks ShouldProcess for writes (ConfirmImpact Medium) and applies them with -Confirm:$false' {
        (Get-Command Invoke-ExoCommand).ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] }).ConfirmImpact | Should -Be 'Medium'
        Reset-ExoEmulatorStats $emu
        Invoke-ExoCommand Set-Mailbox @{ Identity = $mailboxes[0].UserPrincipalName; CustomAttribute1 = 'applied' } -Confirm:$false
        (Get-ExoEmulatorStats $emu).writes.byCmdlet.'Set-Mailbox' | Should -Be 1
        (Get-EXOMailbox $mailboxes[0].UserPrincipalName -Properties CustomAttribute1).CustomAttribute1 | Should -Be 'applied'
    }

    It 'does not ask ShouldProcess for Get and Test cmdlets (they run under -WhatIf)' {
        @(Invoke-ExoCommand Get-Mailbox @{ ResultSize = 2 } -WhatIf).Count | Should -Be 2
    }

    It 'sends a hashtable as a multi-valued Add/Remove change' {
        $upn = $mailboxes[1].UserPrincipalName
        $extra = "smtp:extra.$($mailboxes[1].Alias)@$($emu.customers[0].domain)"
        Invoke-ExoCommand Set-Mailbox @{ Identity = $upn; EmailAddresses = @{ Add = $extra } } -Confirm:$false
        (Get-EXOMailbox $upn).EmailAddresses | Should -Contain $extra
        Invoke-ExoCommand Set-Mailbox @{ Identity = $upn; EmailAddresses = @{ Remove = $extra } } -Confirm:$false
        (Get-EXOMailbox $upn).EmailAddresses | Should -Not -Contain $extra
    }

    It 'sends booleans and switches' {
        $upn = $mailboxes[2].UserPrincipalName
        Invoke-ExoCommand Set-Mailbox @{ Identity = $upn; HiddenFromAddressListsEnabled = $true; Force = [switch]$true } -Confirm:$false
        (Get-EXOMailbox $upn -Properties HiddenFromAddressListsEnabled).HiddenFromAddressListsEnabled | Should -BeTrue
    }

    It 'passes @adminapi.warnings on as warnings' {
        $upn = $mailboxes[0].UserPrincipalName
        Invoke-ExoCommand Set-Mailbox @{ Identity = $upn; CustomAttribute1 = 'applied' } -Confirm:$false -WarningVariable w
        "$w" | Should -Match 'no settings of .* have been modified'
    }

    It 'writes a non-terminating ExoDelegated.NotFound error for an unknown identity' {
        Invoke-ExoCommand Set-Mailbox @{ Identity = 'nobody@nowhere.example'; CustomAttribute1 = 'x' } -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Invoke-ExoCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'nobody@nowhere.example'
    }

    It 'reports an unknown parameter or cmdlet as Exchange does' {
        Invoke-ExoCommand Get-Mailbox @{ NoSuchParameter = 1 } -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.InvalidParameter,Invoke-ExoCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Invoke-ExoCommand Get-NoSuchThing -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2.Count | Should -Be 1
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.*,Invoke-ExoCommand'
        { Invoke-ExoCommand 'not a cmdlet' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Invoke-ExoCommand'
    }
}

Describe 'No secret leaked by Invoke-ExoCommand' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
