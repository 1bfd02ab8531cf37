# Native fan-out: one command over several connections (-Connection $all, or connections piped
# in), run concurrently in the native core and streamed back tagged with their tenant. Through
# the real path against exo-emulator, compared with the same command run tenant by tenant.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 4 -Mailboxes 7 -ArgumentList '--max-page-size', '3'
    $all = @(0..3 | ForEach-Object { Connect-TestTenant $emu -Index $_ -Options @{ PageSize = 3 } })
    # What each tenant holds, one connection at a time.
    $expected = @{}
    foreach ($c in $all) { $expected[$c.TenantId] = @(Get-EXOMailbox -Connection $c -ResultSize Unlimited).UserPrincipalName | Sort-Object }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Several connections at once' {
    It 'returns every tenant''s records exactly once, each tagged with its tenant (ExoTenant)' {
        $records = @(Get-EXOMailbox -Connection $all -ResultSize Unlimited -ThrottleLimit 3)
        $records.Count | Should -Be (($expected.Values | ForEach-Object Count) | Measure-Object -Sum).Sum
        foreach ($c in $all) {
            $mine = @($records | Where-Object ExoTenant -eq $c.TenantId)
            ($mine.UserPrincipalName | Sort-Object) | Should -Be $expected[$c.TenantId]
            $mine[0].PSObject.TypeNames | Should -Contain 'ExoDelegated.Mailbox'
        }
        ($records | Group-Object ExoTenant).Count | Should -Be 4
    }

    It 'takes the connections from the pipeline, and the records pipe on into their own tenant' {
        $records = @($all | Get-EXOMailbox -ResultSize Unlimited)
        foreach ($c in $all) { (@($records | Where-Object ExoTenant -eq $c.TenantId).UserPrincipalName | Sort-Object) | Should -Be $expected[$c.TenantId] }
        # The all-customers job: each mailbox's calendar permissions come from its own tenant.
        $perms = @($all | Get-EXOMailbox -ResultSize 2 | Get-EXOCalendarPermission)
        ($perms | Group-Object ExoTenant).Count | Should -Be 4
        foreach ($p in $perms) { $expected[$p.ExoTenant] | Should -Contain $p.Mailbox }
    }

    It 'runs Invoke-ExoCommand in every tenant; a tenant that fails is one error naming it, the others go on' {
        $target = $all[2]
        $upn = $expected[$target.TenantId][0]
        $errs = $null
        $found = @(Invoke-ExoCommand Get-Mailbox @{ Identity = $upn } -Connection $all -ErrorAction SilentlyContinue -ErrorVariable errs)
        $found.Count | Should -Be 1
        $found[0].ExoTenant | Should -Be $target.TenantId
        @($errs).Count | Should -Be 3
        foreach ($e in $errs) {
            $e.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.NotFound,*'
            $e.TargetObject | Should -BeIn @($all.TenantId)
            "$e" | Should -Match ('^Tenant ' + [regex]::Escape($e.TargetObject))
        }
        @($errs.TargetObject | Sort-Object) | Should -Be @($all.TenantId | Where-Object { $_ -ne $target.TenantId } | Sort-Object)
    }

    It 'stops every tenant''s work when the pipeline has enough' {
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $first = @(Get-EXOMailbox -Connection $all -ResultSize Unlimited -ThrottleLimit 1 | Select-Object -First 1)
        $first.Count | Should -Be 1
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 10
        # The connections are still usable afterwards.
        @(Get-EXOMailbox -Connection $all[0] -ResultSize 1).Count | Should -Be 1
    }

    It 'still returns every record exactly once when Exchange throttles and fails transiently' {
        $busy = Start-ExoEmulator -Tenants 3 -Mailboxes 7 -Faults 'throttle=0.15,transient=0.1,scope=exchange' -ArgumentList '--max-page-size', '3'
        try {
            $conns = @(0..2 | ForEach-Object { Connect-TestTenant $busy -Index $_ -Options @{ Name = "busy$_"; PageSize = 3; MaximumRetryCount = 20; MaximumRetryWaitSec = 1 } })
            $records = @(Get-EXOMailbox -Connection $conns -ResultSize Unlimited)
            $records.Count | Should -Be 21
            foreach ($c in $conns) {
                $mine = @($records | Where-Object ExoTenant -eq $c.TenantId)
                $mine.Count | Should -Be 7
                @($mine.UserPrincipalName | Sort-Object -Unique).Count | Should -Be 7
            }
            (Get-ExoEmulatorStats $busy).faults.byEndpoint.invokeCommand | Should -BeGreaterThan 0
            Disconnect-ExoDelegated -Connection $conns
        }
        finally { Stop-ExoEmulator $busy }
    }

    It 'accepts connection names and a single connection as before' {
        @(Get-EXORecipient -Connection $all[0].Name, $all[1].Name -ResultSize Unlimited | Group-Object ExoTenant).Count | Should -Be 2
        @(Get-EXOCasMailbox -Connection $all[3] -ResultSize 2).Count | Should -Be 2
    }
}
