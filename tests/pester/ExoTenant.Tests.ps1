# The tenant on every object: ExoTenant on every record of every command (set once per page
# by the interop PageReader), an ExoTenant column in the default tables when more than one
# connection is open, multi-valued properties kept as arrays.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 4
    $a = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'a' }
    $mbx = Get-TestMailbox $a
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'ExoTenant' {
    It 'is on every object of every command, holding the tenant as connected' {
        $upn = $mbx.UserPrincipalName
        $outputs = [ordered]@{
            'Get-EXOMailbox'                 = @(Get-EXOMailbox -Connection $a -ResultSize 2)
            'Get-EXORecipient'               = @(Get-EXORecipient -Connection $a -ResultSize 2)
            'Get-EXOMailboxPermission'       = @(Get-EXOMailboxPermission -Connection $a -Identity $upn)
            'Get-EXORecipientPermission'     = @(Get-EXORecipientPermission -Connection $a -Identity $upn)
            'Get-EXOMailboxStatistics'       = @(Get-EXOMailboxStatistics -Connection $a -Identity $upn)
            'Get-EXOMailboxFolderStatistics' = @(Get-EXOMailboxFolderStatistics -Connection $a -Identity $upn -FolderScope Calendar)
            'Get-EXOCasMailbox'              = @(Get-EXOCasMailbox -Connection $a -Identity $upn)
            'Get-EXOCalendarPermission'      = @(Get-EXOCalendarPermission -Connection $a -Identity $upn)
            'Get-EXOMailboxFolderPermission' = @(Get-EXOMailboxFolderPermission -Connection $a -Identity (Get-EXOCalendarPermission -Connection $a -Identity $upn)[0].Identity)
            'Invoke-ExoCommand'              = @(Invoke-ExoCommand Get-Mailbox @{ ResultSize = 2 } -Connection $a)
        }
        foreach ($entry in $outputs.GetEnumerator()) {
            $entry.Value.Count | Should -BeGreaterThan 0 -Because $entry.Key
            foreach ($o in $entry.Value) { $o.ExoTenant | Should -Be $a.TenantId -Because $entry.Key }
        }
        $devices = @(Get-EXOMailbox -Connection $a -ResultSize Unlimited | Get-EXOMobileDeviceStatistics)
        $devices.Count | Should -BeGreaterThan 0
        $devices.ExoTenant | Sort-Object -Unique | Should -Be $a.TenantId
    }

    It 'groups and exports per tenant without Select-Object, AccessRights staying an array' {
        $b = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'b' }
        try {
            $perms = @(foreach ($c in $a, $b) { Get-EXOMailbox -Connection $c -ResultSize Unlimited | Get-EXOMailboxPermission })
            $groups = @($perms | Group-Object ExoTenant)
            ($groups.Name | Sort-Object) | Should -Be (@($a.TenantId, $b.TenantId) | Sort-Object)
            $perms[0].AccessRights -is [array] | Should -BeTrue
            $csv = $perms | Select-Object ExoTenant, Identity, User, @{ n = 'AccessRights'; e = { $_.AccessRights -join ',' } } | ConvertTo-Csv
            $csv[1] | Should -Match ('^"' + [regex]::Escape($perms[0].ExoTenant) + '"')
        }
        finally { Disconnect-ExoDelegated -Connection $b }
    }

    It 'is a column of the default table only while more than one connection is open' {
        (Get-EXOMailbox -Connection $a -ResultSize 2 | Out-String -Width 300) | Should -Not -Match 'ExoTenant'
        $b = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'b' }
        try {
            foreach ($text in @(
                    (Get-EXOMailbox -Connection $a -ResultSize 2 | Out-String -Width 300),
                    (Get-EXOCalendarPermission -Connection $b -Identity (Get-TestMailbox $b).UserPrincipalName | Out-String -Width 300),
                    (Get-EXOMailboxPermission -Connection $a -Identity $mbx.UserPrincipalName | Out-String -Width 300))) {
                ($text -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1) | Should -Match '^\s*ExoTenant\s'
            }
        }
        finally { Disconnect-ExoDelegated -Connection $b }
    }

    It 'has a tenant twin for every record table view' {
        [xml]$format = Get-Content -Raw (Join-Path $RepoRoot 'psmodule/ExoDelegated/ExoDelegated.Format.ps1xml')
        $views = @($format.Configuration.ViewDefinitions.View)
        $records = @($views | Where-Object { $_.Name -notmatch '#ExoTenant$' -and $_.Name -notin 'ExoDelegated.Connection', 'ExoDelegated.Version', 'ExoDelegated.Customer', 'ExoDelegated.Emulator' })
        $records.Count | Should -BeGreaterThan 5
        foreach ($v in $records) {
            $twin = $views | Where-Object { $_.Name -eq "$($v.Name)#ExoTenant" }
            $twin | Should -Not -BeNullOrEmpty -Because $v.Name
            $twin.TableControl.TableHeaders.TableColumnHeader[0].Label | Should -Be 'ExoTenant'
            $twin.TableControl.TableHeaders.TableColumnHeader.Count | Should -Be ($v.TableControl.TableHeaders.TableColumnHeader.Count + 1)
        }
    }

    It 'shows the -join for CSV in the help' {
        foreach ($command in 'Get-EXOMailboxPermission', 'Get-EXOCalendarPermission') {
            (Get-Help $command -Examples | Out-String) | Should -Match "AccessRights -join ','" -Because $command
        }
    }
}

Describe 'The mobile device table view' {
    It 'shows the mailbox, the device and its last sync' {
        $text = Get-EXOMailbox -Connection $a -ResultSize Unlimited | Get-EXOMobileDeviceStatistics | Out-String -Width 200
        $text | Should -Match 'Mailbox\s+DeviceFriendlyName\s+DeviceType\s+DeviceOS\s+LastSuccessSync\s+Status'
        $text | Should -Match ([regex]::Escape($mbx.Alias))
    }
}
