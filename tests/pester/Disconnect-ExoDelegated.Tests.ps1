# Disconnect-ExoDelegated: by -Connection (and pipeline), -Name, -All, the current one; -WhatIf.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 5
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Disconnect-ExoDelegated' {
    BeforeEach { Disconnect-ExoDelegated -All }

    It 'has the parameter sets Current (default), Connection, Name and All' {
        $cmd = Get-Command Disconnect-ExoDelegated
        $cmd.DefaultParameterSet | Should -Be 'Current'
        ($cmd.ParameterSets.Name | Sort-Object) | Should -Be @('All', 'Connection', 'Current', 'Name')
    }

    It 'closes the current connection; the newest remaining one becomes current' {
        $a = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'a' }
        $b = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'b' }
        Disconnect-ExoDelegated
        $b.State | Should -Be 'Disconnected'
        $a.State | Should -Be 'Connected'
        (Get-ExoDelegatedConnection -Current).Name | Should -Be 'a'
        @(Get-ExoDelegatedConnection).Name | Should -Be @('a')
    }

    It 'ends an enumeration that is running with ExoDelegated.Disconnected, pages read ahead included' {
        # Five mailboxes in pages of two: when the first record reaches downstream, the next pages
        # may already be read ahead; none of them comes out after the disconnect.
        $a = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'a'; PageSize = 2 }
        $seen = [System.Collections.Generic.List[object]]::new()
        $err = $null
        try { Get-EXOMailbox -Connection $a -ResultSize Unlimited | ForEach-Object { $seen.Add($_); if ($seen.Count -eq 1) { Disconnect-ExoDelegated -Connection $a } } }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.Disconnected*'
        $err.Exception.Message | Should -BeLike "*'a' was disconnected while Get-Mailbox was running*"
        $seen.Count | Should -Be 2
    }

    It 'closes connections given by -Connection or piped in' {
        $a = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'a' }
        $b = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'b' }
        Disconnect-ExoDelegated -Connection $a
        $a.State | Should -Be 'Disconnected'
        Get-ExoDelegatedConnection -Name b | Disconnect-ExoDelegated
        $b.State | Should -Be 'Disconnected'
        Get-ExoDelegatedConnection | Should -BeNullOrEmpty
        Get-ExoDelegatedConnection -Current | Should -BeNullOrEmpty
    }

    It 'closes connections by -Name, with wildcards, and reports an unknown name' {
        $null = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'tenant-1' }
        $null = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'tenant-2' }
        $null = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'keep' }
        Disconnect-ExoDelegated -Name 'tenant-*'
        @(Get-ExoDelegatedConnection).Name | Should -Be @('keep')
        Disconnect-ExoDelegated -Name 'nosuch' -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.ConnectionNotFound,Disconnect-ExoDelegated'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'closes every connection with -All' {
        1..3 | ForEach-Object { $null = Connect-TestTenant $emu -Index ($_ % 2) -Options @{ Name = "c$_" } }
        Disconnect-ExoDelegated -All
        Get-ExoDelegatedConnection | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        $a = Connect-TestTenant $emu -Options @{ Name = 'a' }
        Disconnect-ExoDelegated -All -WhatIf
        $a.State | Should -Be 'Connected'
    }

    It 'makes later commands on the closed connection fail with ExoDelegated.Disconnected' {
        $a = Connect-TestTenant $emu -Options @{ Name = 'a' }
        Disconnect-ExoDelegated -Connection $a
        $e = { Get-EXOMailbox -Connection $a -ResultSize 1 } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'ExoDelegated.Disconnected,Get-EXOMailbox'
        $e.CategoryInfo.Category | Should -Be 'ConnectionError'
        { Get-EXOMailbox -ResultSize 1 } | Should -Throw -ErrorId 'ExoDelegated.NotConnected,Get-EXOMailbox'
    }

    It 'is harmless when nothing is connected, or the connection is already closed' {
        { Disconnect-ExoDelegated -ErrorAction Stop } | Should -Not -Throw
        $a = Connect-TestTenant $emu -Options @{ Name = 'a' }
        Disconnect-ExoDelegated -Connection $a
        { Disconnect-ExoDelegated -Connection $a -ErrorAction Stop } | Should -Not -Throw
    }
}

Describe 'No secret leaked by Disconnect-ExoDelegated' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
