# Batching of per-mailbox commands and piped Invoke-ExoCommand invocations through $batch
# (issue 9): the same rows as one request per mailbox, ~10x fewer requests, gzip, per-item
# failures, paging sub-requests, and a write whose batch connection breaks.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 40
    $c = Connect-TestTenant $emu -Options @{ Name = 'batch' }
    $mailboxes = @(Get-EXOMailbox -ResultSize Unlimited)

    function Get-TestRow([object[]] $Permissions) {
        # Every visible column of a permission row, one string each, in output order.
        foreach ($p in $Permissions) { '{0}|{1}|{2}|{3}|{4}' -f $p.Mailbox, $p.FolderName, $p.User, ($p.AccessRights -join ','), $p.ExoTenant }
    }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Batched per-mailbox commands' {
    It 'the forum job gives exactly the rows of -BatchSize 1 with ~10x fewer requests' {
        Reset-ExoEmulatorStats $emu
        $one = @($mailboxes | Get-EXOCalendarPermission -BatchSize 1)
        $s1 = Get-ExoEmulatorStats $emu
        Reset-ExoEmulatorStats $emu
        $batched = @($mailboxes | Get-EXOCalendarPermission)
        $s2 = Get-ExoEmulatorStats $emu

        $one.Count | Should -BeGreaterThan $mailboxes.Count
        (Get-TestRow $batched) | Should -Be (Get-TestRow $one)
        (Get-TestRecordType $batched[0]) | Should -Be 'ExoDelegated.CalendarPermission'
        $batched[0].PSObject.Properties.Name | Should -Not -Contain '@odata.type'

        $s1.requests.byEndpoint.invokeCommand | Should -Be (2 * $mailboxes.Count)
        $s1.requests.byEndpoint.batch | Should -Be 0
        $s2.requests.byEndpoint.invokeCommand | Should -Be 0
        # 40 folder lookups + 40 permission reads, 10 per $batch.
        $s2.requests.byEndpoint.batch | Should -Be 8
        $s2.batch.largest | Should -Be 10
        ($s1.requests.byEndpoint.invokeCommand / $s2.requests.byEndpoint.batch) | Should -BeGreaterOrEqual 10
        $s2.concurrency.maxInFlightByTenant.PSObject.Properties.Value | Should -BeLessOrEqual 4

        # Ten windows of 4 x 4 mailboxes, each sent while the previous one is still in flight.
        Reset-ExoEmulatorStats $emu
        $small = @($mailboxes | Get-EXOCalendarPermission -BatchSize 4)
        $s3 = Get-ExoEmulatorStats $emu
        (Get-TestRow $small) | Should -Be (Get-TestRow $one)
        $s3.batch.largest | Should -Be 4
        $s3.requests.byEndpoint.batch | Should -Be 20
        $s3.concurrency.maxInFlightByTenant.PSObject.Properties.Value | Should -BeLessOrEqual 4
    }

    It 'keeps the batch size and window it is given' {
        Reset-ExoEmulatorStats $emu
        $rows = @($mailboxes | Select-Object -First 12 | Get-EXOMailboxStatistics -BatchSize 5 -ThrottleLimit 1)
        $rows.Count | Should -Be 12
        $rows.DisplayName | Should -Be @($mailboxes | Select-Object -First 12 | ForEach-Object { (Get-EXOMailboxStatistics $_.UserPrincipalName).DisplayName })
        $s = Get-ExoEmulatorStats $emu
        $s.batch.largest | Should -Be 5
        $s.concurrency.maxInFlightByTenant.PSObject.Properties.Value | Should -Be 1
    }

    It 'keeps input order and each record''s tenant when mailboxes of two tenants are piped in' {
        $other = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'other' }
        try {
            $mixed = @(Get-EXOMailbox -Connection $c -ResultSize 7) + @(Get-EXOMailbox -Connection $other -ResultSize 7) + @(Get-EXOMailbox -Connection $c -ResultSize 9 | Select-Object -Skip 7)
            Reset-ExoEmulatorStats $emu
            $rows = @($mixed | Get-EXOMailboxStatistics)
            $rows.DisplayName | Should -Be $mixed.DisplayName
            $rows.ExoTenant | Should -Be $mixed.ExoTenant
            @($rows.ExoTenant | Sort-Object -Unique).Count | Should -Be 2
            # One run per tenant: 9 mailboxes of the first in one $batch, 7 of the second in another.
            (Get-ExoEmulatorStats $emu).requests.byEndpoint.batch | Should -Be 2
        }
        finally { Disconnect-ExoDelegated -Connection $other }
    }

    It 'sends gzip and gets it back' {
        Reset-ExoEmulatorStats $emu
        $null = $mailboxes | Get-EXOMailboxPermission
        $s = Get-ExoEmulatorStats $emu
        $s.compression.gzipResponses | Should -BeGreaterOrEqual $s.requests.byEndpoint.batch
        $s.requests.byEndpoint.batch | Should -BeGreaterThan 0
        $s.compression.bytesAfter | Should -BeLessThan $s.compression.bytesBefore
    }

    It 'reports a mailbox that fails as one error naming it, and returns the others' {
        $names = @($mailboxes | Select-Object -First 9 | ForEach-Object UserPrincipalName)
        $input = @($names[0..3]) + 'nobody-here@nowhere.example' + @($names[4..8])
        $rows = @($input | Get-EXOCalendarPermission -User Default -ErrorVariable failed -ErrorAction SilentlyContinue)
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.NotFound*'
        "$($failed[0].TargetObject)" | Should -Be 'nobody-here@nowhere.example'
        $rows.Mailbox | Should -Be $names
    }

    It 'follows a sub-request that pages, in a later batch' {
        $small = Connect-TestTenant $emu -Options @{ Name = 'small-pages'; PageSize = 2 }
        try {
            $few = @($mailboxes | Select-Object -First 6)
            $one = @($few | Get-EXOMailboxFolderStatistics -Connection $small -BatchSize 1)
            Reset-ExoEmulatorStats $emu
            $batched = @($few | Get-EXOMailboxFolderStatistics -Connection $small)
            $s = Get-ExoEmulatorStats $emu
            $one.Count | Should -BeGreaterThan (2 * $few.Count)
            ($batched | ForEach-Object { "$($_.Identity)" }) | Should -Be ($one | ForEach-Object { "$($_.Identity)" })
            $s.pages.nextLinksFollowed | Should -BeGreaterThan 0
            $s.requests.byEndpoint.invokeCommand | Should -Be 0
            $s.requests.byEndpoint.batch | Should -BeGreaterThan 1
        }
        finally { Disconnect-ExoDelegated -Connection $small }
    }

    It 'batches calendar writes and asks -WhatIf per mailbox on the server' {
        $few = @($mailboxes | Select-Object -First 3)
        Reset-ExoEmulatorStats $emu
        $null = $few | Set-EXOCalendarPermission -User Default -AccessRights Reviewer -WhatIf -WarningVariable said -WarningAction SilentlyContinue
        $s = Get-ExoEmulatorStats $emu
        $s.writes.applied | Should -Be 0
        $s.writes.whatIf | Should -Be 3
        @($said | Where-Object { "$_" -like 'What if*' }).Count | Should -Be 3
        $s.requests.byEndpoint.batch | Should -Be 2

        $null = $few | Set-EXOCalendarPermission -User Default -AccessRights Reviewer -Confirm:$false
        @($few | Get-EXOCalendarPermission -User Default).AccessRights | Should -Be @('Reviewer', 'Reviewer', 'Reviewer')
    }
}

