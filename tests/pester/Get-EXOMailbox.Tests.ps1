# Get-EXOMailbox, and with it the behaviour every Get-EXO* command shares: streaming page by
# page, early stop, Ctrl+C, -ResultSize, property sets, verbose retries, mid-run failures.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 50
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
    $paged = Connect-TestTenant $emu -Options @{ Name = 'paged'; PageSize = 5 }
    $domain = $emu.customers[0].domain
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXOMailbox' {
    It 'has the parameter sets Identity (default) and Anr' {
        $cmd = Get-Command Get-EXOMailbox
        $cmd.DefaultParameterSet | Should -Be 'Identity'
        ($cmd.ParameterSets.Name | Sort-Object) | Should -Be @('Anr', 'Identity')
    }

    It 'lists the mailboxes of the current connection as ExoDelegated.Mailbox with the Minimum property set' {
        $m = @(Get-EXOMailbox -ResultSize Unlimited)
        $m.Count | Should -Be 50
        (Get-TestRecordType $m[0]) | Should -Be 'ExoDelegated.Mailbox'
        $m[0].UserPrincipalName | Should -BeLike "*@$domain"
        $names = $m[0].PSObject.Properties.Name
        foreach ($p in 'Alias', 'DisplayName', 'ExternalDirectoryObjectId', 'PrimarySmtpAddress', 'RecipientTypeDetails', 'UserPrincipalName') { $names | Should -Contain $p }
        $names | Should -Not -Contain 'ProhibitSendQuota'
        $names.Count | Should -BeLessThan 20
    }

    It 'shows a table with Name, Alias, PrimarySmtpAddress and RecipientTypeDetails' {
        $text = Get-EXOMailbox -ResultSize 2 | Out-String -Width 200
        $text | Should -Match 'Name\s+Alias\s+PrimarySmtpAddress\s+RecipientTypeDetails'
    }

    It 'gets one mailbox by -Identity, also by its UPN, address or ExternalDirectoryObjectId' {
        $first = Get-EXOMailbox -ResultSize 1
        (Get-EXOMailbox -Identity $first.UserPrincipalName).Alias | Should -Be $first.Alias
        (Get-EXOMailbox $first.PrimarySmtpAddress).Alias | Should -Be $first.Alias
        (Get-EXOMailbox -ExternalDirectoryObjectId $first.ExternalDirectoryObjectId).Alias | Should -Be $first.Alias
        (Get-EXOMailbox -UserPrincipalName $first.UserPrincipalName).Alias | Should -Be $first.Alias
    }

    It 'binds -Identity from the pipeline, by value and by property name' {
        $two = @(Get-EXOMailbox -ResultSize 2)
        @($two.UserPrincipalName | Get-EXOMailbox).Alias | Should -Be $two.Alias
        @($two | Get-EXOMailbox).Alias | Should -Be $two.Alias
        @([pscustomobject]@{ PrimarySmtpAddress = $two[1].PrimarySmtpAddress } | Get-EXOMailbox).Alias | Should -Be $two[1].Alias
    }

    It 'finds mailboxes with -Anr' {
        $first = Get-EXOMailbox -ResultSize 1
        @(Get-EXOMailbox -Anr $first.Alias).Alias | Should -Contain $first.Alias
    }

    It 'filters with -RecipientTypeDetails and -Filter (evaluated by Exchange)' {
        $shared = @(Get-EXOMailbox -RecipientTypeDetails SharedMailbox -ResultSize Unlimited)
        $shared.Count | Should -BeGreaterThan 0
        $shared.RecipientTypeDetails | Sort-Object -Unique | Should -Be 'SharedMailbox'
        $rooms = @(Get-EXOMailbox -Filter "RecipientTypeDetails -eq 'RoomMailbox'" -ResultSize Unlimited)
        $rooms.Count | Should -BeGreaterThan 0
        $rooms.RecipientTypeDetails | Sort-Object -Unique | Should -Be 'RoomMailbox'
    }

    It 'passes the switches through (-Archive)' {
        $archived = @(Get-EXOMailbox -Archive -ResultSize Unlimited)
        $archived.Count | Should -BeLessThan 50
    }

    It 'adds property sets (-PropertySets) and single properties (-Properties) to Minimum' {
        $q = Get-EXOMailbox -ResultSize 1 -PropertySets Quota
        $q.PSObject.Properties.Name | Should -Contain 'ProhibitSendQuota'
        $q.PSObject.Properties.Name | Should -Contain 'UserPrincipalName'
        $p = Get-EXOMailbox -ResultSize 1 -Properties CustomAttribute1, HiddenFromAddressListsEnabled
        $p.PSObject.Properties.Name | Should -Contain 'CustomAttribute1'
        $p.PSObject.Properties.Name | Should -Contain 'HiddenFromAddressListsEnabled'
        $p.PSObject.Properties.Name | Should -Not -Contain 'ProhibitSendQuota'
        (Get-EXOMailbox -ResultSize 1 -PropertySets All).PSObject.Properties.Name.Count | Should -BeGreaterThan 40
        (Get-EXOMailbox -ResultSize 1 -Properties '*').PSObject.Properties.Name.Count | Should -BeGreaterThan 40
    }

    It 'returns 1000 mailboxes at most by default, -ResultSize N or Unlimited, and warns when there are more' {
        $seven = @(Get-EXOMailbox -ResultSize 7 -WarningVariable w)
        $seven.Count | Should -Be 7
        "$w" | Should -Match 'more results available'
        @(Get-EXOMailbox -ResultSize Unlimited -WarningVariable none).Count | Should -Be 50
        $none | Should -BeNullOrEmpty
        { Get-EXOMailbox -ResultSize 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Get-EXOMailbox'
        { Get-EXOMailbox -ResultSize lots } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Get-EXOMailbox'
    }

    It 'uses -Connection, and the connection a piped mailbox came from' {
        $other = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'other' }
        try {
            (Get-EXOMailbox -Connection $c -ResultSize 1).PrimarySmtpAddress | Should -BeLike "*@$domain"
            # 'other' is current now, yet mailboxes of 'main' piped in are looked up in 'main'.
            $fromMain = @(Get-EXOMailbox -Connection $c -ResultSize 3 | Get-EXOMailbox)
            $fromMain.Count | Should -Be 3
            $fromMain.PrimarySmtpAddress | ForEach-Object { $_ | Should -BeLike "*@$domain" }
        }
        finally { Disconnect-ExoDelegated -Connection $other }
    }

    It 'writes a non-terminating ExoDelegated.NotFound error per unknown mailbox and goes on' {
        $first = Get-EXOMailbox -ResultSize 1
        $out = @('nobody@nowhere.example', $first.UserPrincipalName | Get-EXOMailbox -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Get-EXOMailbox'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'nobody@nowhere.example'
        $err[0].ErrorDetails.Message | Should -Match 'ManagementObjectNotFoundException'
        $err[0].ErrorDetails.Message | Should -Match 'client-request-id [0-9a-f-]{36}'
        { Get-EXOMailbox -Identity 'nobody@nowhere.example' -ErrorAction Stop } | Should -Throw -ErrorId 'ExoDelegated.NotFound,Get-EXOMailbox'
    }

    It 'reports an invalid -Filter as ExoDelegated.InvalidParameter (InvalidArgument)' {
        $null = Get-EXOMailbox -Filter "NoSuchProperty -eq 1" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.InvalidParameter,Get-EXOMailbox'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'writes the page requests and their request ids to -Verbose' {
        $v = Get-EXOMailbox -Connection $paged -ResultSize 12 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        @($v | Where-Object Message -Match '^Get-Mailbox page \d+: \d+ object\(s\) .*request id [0-9a-f-]{36}').Count | Should -Be 3
    }
}

