# The reliability suite, short form (the long form is `pwsh ./build.ps1 soak`, which writes
# docs/RELIABILITY.md). Everything goes the real way: pwsh -> module -> native library -> HTTP ->
# exo-emulator on 127.0.0.1; nothing is sent anywhere else (the non-loopback addresses below
# must be refused before anything is sent).
#  - Fault soak + concurrency: tools/soak.ps1 -Quick in a child pwsh (about 2,000 requests under
#    throttle/transient/reset/concurrency faults with 60-second tokens; 16 runspaces x 100
#    tenants against a sequential run), one It per check.
#  - Bad input: a PowerShell corpus; each case must give a clear ErrorRecord (ExoDelegated.* when
#    the module sees the input, PowerShell's own binding error when the parameter binder refuses
#    it first) and leave pwsh running; the riskiest cases also run in a child pwsh that must exit
#    normally.
#  - Secrets: canary client secret, refresh token and access token through every failure path,
#    checked in all six streams, a transcript, $Error, Format-List * and serialization of the
#    connections, and the raw stdout/stderr of a child pwsh with debug environment variables set.
#  - Isolation: foreign nextLink, http:// to non-loopback addresses, piped records keep their tenant.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 3 -Mailboxes 12
    $other = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'rel-other' }
    $gone = Connect-TestTenant $emu -Index 2 -Options @{ Name = 'rel-gone' }
    Disconnect-ExoDelegated -Connection $gone
    $c = Connect-TestTenant $emu -Options @{ Name = 'rel-main'; PageSize = 5 }
    $mailbox = Get-TestMailbox -Connection $c
    $Pwsh = (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
    if (-not $Pwsh) { $Pwsh = [Environment]::ProcessPath }
    $hosts = @{ AuthorityHost = $emu.url; ExchangeHost = $emu.url }

    function Invoke-BadInput {
        # Runs a case; returns its error records (terminating or not) and other output.
        param([scriptblock] $Script)
        $ErrorActionPreference = 'Continue'
        $records = [System.Collections.Generic.List[object]]::new()
        $threw = $false
        try { & $Script 2>&1 | ForEach-Object { $records.Add($_) } }
        catch { $threw = $true; $records.Add($_) }
        [pscustomobject]@{
            Errors = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Output = @($records | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
            Threw  = $threw
        }
    }

    function Invoke-ChildPwsh {
        # Runs a script in a new pwsh; returns its exit code and everything it wrote to stdout and
        # stderr (the raw process streams: anything the native library printed would be there).
        param([string] $Script, [System.Collections.IDictionary] $Environment = @{}, [int] $TimeoutSec = 120)
        $file = Join-Path ([System.IO.Path]::GetTempPath()) "exo-rel-$PID-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -Path $file -Value $Script
        try {
            $info = [System.Diagnostics.ProcessStartInfo]::new($Pwsh)
            foreach ($a in '-NoProfile', '-NonInteractive', '-File', $file) { $info.ArgumentList.Add($a) }
            $info.UseShellExecute = $false
            $info.RedirectStandardOutput = $true
            $info.RedirectStandardError = $true
            foreach ($k in $Environment.Keys) {
                if ($null -eq $Environment[$k]) { $null = $info.Environment.Remove($k) } else { $info.Environment[$k] = [string]$Environment[$k] }
            }
            $p = [System.Diagnostics.Process]::Start($info)
            $out = $p.StandardOutput.ReadToEndAsync()
            $err = $p.StandardError.ReadToEndAsync()
            if (-not $p.WaitForExit($TimeoutSec * 1000)) { $p.Kill($true); throw "child pwsh did not finish within $TimeoutSec s" }
            $p.WaitForExit()
            [pscustomobject]@{ ExitCode = $p.ExitCode; StdOut = $out.Result; StdErr = $err.Result }
        }
        finally { Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue }
    }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Fault soak and concurrency (tools/soak.ps1 -Quick)' -Skip:($env:EXO_SOAK_SKIP_SHORT -eq '1') {
    BeforeAll {
        $resultFile = Join-Path ([System.IO.Path]::GetTempPath()) "exo-soak-quick-$PID.json"
        Remove-Item -LiteralPath $resultFile -ErrorAction SilentlyContinue
        $soakScript = Join-Path $RepoRoot 'tools/soak.ps1'
        $run = Invoke-ChildPwsh -Script "& '$soakScript' -Root '$RepoRoot' -Quick -ResultPath '$resultFile'; exit `$LASTEXITCODE" -TimeoutSec 300
        $run.StdOut | Out-Host
        if ($run.StdErr) { $run.StdErr | Out-Host }
        $soak = if (Test-Path $resultFile) { Get-Content -Raw $resultFile | ConvertFrom-Json } else { $null }
        Remove-Item -LiteralPath $resultFile -ErrorAction SilentlyContinue
        function Assert-SoakCheck([string] $Area, [string] $Prefix) {
            $soak | Should -Not -BeNullOrEmpty -Because 'the soak wrote its results'
            $check = @($soak.Checks | Where-Object { $_.Area -eq $Area -and $_.Name -like "$Prefix*" })
            $check.Count | Should -BeGreaterThan 0 -Because "the soak ran the check '$Area / $Prefix'"
            foreach ($x in $check) { $x.Passed | Should -BeTrue -Because "$($x.Name): $($x.Detail)" }
        }
    }

    It 'runs to the end and exits 0' {
        $soak | Should -Not -BeNullOrEmpty
        $failed = @($soak.Checks | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Area) / $($_.Name): $($_.Detail)" })
        $failed | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
    }
    It 'enumerates the fault-free reference without errors, matching the seeded estate' {
        Assert-SoakCheck 'Fault soak' 'reference run without errors'
        Assert-SoakCheck 'Fault soak' 'reference = seeded estate'
    }
    It 'sends at least 2,000 requests, injects throttle, transient and reset faults and holds the concurrency limit' {
        Assert-SoakCheck 'Fault soak' 'at least'
        Assert-SoakCheck 'Fault soak' "fault 'throttle'"
        Assert-SoakCheck 'Fault soak' "fault 'transient'"
        Assert-SoakCheck 'Fault soak' "fault 'reset'"
        Assert-SoakCheck 'Fault soak' "fault 'concurrency'"
    }
    It 'delivers every record exactly once under faults (ids against the fault-free run)' {
        Assert-SoakCheck 'Fault soak' 'every record delivered exactly once'
        Assert-SoakCheck 'Fault soak' 'no read failed'
    }
    It 'applies writes at most once and reports every failed write clearly' {
        Assert-SoakCheck 'Fault soak' 'writes applied at most once'
        Assert-SoakCheck 'Fault soak' 'every successful write is applied'
        Assert-SoakCheck 'Fault soak' 'failed writes fail with a clear ExoDelegated error'
        Assert-SoakCheck 'Fault soak' 'fault-free writes all succeed'
    }
    It 'runs the batched forum job and batched writes under faults: rows exactly once, writes at most once, every failure with its invocation' {
        Assert-SoakCheck 'Batched' 'fault-free batched run without errors'
        Assert-SoakCheck 'Batched' 'every permission row exactly once under faults'
        Assert-SoakCheck 'Batched' 'batched writes applied at most once'
        Assert-SoakCheck 'Batched' 'every failed sub-request reported once with its invocation'
    }
    It 'raises no unhandled exception, bounds every retry, and accounts for every injected fault' {
        Assert-SoakCheck 'Fault soak' 'no unhandled exception'
        Assert-SoakCheck 'Fault soak' 'every retry bounded'
        Assert-SoakCheck 'Fault soak' 'every injected fault accounted for'
    }
    It 'never sends a token to another tenant (tokenTenantMismatch = 0, auth.unauthorized = 0)' {
        Assert-SoakCheck 'Fault soak' 'no token sent to another tenant'
        Assert-SoakCheck 'Isolation' "tenant A's token never sent to tenant B's URL"
    }
    It 'gives the same results with 16 runspaces x 100 tenants as sequentially' {
        Assert-SoakCheck 'Concurrency' '16 runspaces x 100 tenants'
        Assert-SoakCheck 'Concurrency' 'one token per tenant'
    }
    It 'refuses a foreign nextLink and http:// to a non-loopback address' {
        Assert-SoakCheck 'Isolation' 'a nextLink to another origin is refused'
        Assert-SoakCheck 'Isolation' 'http:// to a non-loopback address'
    }
}

Describe 'Bad input: the module answers with an ExoDelegated.* ErrorRecord' {
    BeforeAll {
        $big = 'x' * 10MB
        $deep = @{}; $cursor = $deep
        foreach ($i in 1..40) { $next = @{}; $cursor['a'] = $next; $cursor = $next }
        $circular = @{}; $circular['self'] = $circular
        $throwing = [pscustomobject]@{} | Add-Member -PassThru -MemberType ScriptProperty -Name Boom -Value { throw 'boom' }
        $empty = [securestring]::new()
    }

    It '<Name> -> <Id>' -ForEach @(
        @{ Name = 'empty -Identity'; Id = 'ExoDelegated.NotFound'; Script = { Get-EXOMailbox -Identity '' -Connection $c } }
        @{ Name = '10 MB -Identity'; Id = 'ExoDelegated.NotFound'; Script = { Get-EXOMailbox -Identity $big -Connection $c } }
        @{ Name = 'lone surrogate in -Identity'; Id = 'ExoDelegated.NotFound'; Script = { Get-EXOMailbox -Identity "a$([char]0xD800)b" -Connection $c } }
        @{ Name = 'NUL character in -Identity'; Id = 'ExoDelegated.NotFound'; Script = { Get-EXOMailbox -Identity "a`0b" -Connection $c } }
        @{ Name = 'malformed -Filter'; Id = 'ExoDelegated.InvalidParameter'; Script = { Get-EXOMailbox -Filter 'Name -eq (' -Connection $c } }
        @{ Name = '-Filter on an unknown property'; Id = 'ExoDelegated.InvalidParameter'; Script = { Get-EXOMailbox -Filter "NoSuchProperty -eq 'x'" -Connection $c } }
        @{ Name = '10 MB -Filter'; Id = 'ExoDelegated.InvalidParameter'; Script = { Get-EXORecipient -Filter $big -Connection $c } }
        @{ Name = 'unknown cmdlet'; Id = 'ExoDelegated.UnknownCmdlet'; Script = { Invoke-ExoCommand Get-NoSuchThing -Connection $c } }
        @{ Name = 'unknown parameter'; Id = 'ExoDelegated.InvalidParameter'; Script = { Invoke-ExoCommand Get-Mailbox @{ NoSuchParameter = 1 } -Connection $c } }
        @{ Name = 'missing mandatory parameter'; Id = 'ExoDelegated.InvalidParameter'; Script = { Invoke-ExoCommand Get-MailboxPermission -Connection $c } }
        @{ Name = 'parameter name that is not an identifier'; Id = 'ExoDelegated.InvalidArgument'; Script = { Invoke-ExoCommand Get-Mailbox @{ 'bad name' = 1 } -Connection $c } }
        @{ Name = 'wrong type: a string for a Boolean'; Id = 'ExoDelegated.InvalidParameter'; Script = { Invoke-ExoCommand Set-Mailbox @{ Identity = $mailbox.UserPrincipalName; HiddenFromAddressListsEnabled = 'maybe' } -Connection $c -Confirm:$false } }
        @{ Name = 'wrong type: a hashtable for ResultSize'; Id = 'ExoDelegated.InvalidArgument'; Script = { Invoke-ExoCommand Get-Mailbox @{ ResultSize = @{ a = 1 } } -Connection $c } }
        @{ Name = 'parameters nested 40 deep'; Id = 'ExoDelegated.InvalidArgument'; Script = { Invoke-ExoCommand Get-Mailbox @{ Identity = $deep } -Connection $c } }
        @{ Name = 'a circular hashtable'; Id = 'ExoDelegated.InvalidArgument'; Script = { Invoke-ExoCommand Set-Mailbox @{ Identity = $mailbox.UserPrincipalName; EmailAddresses = $circular } -Connection $c -Confirm:$false } }
        @{ Name = 'a parameter value whose property getter throws'; Id = 'ExoDelegated.InvalidArgument'; Script = { Invoke-ExoCommand Get-Mailbox @{ Identity = $throwing } -Connection $c } }
        @{ Name = 'non-ASCII property name in -Properties'; Id = 'ExoDelegated.InvalidArgument'; Script = { Get-EXOMailbox -Properties 'Näme' -ResultSize 1 -Connection $c } }
        @{ Name = 'CR LF in -AnchorMailbox'; Id = 'ExoDelegated.InvalidArgument'; Script = { Invoke-ExoCommand Get-Mailbox -AnchorMailbox "a`r`nX-Injected: 1" -Connection $c } }
        @{ Name = 'calendar of an unknown mailbox'; Id = 'ExoDelegated.NotFound'; Script = { Get-EXOCalendarPermission -Identity 'nobody@nowhere.example' -Connection $c } }
        @{ Name = 'folder permission of an unknown folder'; Id = 'ExoDelegated.NotFound'; Script = { Get-EXOMailboxFolderPermission -Identity "$($mailbox.UserPrincipalName):\NoSuchFolder" -Connection $c } }
        @{ Name = 'empty SecureString refresh token'; Id = 'ExoDelegated.InvalidArgument'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -RefreshToken $empty -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name rel-x } }
        @{ Name = 'empty SecureString client secret'; Id = 'ExoDelegated.InvalidArgument'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -ClientSecret $empty @hosts -Name rel-x } }
        @{ Name = 'empty SecureString access token'; Id = 'ExoDelegated.InvalidArgument'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -AccessToken $empty @hosts -Name rel-x } }
        @{ Name = '64K-character refresh token'; Id = 'ExoDelegated.RefreshTokenInvalid'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -RefreshToken (New-TestSecret ('y' * 65536)) -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name rel-x } }
        @{ Name = '10 MB -TenantId'; Id = 'ExoDelegated.InvalidArgument'; Script = { Connect-ExoDelegated -TenantId $big -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name rel-x } }
        @{ Name = '-TenantId with a slash'; Id = 'ExoDelegated.InvalidArgument'; Script = { Connect-ExoDelegated -TenantId 'a/b' -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name rel-x } }
        @{ Name = '-ApplicationId that is not a GUID'; Id = 'ExoDelegated.InvalidArgument'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId 'not-a-guid' -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name rel-x } }
        @{ Name = '-ExchangeHost with a user name and password'; Id = 'ExoDelegated.InvalidArgument'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret $emu.clientSecret) -AuthorityHost $emu.url -ExchangeHost 'https://user:pw@example.com' -Name rel-x } }
        @{ Name = 'unknown tenant'; Id = 'ExoDelegated.TenantNotFound'; Script = { Connect-ExoDelegated -TenantId 'nobody-here.onmicrosoft.com' -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name rel-x } }
        @{ Name = 'garbage access token, then a command'; Id = 'ExoDelegated.AccessTokenExpired'; Script = { $x = Connect-ExoDelegated -TenantId $emu.customers[0].domain -AccessToken (New-TestSecret 'not-a-token') @hosts -Name rel-x; try { Get-EXOMailbox -Connection $x -ResultSize 1 } finally { Disconnect-ExoDelegated -Connection $x } } }
        @{ Name = 'Export-ExoDelegatedRefreshToken of an app-only connection'; Id = 'ExoDelegated.NoRefreshToken'; Script = { $x = Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name rel-x; try { Export-ExoDelegatedRefreshToken -Connection $x } finally { Disconnect-ExoDelegated -Connection $x } } }
        @{ Name = 'disconnected connection: Get-EXOMailbox'; Id = 'ExoDelegated.Disconnected'; Script = { Get-EXOMailbox -Connection $gone } }
        @{ Name = 'disconnected connection: Invoke-ExoCommand'; Id = 'ExoDelegated.Disconnected'; Script = { Invoke-ExoCommand Set-Mailbox @{ Identity = 'x' } -Connection $gone -Confirm:$false } }
        @{ Name = 'disconnected connection: Get-EXOCalendarPermission'; Id = 'ExoDelegated.Disconnected'; Script = { Get-EXOCalendarPermission -Identity 'x' -Connection $gone } }
        @{ Name = 'disconnected connection: Export-ExoDelegatedRefreshToken'; Id = 'ExoDelegated.Disconnected'; Script = { Export-ExoDelegatedRefreshToken -Connection $gone } }
    ) {
        $r = Invoke-BadInput $Script
        $r.Errors.Count | Should -BeGreaterThan 0 -Because 'bad input must give an error'
        foreach ($e in $r.Errors) {
            $e.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            $e.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
            $e.Exception.Message | Should -Not -BeNullOrEmpty
            $e.Exception.Message.Length | Should -BeLessThan 4096 -Because 'a 10 MB input is not echoed back in full'
        }
        (Get-ExoDelegatedConnection -Name rel-main).State | Should -Be 'Connected' -Because 'the session carries on'
    }

    It 'refuses a refresh token after it was revoked (POST /_emulator/revoke, then reconnect) -> ExoDelegated.RefreshTokenInvalid' {
        $revokable = Start-ExoEmulator -Tenants 1 -Mailboxes 3
        try {
            $x = Connect-TestTenant $revokable -Options @{ Name = 'rel-revoke' }
            Disconnect-ExoDelegated -Connection $x
            Revoke-ExoEmulatorRefreshToken $revokable
            $r = Invoke-BadInput { Connect-TestTenant $revokable -Options @{ Name = 'rel-revoke' } }
            $r.Errors.Count | Should -Be 1
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.RefreshTokenInvalid,*'
            $r.Errors[0].Exception.Message | Should -Match 'AADSTS70000'
            $r.Errors[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }
        finally { Stop-ExoEmulator $revokable }
    }
}