Describe 'Invoke-ExoCommand with piped invocations' {
    It 'emits results in input order, each tagged with its invocation' {
        $names = @($mailboxes | Select-Object -First 13 | ForEach-Object UserPrincipalName)
        Reset-ExoEmulatorStats $emu
        $out = @($names | ForEach-Object { @{ Identity = $_ } } | Invoke-ExoCommand -Name Get-CASMailbox -Properties Identity, OWAEnabled)
        $s = Get-ExoEmulatorStats $emu
        $out.Count | Should -Be 13
        $out.ExoInvocation.Index | Should -Be (0..12)
        $out | ForEach-Object { $_.ExoInvocation.Parameters.Identity } | Should -Be $names
        (Get-TestRecordType $out[0]) | Should -Be 'ExoDelegated.CASMailbox'
        $s.requests.byEndpoint.batch | Should -Be 2
        $s.requests.byEndpoint.invokeCommand | Should -Be 0
    }

    It 'takes objects with Name and Parameters (different cmdlets in one batch)' {
        $m = $mailboxes[0].UserPrincipalName
        $out = @(
            [pscustomobject]@{ Name = 'Get-Mailbox'; Parameters = @{ Identity = $m } }
            [pscustomobject]@{ Name = 'Get-CASMailbox'; Parameters = @{ Identity = $m } }
            [pscustomobject]@{ Name = 'Get-Mailbox'; Parameters = @{ Identity = 'nobody@nowhere.example' } }
        ) | Invoke-ExoCommand -ErrorVariable failed -ErrorAction SilentlyContinue
        $out.Count | Should -Be 2
        (Get-TestRecordType $out[0]) | Should -Be 'ExoDelegated.Mailbox'
        (Get-TestRecordType $out[1]) | Should -Be 'ExoDelegated.CASMailbox'
        $failed.Count | Should -Be 1
        $failed[0].TargetObject.Index | Should -Be 2
        "$($failed[0].TargetObject)" | Should -Be '#2 Get-Mailbox nobody@nowhere.example'
    }

    It 'asks -Confirm per invocation' {
        $few = @($mailboxes | Select-Object -First 3 | ForEach-Object UserPrincipalName)
        Reset-ExoEmulatorStats $emu
        $null = $few | ForEach-Object { @{ Identity = $_; CustomAttribute7 = 'batched' } } | Invoke-ExoCommand -Name Set-Mailbox -WhatIf
        (Get-ExoEmulatorStats $emu).writes.whatIf | Should -Be 3
        $null = $few | ForEach-Object { @{ Identity = $_; CustomAttribute7 = 'batched' } } | Invoke-ExoCommand -Name Set-Mailbox -Confirm:$false
        $s = Get-ExoEmulatorStats $emu
        $s.writes.applied | Should -Be 3
        $s.requests.byEndpoint.batch | Should -Be 2
    }
}