Describe 'Streaming' {
    It 'passes the first mailboxes on before the last page is fetched' {
        Reset-ExoEmulatorStats $emu
        $script:pagesAtFirst = $null
        $n = 0
        Get-EXOMailbox -Connection $paged -ResultSize Unlimited | ForEach-Object {
            if ($null -eq $script:pagesAtFirst) { $script:pagesAtFirst = (Get-ExoEmulatorStats $emu).pages.served }
            $n++
        }
        $n | Should -Be 50
        $script:pagesAtFirst | Should -BeLessThan 10
        (Get-ExoEmulatorStats $emu).pages.served | Should -Be 10
    }

    It 'stops fetching when Select-Object -First has enough (fewer requests than pages)' {
        Reset-ExoEmulatorStats $emu
        $first = @(Get-EXOMailbox -Connection $paged -ResultSize Unlimited | Select-Object -First 5)
        $first.Count | Should -Be 5
        $stats = Get-ExoEmulatorStats $emu
        $stats.requests.byCmdlet.'Get-Mailbox' | Should -BeLessThan 10
        # The page in the pipeline, the next one being read and the one after it being fetched.
        $stats.pages.served | Should -BeLessOrEqual 3
    }

    It 'shows progress on long enumerations' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($manifest, $conn)
                    Import-Module $manifest
                    $ProgressPreference = 'Continue'
                    $null = Get-EXOMailbox -Connection $conn -ResultSize Unlimited
                }).AddArgument($ModuleManifest).AddArgument($paged)
            $null = $ps.Invoke()
            $progress = @($ps.Streams.Progress)
            $progress.Count | Should -BeGreaterThan 0
            $progress[0].Activity | Should -Match 'Get-Mailbox'
            $progress[-1].RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
    }

    It 'stops between pages and cancels the request in flight on Ctrl+C' {
        $slow = Start-ExoEmulator -Tenants 1 -Mailboxes 50 -LatencyMs 2000
        $ps = [powershell]::Create()
        try {
            $conn = Connect-TestTenant $slow -Options @{ Name = 'slow'; PageSize = 5 }
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $ps.AddScript({
                    param($manifest, $conn)
                    Import-Module $manifest
                    Get-EXOMailbox -Connection $conn -ResultSize Unlimited
                }).AddArgument($ModuleManifest).AddArgument($conn)
            $handle = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            $deadline = [datetime]::UtcNow.AddSeconds(15)
            while ($output.Count -eq 0 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
            $output.Count | Should -BeGreaterThan 0
            Start-Sleep -Milliseconds 200   # now inside the 2-second request for the next page
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalMilliseconds | Should -BeLessThan 1200 -Because 'the request in flight is cancelled, not waited for'
            $handle.IsCompleted | Should -BeTrue
            $stats = Get-ExoEmulatorStats $slow
            $stats.requests.byCmdlet.'Get-Mailbox' | Should -BeLessOrEqual 3
            $output.Count | Should -BeLessThan 50
        }
        finally {
            $ps.Dispose()
            Stop-ExoEmulator $slow
        }
    }

    It 'does not let the pages it passed on pile up until the GC collects by itself' {
        # A fresh pwsh (the GC's state is its own): 25 pages of about 4.5 MB of records that die
        # downstream. Between two collections at most 32 MB (GarbageBound) and about a page
        # more are allocated, however large the GC's own budget (about 90 MB on a VM reporting
        # a 300 MB L3); downstream watches how much was allocated since the last collection.
        $big = Start-ExoEmulator -Tenants 1 -Mailboxes 25000
        try {
            $pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
            $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
`$p = @{ TenantId = '$($big.customers[0].domain)'; ApplicationId = '$($big.applicationId)'; AuthorityHost = '$($big.url)'; ExchangeHost = '$($big.url)'
    RefreshToken = (ConvertTo-SecureString '$($big.refreshToken)' -AsPlainText -Force); ClientSecret = (ConvertTo-SecureString '$($big.clientSecret)' -AsPlainText -Force) }
`$null = Connect-ExoDelegated @p
`$n = 0; `$most = 0; `$seen = [GC]::CollectionCount(0); `$mark = [GC]::GetTotalAllocatedBytes()
Get-EXOMailbox -ResultSize Unlimited | ForEach-Object {
    `$n++
    `$now = [GC]::CollectionCount(0); `$allocated = [GC]::GetTotalAllocatedBytes()
    if (`$now -ne `$seen) { `$seen = `$now; `$mark = `$allocated }
    elseif (`$allocated - `$mark -gt `$most) { `$most = `$allocated - `$mark }
}
`$n
[int](`$most / 1MB)
"@
            $n, $most = & $pwsh -NoProfile -NonInteractive -Command $script
            $n | Should -Be 25000
            # Measured on the 300 MB L3 VM: 48-49 MiB (32 MiB, the page seen after a collection
            # and the page before the next look, with what ForEach-Object allocates per record);
            # 77-79 MiB without the bound.
            [int]$most | Should -BeLessThan 62 -Because 'a collection is asked for after 32 MB (plus up to two pages: the bound is looked at before each page)'
        }
        finally { Stop-ExoEmulator $big }
    }
}

Describe 'Reliability' {
    It 'writes retries to -Verbose and succeeds when Exchange refuses a request once (concurrency limit)' {
        $busy = Start-ExoEmulator -Tenants 1 -Mailboxes 10 -Faults 'concurrency=1' -LatencyMs 800
        $ps = [powershell]::Create()
        try {
            $conn = Connect-TestTenant $busy -Options @{ Name = 'busy'; MaximumRetryCount = 5; MaximumRetryWaitSec = 2 }
            $null = $ps.AddScript({ param($manifest, $conn) Import-Module $manifest; Get-EXOMailbox -Connection $conn -ResultSize 3 }).AddArgument($ModuleManifest).AddArgument($conn)
            $handle = $ps.BeginInvoke()
            while ((Get-ExoEmulatorStats $busy).concurrency.inFlight -lt 1) { Start-Sleep -Milliseconds 10 }
            $out = Get-EXOMailbox -Connection $conn -ResultSize 3 -Verbose 4>&1
            @($out | Where-Object { $_ -is [psobject] -and (Get-TestRecordType $_) -eq 'ExoDelegated.Mailbox' }).Count | Should -Be 3
            $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
            ($verbose -match '^Get-Mailbox: retry 1 after \w+, waited \d+ ms \(request id [0-9a-f-]{36}\)').Count | Should -BeGreaterOrEqual 1
            @($ps.EndInvoke($handle)).Count | Should -Be 3
        }
        finally {
            $ps.Dispose()
            Stop-ExoEmulator $busy
        }
    }

    It 'fails with ExoDelegated.ConcurrencyLimit (ResourceBusy) when Exchange keeps refusing beyond the retries' {
        $busy = Start-ExoEmulator -Tenants 1 -Mailboxes 10 -Faults 'concurrency=1' -LatencyMs 2500
        $ps = [powershell]::Create()
        try {
            $conn = Connect-TestTenant $busy -Options @{ Name = 'busy'; MaximumRetryCount = 1; MaximumRetryWaitSec = 1 }
            $null = $ps.AddScript({ param($manifest, $conn) Import-Module $manifest; Get-EXOMailbox -Connection $conn -ResultSize 3 }).AddArgument($ModuleManifest).AddArgument($conn)
            $handle = $ps.BeginInvoke()
            while ((Get-ExoEmulatorStats $busy).concurrency.inFlight -lt 1) { Start-Sleep -Milliseconds 10 }
            $null = Get-EXOMailbox -Connection $conn -ResultSize 3 -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.ConcurrencyLimit,Get-EXOMailbox'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $err[0].Exception.Retries | Should -Be 1
            $err[0].ErrorDetails.Message | Should -Match 'concurrent requests'
            $null = $ps.EndInvoke($handle)
        }
        finally {
            $ps.Dispose()
            Stop-ExoEmulator $busy
        }
    }

    It 'stops the command with a terminating error when the token cannot be renewed mid-run' {
        # A 2-second token is renewed after 1 second; the refresh token is revoked meanwhile.
        $short = Start-ExoEmulator -Tenants 1 -Mailboxes 10 -TokenLifetime 2
        try {
            $conn = Connect-TestTenant $short -Options @{ Name = 'short' }
            $null = Invoke-RestMethod -Method Post -Uri "$($short.url)/_emulator/revoke" -NoProxy
            Start-Sleep -Milliseconds 1200
            $e = { Get-EXOMailbox -Connection $conn -ResultSize 3 -ErrorAction SilentlyContinue } | Should -Throw -PassThru
            $e.FullyQualifiedErrorId | Should -Be 'ExoDelegated.RefreshTokenInvalid,Get-EXOMailbox'
            $e.CategoryInfo.Category | Should -Be 'AuthenticationError'
        }
        finally { Stop-ExoEmulator $short }
    }

    It 'fails with ExoDelegated.Disconnected on a closed connection' {
        $closed = Connect-TestTenant $emu -Options @{ Name = 'closed' }
        Disconnect-ExoDelegated -Connection $closed
        { Get-EXOMailbox -Connection $closed -ResultSize 1 } | Should -Throw -ErrorId 'ExoDelegated.Disconnected,Get-EXOMailbox'
    }
}

Describe 'No secret leaked by Get-EXOMailbox' {
    It 'leaves no secret in $Error' {
        Find-TestSecretInError $emu | Should -BeNullOrEmpty
    }
}