Describe 'Bad input: PowerShell''s parameter binder refuses it before the module runs' {
    # These never reach the module (so no ExoDelegated.* ErrorId is possible): the binder's own
    # ErrorRecord, category InvalidData/InvalidArgument/ObjectNotFound, and nothing is sent.
    BeforeAll { Reset-ExoEmulatorStats $emu }

    It '<Name> -> <Id>' -ForEach @(
        @{ Name = '-ResultSize that is not a number'; Id = 'ParameterArgumentValidationError'; Script = { Get-EXOMailbox -ResultSize 'abc' -Connection $c } }
        @{ Name = '-ResultSize 0'; Id = 'ParameterArgumentValidationError'; Script = { Get-EXOMailbox -ResultSize 0 -Connection $c } }
        @{ Name = 'cmdlet name with a command separator'; Id = 'ParameterArgumentValidationError'; Script = { Invoke-ExoCommand 'Get-Mailbox; Remove-Mailbox' -Connection $c } }
        @{ Name = '-Parameters that is not a hashtable'; Id = 'ParameterArgumentTransformationError'; Script = { Invoke-ExoCommand Get-Mailbox -Parameters 'Identity=x' -Connection $c } }
        @{ Name = '-Connection as a string'; Id = 'ParameterArgumentTransformationError'; Script = { Get-EXOMailbox -Connection 'contoso.onmicrosoft.com' } }
        @{ Name = '-Connection as a look-alike object'; Id = 'ParameterArgumentTransformationError'; Script = { Get-EXOMailbox -Connection ([pscustomobject]@{ Name = 'x'; TenantId = 'x'; Handle = 1; State = 'Connected' }) } }
        @{ Name = '-Connection as a number'; Id = 'ParameterArgumentTransformationError'; Script = { Invoke-ExoCommand Get-Mailbox -Connection 42 } }
        @{ Name = '-RefreshToken $null'; Id = 'ParameterArgumentValidationErrorNullNotAllowed'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -RefreshToken $null @hosts } }
        @{ Name = '-PageSize 0'; Id = 'ParameterArgumentValidationError'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret 'x') -PageSize 0 @hosts } }
        @{ Name = '-ExchangeHost ftp://'; Id = 'ParameterArgumentValidationError'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret 'x') -AuthorityHost $emu.url -ExchangeHost 'ftp://127.0.0.1' } }
        @{ Name = 'unknown -Environment'; Id = 'ParameterArgumentValidationError'; Script = { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -ClientSecret (New-TestSecret 'x') -Environment Mars } }
        @{ Name = 'unknown -PropertySets'; Id = 'ParameterArgumentValidationError'; Script = { Get-EXOMailbox -PropertySets Bogus -Connection $c } }
        @{ Name = 'unknown parameter of a module command'; Id = 'NamedParameterNotFound'; Script = { Get-EXOMailbox -NoSuchParameter 1 -Connection $c } }
        @{ Name = 'misspelled module command'; Id = 'CommandNotFoundException'; Script = { Get-EXOMailboxx -Connection $c } }
    ) {
        $r = Invoke-BadInput $Script
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike "$Id*"
        $r.Errors[0].Exception.Message | Should -Not -BeNullOrEmpty
    }

    It 'sent nothing to the service for any of them' {
        $stats = Get-ExoEmulatorStats $emu
        $stats.requests.byEndpoint.invokeCommand | Should -Be 0
        $stats.requests.byEndpoint.token | Should -Be 0
    }
}