Describe 'Batches against the emulator''s limits and faults' {
    It 'the emulator refuses an 11-item batch as a whole' {
        $token = ConvertFrom-TestSecret (Get-TestAccessToken $emu)
        $tenant = $emu.customers[0].domain
        $url = "$($emu.url)/adminapi/beta/$tenant/InvokeCommand"
        $requests = foreach ($n in 1..11) {
            @{ id = "$n"; method = 'POST'; url = $url; headers = @{ 'X-CmdletName' = 'Get-Mailbox' }; body = @{ CmdletInput = @{ CmdletName = 'Get-Mailbox'; Parameters = @{ ResultSize = 1 } } } }
        }
        $r = Invoke-WebRequest -Method Post -NoProxy -SkipHttpErrorCheck -Uri "$($emu.url)/adminapi/beta/$tenant/`$batch" `
            -Headers @{ Authorization = "Bearer $token" } -ContentType 'application/json' -Body (@{ requests = @($requests) } | ConvertTo-Json -Depth 8)
        $r.StatusCode | Should -Be 400
        $r.Content | Should -Match 'contains 11 requests; at most 10'
    }

    It 'reports writes whose batch connection broke as may-or-may-not-have-applied, and never resends them' {
        # Same seed and size: the same estate as $emu, so its aliases exist there too (every
        # Exchange request of this emulator breaks, reads included).
        $broken = Start-ExoEmulator -Tenants 1 -Mailboxes 40 -Faults 'reset=1,scope=exchange'
        try {
            $bc = Connect-TestTenant $broken -Options @{ Name = 'broken' }
            $ids = @($mailboxes | Select-Object -First 3 | ForEach-Object Alias)
            $out = @($ids | ForEach-Object { @{ Identity = $_; CustomAttribute3 = 'x' } } |
                    Invoke-ExoCommand -Name Set-Mailbox -Connection $bc -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue)
            $s = Get-ExoEmulatorStats $broken
            $out.Count | Should -Be 0
            $failed.Count | Should -Be 3
            foreach ($e in $failed) {
                $e.Exception.Message | Should -Match 'may or may not have been applied'
                $e.Exception.Retryable | Should -BeFalse
            }
            ($failed | ForEach-Object { $_.TargetObject.Index }) | Should -Be 0, 1, 2
            $s.requests.byEndpoint.batch | Should -Be 1
            $s.writes.applied | Should -Be 3
            $s.faults.resetAfterWrite | Should -BeGreaterThan 0
            $s.writes.duplicates | Should -Be 0
        }
        finally {
            Disconnect-ExoDelegated -Connection 'broken' -ErrorAction SilentlyContinue
            Stop-ExoEmulator $broken
        }
    }
}

Describe 'Stopping a batched command' {
    It 'Ctrl+C ends a batch in flight at once' {
        # Same seed and size as $emu (the same mailboxes), every request answered after 3 s.
        $slow = Start-ExoEmulator -Tenants 2 -Mailboxes 40 -LatencyMs 3000
        $ps = [powershell]::Create()
        try {
            $sc = Connect-TestTenant $slow -Options @{ Name = 'slow' }
            $null = $ps.AddScript('param($manifest, $m, $c) Import-Module $manifest; $m | Get-EXOMailboxStatistics -Connection $c').
                AddArgument($ModuleManifest).AddArgument(@($mailboxes.UserPrincipalName)).AddArgument($sc)
            $async = $ps.BeginInvoke()
            # Until a $batch request is in flight (the emulator holds it for 3 s).
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while ((Get-ExoEmulatorStats $slow).requests.byEndpoint.batch -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            (Get-ExoEmulatorStats $slow).requests.byEndpoint.batch | Should -BeGreaterThan 0
            Start-Sleep -Milliseconds 200
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 1.5
            $async.IsCompleted | Should -BeTrue
        }
        finally {
            $ps.Dispose()
            Disconnect-ExoDelegated -Connection 'slow' -ErrorAction SilentlyContinue
            Stop-ExoEmulator $slow
        }
    }
}

Describe 'No secret leaked' {
    It 'never shows a secret in errors' {
        Find-TestSecretInError $emu | Should -BeNullOrEmpty
    }
}