Describe 'Bad input: the riskiest cases in a child pwsh, which must exit normally' {
    It 'survives 10 MB strings, deep and circular values, surrogates, NULs, bogus connections and no connection at all' {
        $script = @"
`$ErrorActionPreference = 'Continue'
Import-Module '$(Join-Path $RepoRoot 'tools/ExoEmulator.psm1')'
Import-Module '$ModuleManifest'
`$emu = Start-ExoEmulator -Tenants 1 -Mailboxes 5
function S(`$t) { ConvertTo-SecureString `$t -AsPlainText -Force }
function Case(`$name, [scriptblock] `$sb) {
    `$ids = @()
    try { & `$sb 2>&1 | ForEach-Object { if (`$_ -is [System.Management.Automation.ErrorRecord]) { `$ids += `$_.FullyQualifiedErrorId } } }
    catch { `$ids += `$_.FullyQualifiedErrorId }
    "CASE `$name => `$(`$ids -join ' | ')"
}
`$big = 'x' * 10MB
Case 'no connection at all' { Get-EXOMailbox }
`$c = Connect-ExoDelegated -TenantId `$emu.customers[0].domain -ApplicationId `$emu.applicationId -RefreshToken (S `$emu.refreshToken) -ClientSecret (S `$emu.clientSecret) -AuthorityHost `$emu.url -ExchangeHost `$emu.url -PageSize 2
Case '10 MB Identity' { Get-EXOMailbox -Identity `$big }
Case '10 MB Filter' { Get-EXOMailbox -Filter `$big }
Case '10 MB AnchorMailbox' { Invoke-ExoCommand Get-Mailbox -AnchorMailbox `$big }
Case '10 MB cmdlet parameter name' { Invoke-ExoCommand Get-Mailbox @{ `$big = 1 } }
Case '10 MB TenantId' { Connect-ExoDelegated -TenantId `$big -ApplicationId `$emu.applicationId -ClientSecret (S `$emu.clientSecret) -AuthorityHost `$emu.url -ExchangeHost `$emu.url -Name big }
`$h = @{}; `$h['self'] = `$h
Case 'circular hashtable' { Invoke-ExoCommand Get-Mailbox @{ Identity = `$h } }
`$d = @{}; `$x = `$d; foreach (`$i in 1..5000) { `$n = @{}; `$x['a'] = `$n; `$x = `$n }
Case 'hashtable nested 5000 deep' { Invoke-ExoCommand Get-Mailbox @{ Identity = `$d } }
Case 'lone surrogates everywhere' { Get-EXOMailbox -Identity ([string][char]0xDC00) -Filter "Name -eq '`$([char]0xD800)'" -Properties "`$([char]0xD800)" }
Case 'NUL characters' { Get-EXOMailbox -Identity "`0`0" -Filter "Name -eq '`0'" }
Case 'bogus connection object' { Get-EXOMailbox -Connection ([pscustomobject]@{ Handle = [IntPtr]::new(12345); State = 'Connected' }) }
Case '100,000 pipeline inputs to a disconnected connection' {
    `$g = Connect-ExoDelegated -TenantId `$emu.customers[0].domain -ApplicationId `$emu.applicationId -ClientSecret (S `$emu.clientSecret) -AuthorityHost `$emu.url -ExchangeHost `$emu.url -Name gone
    Disconnect-ExoDelegated -Connection `$g
    1..100000 | ForEach-Object { "user`$_" } | Get-EXOMailbox -Connection `$g -ErrorAction SilentlyContinue
    'done'
}
Case 'Ctrl+C-like stop in the middle of an enumeration' { Get-EXOMailbox -ResultSize Unlimited | Select-Object -First 1 | Out-Null; 'stopped' }
Case 'disconnect while a cursor is open' { Get-EXOMailbox -ResultSize Unlimited | ForEach-Object { Disconnect-ExoDelegated -Connection `$c } }
Stop-ExoEmulator `$emu
'CHILD-DONE'
exit 0
"@
        $r = Invoke-ChildPwsh -Script $script -TimeoutSec 180
        $r.ExitCode | Should -Be 0 -Because "pwsh must not crash (stderr: $($r.StdErr))"
        $r.StdOut | Should -Match 'CHILD-DONE'
        $lines = @($r.StdOut -split "`r?`n" | Where-Object { $_ -like 'CASE *' })
        $lines.Count | Should -Be 14
        $expect = [ordered]@{
            'no connection at all'                   = 'ExoDelegated.NotConnected'
            '10 MB Identity'                         = 'ExoDelegated.NotFound'
            '10 MB Filter'                           = 'ExoDelegated.InvalidParameter'
            '10 MB AnchorMailbox'                    = 'ExoDelegated.InvalidArgument'
            '10 MB cmdlet parameter name'            = 'ExoDelegated.InvalidArgument'
            '10 MB TenantId'                         = 'ExoDelegated.InvalidArgument'
            'circular hashtable'                     = 'ExoDelegated.InvalidArgument'
            'hashtable nested 5000 deep'             = 'ExoDelegated.InvalidArgument'
            'lone surrogates everywhere'             = 'ExoDelegated.'
            'NUL characters'                         = 'ExoDelegated.'
            'bogus connection object'                = 'ParameterArgumentTransformationError'
            '100,000 pipeline inputs to a disconnected connection' = 'ExoDelegated.Disconnected'
            'disconnect while a cursor is open'      = 'ExoDelegated.'
        }
        foreach ($name in $expect.Keys) {
            $line = $lines | Where-Object { $_ -like "CASE $name =>*" }
            $line | Should -Not -BeNullOrEmpty -Because "case '$name' ran"
            $ids = @(($line -replace '^CASE .*? => ', '') -split ' \| ' | Where-Object { $_ })
            $ids.Count | Should -BeGreaterThan 0 -Because "'$name' must give an error"
            foreach ($id in $ids) { $id | Should -BeLike "$($expect[$name])*" -Because "case '$name'" }
        }
        ($lines | Where-Object { $_ -like 'CASE Ctrl+C-like*' }).Trim() | Should -BeLike '*=>' -Because 'stopping early is not an error'
    }
}

Describe 'Secrets: canaries through every failure path' {
    BeforeAll {
        $canary = @{
            ClientSecret = 'CANARY-CS-' + [guid]::NewGuid().ToString('N')
            RefreshToken = 'CANARY-RT-' + [guid]::NewGuid().ToString('N')
            AccessToken  = 'CANARY-AT-' + [guid]::NewGuid().ToString('N')
        }
        $throttled = Start-ExoEmulator -Tenants 1 -Mailboxes 5 -Faults 'throttle=1.0,scope=exchange'
        $resets = Start-ExoEmulator -Tenants 1 -Mailboxes 5 -Faults 'reset=1.0,scope=exchange'
        $realAccessToken = Get-TestAccessToken $emu
        $realAccessTokenText = ConvertFrom-TestSecret $realAccessToken
        $exported = [System.Collections.Generic.List[string]]::new()
        $port = ([uri]$emu.url).Port
        $transcript = Join-Path ([System.IO.Path]::GetTempPath()) "exo-rel-canary-$PID-$([guid]::NewGuid().ToString('N')).txt"
        $errorCountBefore = $global:Error.Count

        $null = Start-Transcript -Path $transcript -Force
        $captured = & {
            $VerbosePreference = 'Continue'
            $DebugPreference = 'Continue'
            $InformationPreference = 'Continue'
            $WarningPreference = 'Continue'
            $common = @{ Verbose = $true; Debug = $true; InformationAction = 'Continue'; WarningAction = 'Continue'; ErrorAction = 'Continue' }
            $cs = New-TestSecret $canary.ClientSecret
            $rt = New-TestSecret $canary.RefreshToken
            $at = New-TestSecret $canary.AccessToken
            $t = $emu.customers[0].domain
            # Every connect failure, each with canaries in every secret it takes.
            foreach ($tenant in @($t, $emu.unrelatedTenant.domain, $emu.specialTenants.mfaRequired.domain, $emu.specialTenants.consentMissing.domain,
                    $emu.specialTenants.conditionalAccess.domain, $emu.specialTenants.noExchange.domain, 'nobody-here.onmicrosoft.com')) {
                try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken $rt -ClientSecret $cs @hosts -Name canary @common } catch { $_ }
                try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken (New-TestSecret $emu.refreshToken) -ClientSecret $cs @hosts -Name canary @common } catch { $_ }
                try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken $rt -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name canary @common } catch { $_ }
                try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.publicClientId -RefreshToken $rt @hosts -Name canary @common } catch { $_ }
                try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -ClientSecret $cs @hosts -Name canary @common } catch { $_ }
            }
            # The special tenants refuse even the real secrets (checked after the client is authenticated).
            foreach ($tenant in @($emu.unrelatedTenant.domain) + @($emu.specialTenants.PSObject.Properties.Value.domain)) {
                try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken (New-TestSecret $emu.refreshToken) -ClientSecret (New-TestSecret $emu.clientSecret) @hosts -Name canary @common } catch { $_ }
            }
            Get-EXOMailbox -Connection $c -ResultSize 1 @common
            try { Connect-ExoDelegated -TenantId $t -ApplicationId $emu.publicClientId -RefreshToken $rt -ClientSecret $cs @hosts -Name canary @common } catch { $_ }
            try { Connect-ExoDelegated -TenantId $t -ApplicationId $emu.applicationId -RefreshToken $rt -ClientSecret $cs -AuthorityHost 'http://10.0.0.1' -ExchangeHost $emu.url -Name canary @common } catch { $_ }
            try { Connect-ExoDelegated -TenantId $t -AccessToken $at -AuthorityHost $emu.url -ExchangeHost 'http://10.0.0.1' -Name canary @common } catch { $_ }
            # A connection with a canary access token: every command fails with 401.
            $bad = Connect-ExoDelegated -TenantId $t -AccessToken $at @hosts -Name canary-at @common
            $bad | Format-List * -Force | Out-String
            foreach ($cmd in { Get-EXOMailbox -Connection $bad -ResultSize 2 @common },
                { Get-EXORecipient -Connection $bad @common },
                { Get-EXOCalendarPermission -Identity 'x' -Connection $bad @common },
                { Set-EXOCalendarPermission -Identity 'x' -User Default -AccessRights Reviewer -Connection $bad -Confirm:$false @common },
                { Invoke-ExoCommand Set-Mailbox @{ Identity = 'x'; CustomAttribute1 = 'y' } -Connection $bad -Confirm:$false @common },
                { Export-ExoDelegatedRefreshToken -Connection $bad @common }) {
                try { & $cmd } catch { $_ }
            }
            Disconnect-ExoDelegated -Connection $bad @common
            # A real (leaked-on-purpose) access token against a foreign nextLink: refused, not echoed.
            $lh = Connect-ExoDelegated -TenantId $t -AccessToken $realAccessToken -ExchangeHost "http://localhost:$port" -AuthorityHost $emu.url -PageSize 5 -Name canary-lh @common
            try { Get-EXOMailbox -Connection $lh -ResultSize Unlimited @common } catch { $_ }
            Disconnect-ExoDelegated -Connection $lh @common
            # Throttled beyond retries and broken connections, with real secrets.
            foreach ($faulty in $throttled, $resets) {
                $f = Connect-ExoDelegated -TenantId $faulty.customers[0].domain -ApplicationId $faulty.applicationId -RefreshToken (New-TestSecret $faulty.refreshToken) `
                    -ClientSecret (New-TestSecret $faulty.clientSecret) -AuthorityHost $faulty.url -ExchangeHost $faulty.url -MaximumRetryCount 1 -MaximumRetryWaitSec 0 -Name canary-faulty @common
                try { Get-EXOMailbox -Connection $f -ResultSize 2 @common } catch { $_ }
                try { Invoke-ExoCommand Set-Mailbox @{ Identity = 'x'; CustomAttribute1 = 'y' } -Connection $f -Confirm:$false @common } catch { $_ }
                $exported.Add((ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken -Connection $f)))
                Get-ExoDelegatedConnection | Format-List * -Force | Out-String
                [System.Management.Automation.PSSerializer]::Serialize($f, 5)
                $f | ConvertTo-Json -Depth 5 -WarningAction SilentlyContinue
                $f | Get-Member -Force | Out-String
                Disconnect-ExoDelegated -Connection $f @common
            }
            # Bad input with a canary in the values.
            try { Invoke-ExoCommand Set-Mailbox @{ Identity = $mailbox.UserPrincipalName; 'bad name' = $canary.ClientSecret } -Connection $c -Confirm:$false @common } catch { $_ }
            try { Invoke-ExoCommand New-Mailbox @{ Name = 'x'; Password = $cs; Nested = @{ Deeper = @{ Secret = $canary.RefreshToken } } } -Connection $c -Confirm:$false @common } catch { $_ }
            # Disconnected connection, after a rotation.
            $r = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'canary-rot' }
            $exported.Add((ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken -Connection $r @common)))
            Disconnect-ExoDelegated -Connection $r @common
            try { Get-EXOMailbox -Connection $r @common } catch { $_ }
            try { Export-ExoDelegatedRefreshToken -Connection $r @common } catch { $_ }
            Get-ExoDelegatedConnection @common | Format-List * -Force | Out-String
        } *>&1
        $null = Stop-Transcript
        $secrets = @($canary.Values) + @(Get-TestSecretString $emu) + @(Get-TestSecretString $throttled) + @(Get-TestSecretString $resets) + @($exported) + @($realAccessTokenText)
        $stats = @{ main = Get-ExoEmulatorStats $emu; throttled = Get-ExoEmulatorStats $throttled; resets = Get-ExoEmulatorStats $resets }
        Stop-ExoEmulator $throttled
        Stop-ExoEmulator $resets
    }

    AfterAll { Remove-Item -LiteralPath $transcript -ErrorAction SilentlyContinue }

    It 'reached the failure paths it is meant to cover' {
        $ids = @($captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] } | Sort-Object -Unique)
        foreach ($id in 'ExoDelegated.ReconsentRequired', 'ExoDelegated.RefreshTokenInvalid', 'ExoDelegated.SecretInvalid', 'ExoDelegated.AppNotInTenant', 'ExoDelegated.MfaRequired',
            'ExoDelegated.ConditionalAccess', 'ExoDelegated.ExchangeNotProvisioned', 'ExoDelegated.TenantNotFound',
            'ExoDelegated.PublicClientSecret', 'ExoDelegated.InsecureEndpoint', 'ExoDelegated.AccessTokenExpired', 'ExoDelegated.NoRefreshToken',
            'ExoDelegated.ForeignNextLink', 'ExoDelegated.Throttled', 'ExoDelegated.ConnectionBroken', 'ExoDelegated.InvalidArgument', 'ExoDelegated.Disconnected') {
            $ids | Should -Contain $id
        }
        $stats.main.tokens.errorsByCode.'7000215' | Should -BeGreaterThan 0 -Because 'the canary client secret was sent'
        $stats.main.tokens.errorsByCode.'70000' | Should -BeGreaterThan 0 -Because 'the canary refresh token was sent'
        $stats.main.auth.unauthorizedByReason.unknown | Should -BeGreaterThan 0 -Because 'the canary access token was sent'
        $stats.throttled.faults.byKind.throttle | Should -BeGreaterThan 0
        $stats.resets.faults.byKind.reset | Should -BeGreaterThan 0
        $exported.Count | Should -Be 3
    }

    It 'captured the output, error, warning, verbose and debug streams' {
        $kinds = $captured | ForEach-Object { $_.GetType().Name } | Sort-Object -Unique
        foreach ($k in 'ErrorRecord', 'WarningRecord', 'VerboseRecord', 'DebugRecord', 'String') { $kinds | Should -Contain $k }
    }

    It 'appears in none of the six streams (including Format-List *, ConvertTo-Json, serialization of the connections)' {
        Find-TestSecret -Text (ConvertTo-TestText $captured) -Secret $secrets | Should -BeNullOrEmpty
    }

    It 'appears nowhere in $Error' {
        $global:Error.Count | Should -BeGreaterThan $errorCountBefore
        Find-TestSecret -Text (ConvertTo-TestText @($global:Error)) -Secret $secrets | Should -BeNullOrEmpty
    }

    It 'appears nowhere in the transcript (Start-Transcript)' {
        $text = Get-Content -Raw -LiteralPath $transcript
        $text | Should -Match 'AADSTS7000215'
        Find-TestSecret -Text $text -Secret $secrets | Should -BeNullOrEmpty
    }

    It 'appears nowhere in the raw stdout/stderr of a pwsh with debug environment variables set (native output included)' {
        # The native library reads no environment variable (no logging to enable); these are
        # the usual switches of Rust and .NET tooling, set in case any dependency honours one.
        $script = @"
`$ErrorActionPreference = 'Continue'
`$VerbosePreference = 'Continue'; `$DebugPreference = 'Continue'
Import-Module '$(Join-Path $RepoRoot 'tools/ExoEmulator.psm1')'
Import-Module '$ModuleManifest'
`$emu = Start-ExoEmulator -Tenants 1 -Mailboxes 5
function S(`$t) { ConvertTo-SecureString `$t -AsPlainText -Force }
`$h = @{ AuthorityHost = `$emu.url; ExchangeHost = `$emu.url }
`$t = `$emu.customers[0].domain
try { Connect-ExoDelegated -TenantId `$t -ApplicationId `$emu.applicationId -RefreshToken (S `$env:CANARY_RT) -ClientSecret (S `$env:CANARY_CS) @h } catch { `$_ | Out-String }
try { Connect-ExoDelegated -TenantId `$t -ApplicationId `$emu.applicationId -ClientSecret (S `$env:CANARY_CS) @h } catch { `$_ | Out-String }
`$x = Connect-ExoDelegated -TenantId `$t -AccessToken (S `$env:CANARY_AT) @h -Name at
try { Get-EXOMailbox -Connection `$x } catch { `$_ | Out-String }
`$c = Connect-ExoDelegated -TenantId `$t -ApplicationId `$emu.applicationId -RefreshToken (S `$emu.refreshToken) -ClientSecret (S `$emu.clientSecret) @h
Get-EXOMailbox -ResultSize 2 | Format-List * | Out-String
`$c | Format-List * -Force | Out-String
Export-ExoDelegatedRefreshToken | Out-Null
Get-ExoDelegatedConnection | Format-List * | Out-String
`$Error | Out-String
Disconnect-ExoDelegated -All
Stop-ExoEmulator `$emu
'CHILD-DONE'
"@
        $variables = @{
            CANARY_RT = $canary.RefreshToken; CANARY_CS = $canary.ClientSecret; CANARY_AT = $canary.AccessToken
            RUST_LOG = 'trace'; RUST_BACKTRACE = 'full'; RUST_LIB_BACKTRACE = '1'; EXO_LOG = 'trace'; EXO_DEBUG = '1'; EXO_BRIDGE_LOG = 'trace'
            EXO_TRACE = '1'; DOTNET_EnableEventPipe = '0'; COREHOST_TRACE = '0'
        }
        $r = Invoke-ChildPwsh -Script $script -Environment $variables -TimeoutSec 120
        $r.ExitCode | Should -Be 0
        $r.StdOut | Should -Match 'CHILD-DONE'
        $r.StdOut | Should -Match 'AADSTS7000215' -Because 'the canary client secret was refused'
        $r.StdOut | Should -Match 'AccessTokenExpired|refused the access token' -Because 'the canary access token was refused'
        Find-TestSecret -Text ($r.StdOut + "`n" + $r.StdErr) -Secret @($canary.Values) | Should -BeNullOrEmpty
    }
}

Describe 'Isolation' {
    It 'refuses a nextLink to another origin without sending the token there (ExchangeHost localhost, links on 127.0.0.1)' {
        $port = ([uri]$emu.url).Port
        $lh = Connect-ExoDelegated -TenantId $emu.customers[0].domain -AccessToken (Get-TestAccessToken $emu) -ExchangeHost "http://localhost:$port" -AuthorityHost $emu.url -PageSize 5 -Name rel-localhost
        try {
            Reset-ExoEmulatorStats $emu
            $delivered = [System.Collections.Generic.List[object]]::new()
            $r = Invoke-BadInput { Get-EXOMailbox -Connection $lh -ResultSize Unlimited | ForEach-Object { $delivered.Add($_) } }
            $r.Errors.Count | Should -Be 1
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.ForeignNextLink,*'
            $r.Errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
            $r.Errors[0].Exception.Message | Should -Match '127\.0\.0\.1'
            $delivered.Count | Should -Be 5 -Because 'the page that carried the link is still delivered'
            $stats = Get-ExoEmulatorStats $emu
            $stats.requests.byEndpoint.invokeCommand | Should -Be 1
            $stats.pages.nextLinksIssued | Should -Be 1
            $stats.pages.nextLinksFollowed | Should -Be 0
        }
        finally { Disconnect-ExoDelegated -Connection $lh }
    }

    It 'refuses http:// to <Url> before anything is sent' -ForEach @(
        @{ Url = 'http://10.0.0.1'; Which = 'ExchangeHost' }
        @{ Url = 'http://10.0.0.1'; Which = 'AuthorityHost' }
        @{ Url = 'http://192.168.1.1:8080'; Which = 'ExchangeHost' }
        @{ Url = 'http://[fe80::1]'; Which = 'ExchangeHost' }
        @{ Url = 'http://localhost.example.com'; Which = 'ExchangeHost' }
    ) {
        Reset-ExoEmulatorStats $emu
        $p = @{ AuthorityHost = $emu.url; ExchangeHost = $emu.url }
        $p[$Which] = $Url
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-BadInput { Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -RefreshToken (New-TestSecret $emu.refreshToken) -ClientSecret (New-TestSecret $emu.clientSecret) @p -ConnectTimeoutSec 60 -Name rel-insecure }
        $watch.ElapsedMilliseconds | Should -BeLessThan 2000
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.InsecureEndpoint,*'
        $r.Errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
        # The authority is the emulator in the ExchangeHost cases: not even the token was requested.
        $stats = Get-ExoEmulatorStats $emu
        $stats.requests.byEndpoint.token | Should -Be 0
        $stats.requests.byEndpoint.invokeCommand | Should -Be 0
    }

    # A proxy from the environment must never see loopback http:// traffic (client secret and
    # refresh token in the form body, bearer tokens in headers, all in clear text):
    # src/http.rs builds loopback clients with no proxy.
    It 'never sends loopback http:// traffic to a proxy from the environment (HTTP_PROXY)' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $proxyUrl = "http://127.0.0.1:$($listener.LocalEndpoint.Port)"
            $script = @"
Import-Module '$ModuleManifest'
try {
    `$c = Connect-ExoDelegated -TenantId '$($emu.customers[0].domain)' -ApplicationId '$($emu.applicationId)' -ClientSecret (ConvertTo-SecureString `$env:TEST_SECRET -AsPlainText -Force) -AuthorityHost '$($emu.url)' -ExchangeHost '$($emu.url)' -TimeoutSec 5 -MaximumRetryCount 0 -ErrorAction Stop
    "RESULT direct `$(@(Get-EXOMailbox -Connection `$c -ResultSize 2 -WarningAction SilentlyContinue).Count)"
}
catch { "RESULT `$(`$_.FullyQualifiedErrorId)" }
"@
            # Case-sensitive names: the environment has both HTTP_PROXY and http_proxy.
            $vars = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::Ordinal)
            $vars['TEST_SECRET'] = $emu.clientSecret
            foreach ($v in 'NO_PROXY', 'no_proxy') { $vars[$v] = $null }
            foreach ($v in 'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy') { $vars[$v] = $proxyUrl }
            $r = Invoke-ChildPwsh -Script $script -Environment $vars -TimeoutSec 90
            $listener.Pending() | Should -BeFalse -Because 'no request may reach the proxy'
            $r.StdOut | Should -Match 'RESULT direct 2'
        }
        finally { $listener.Stop() }
    }

    It 'sends piped records to the tenant they came from, not to the current connection' {
        $tenantA = $emu.customers[0].tenantId
        $tenantB = $emu.customers[1].tenantId
        $b = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'rel-b' }   # tenant B is the current connection now
        try {
            Reset-ExoEmulatorStats $emu
            $stats = @(Get-EXOMailbox -Connection $c -ResultSize 3 | Get-EXOMailboxStatistics)
            $stats.Count | Should -Be 3
            $s = Get-ExoEmulatorStats $emu
            $s.requests.byTenant.PSObject.Properties.Name | Should -Be @($tenantA)
            $s.tokenTenantMismatch | Should -Be 0
        }
        finally { Disconnect-ExoDelegated -Connection $b }
        # Explicitly asking tenant A about tenant B's mailboxes: A's URL with A's token, so NotFound.
        Reset-ExoEmulatorStats $emu
        $r = Invoke-BadInput { Get-EXOMailbox -Connection $other -ResultSize 2 | Get-EXOMailboxStatistics -Connection $c }
        @($r.Errors | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] } | Sort-Object -Unique) | Should -Be @('ExoDelegated.NotFound')
        $s = Get-ExoEmulatorStats $emu
        $s.tokenTenantMismatch | Should -Be 0
        $s.auth.unauthorized | Should -Be 0
        @($s.requests.byTenant.PSObject.Properties.Name | Sort-Object) | Should -Be @(@($tenantA, $tenantB) | Sort-Object)
    }
}

Describe 'No secret of this file leaked' {
    It 'leaves no emulator secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
