#!/usr/bin/env pwsh
#Requires -Version 7.2
<#
.SYNOPSIS
Reliability soak of ExoDelegated against exo-emulator: faults, exactly-once delivery, writes,
isolation and concurrency. The long form writes docs/RELIABILITY.md.

.DESCRIPTION
Everything goes the real way: pwsh -> module -> native library -> HTTP -> exo-emulator on 127.0.0.1.

1. Fault soak. The same seeded estate (--seed, --tenants, --mailboxes) is served by two emulators:
   one without faults (the reference, and the time to beat) and one with
   --faults throttle=0.05,transient=0.03,reset=0.01,concurrency=4 --token-lifetime 60.
   On each, one connection per tenant (small -PageSize, so every page is a request) is shared by
   several ForEach-Object -Parallel runspaces per tenant: six read streams (Get-EXOMailbox three
   ways, Get-EXORecipient, Get-EXOCasMailbox, Get-EXORecipientPermission) and one write stream
   (Invoke-ExoCommand Set-Mailbox with a unique CustomAttribute9 per mailbox). Several streams of a
   tenant run at once, so the per-tenant concurrency limit is really hit.
   Checks: every record of every stream delivered exactly once (ids compared with the fault-free
   enumeration), writes.duplicates = 0, every write either succeeded (and is applied) or failed
   with an ExoDelegated.* error (and one that may have been applied says so), no other error or
   exception, every page and write within a time bound, retry attempts within -MaximumRetryCount,
   no token sent to another tenant (tokenTenantMismatch = 0), every injected fault accounted for
   (retried or reported), at least -MinRequests InvokeCommand requests served; then the same
   tenants at once through the native fan-out (Get-EXOMailbox -Connection $all): every tenant's
   mailboxes exactly once, a failing tenant named in its error. Long form only: an
   enumeration with 2-second tokens while half of the token requests fail with 503 (a refresh
   that meets a transient identity failure must not end the enumeration).
1b. Batched, under the same faults: the forum job (Get-EXOMailbox | Get-EXOCalendarPermission, $batch
   of 10, the connection's window of 4) and Set-Mailbox invocations piped into Invoke-ExoCommand, on
   2 (quick) or 5 tenants, against a fault-free run of the same estate. Checks: every permission row
   exactly once, writes.duplicates = 0, every failed write invocation reported by exactly one error
   that names it (ExoInvocation index and text), one that may have been applied says so, every
   successful one applied.
2. Isolation: a nextLink to another origin is refused (ExchangeHost http://localhost:PORT while the
   emulator links to http://127.0.0.1:PORT); http:// to a non-loopback address is refused before
   anything is sent; long form only: with HTTP_PROXY/HTTPS_PROXY/ALL_PROXY set, loopback http://
   traffic must not go to the proxy.
3. Concurrency: -ConcurrencyRunspaces runspaces x -ConcurrencyTenants tenants at once, compared
   with a sequential run (sorted ids per tenant); tokenTenantMismatch = 0, auth.unauthorized = 0.
4. Long form only: the C ABI bad-input corpus (tools/CTest.psm1, under valgrind) and the
   Pester files Reliability.Tests.ps1 and Secrets.Tests.ps1, whose results go into the report.

Exits 1 when any check fails. -Quick is the short form run by tests/pester/Reliability.Tests.ps1
(about 2,000 requests, about a minute on two cores); it writes no report unless -ReportPath is given.

.PARAMETER Root
The repository root. Default: the parent of this script's folder.

.PARAMETER Quick
The short form: fewer tenants and mailboxes, no C/Pester runs, no report.

.PARAMETER ResultPath
Also write every figure and check as JSON to this file.

.PARAMETER ReportPath
Where the Markdown report goes. Default: docs/RELIABILITY.md for the long form, none for -Quick.

.EXAMPLE
pwsh ./build.ps1 soak

.EXAMPLE
pwsh tools/soak.ps1 -Quick -ResultPath /tmp/soak.json
#>
[CmdletBinding()]
param(
    [string] $Root = (Split-Path -Parent $PSScriptRoot),
    [switch] $Quick,
    [int] $Tenants,
    [int] $Mailboxes,
    [int] $PageSize = 5,
    [int] $WritesPerTenant,
    [int] $ThrottleLimit = 28,
    [int] $Seed = 20240501,
    [string] $Faults = 'throttle=0.05,transient=0.03,reset=0.01,concurrency=4',
    [int] $TokenLifetime = 60,
    # Service time of every request (--latency-ms), so that requests of one tenant overlap as they
    # do against the real service and the per-tenant concurrency limit is reached.
    [int] $LatencyMs = 50,
    [int] $MinRequests,
    [int] $MaximumRetryCount = 5,
    # Longest time one page (with its retries) or one write may take.
    [int] $RequestBoundSec = 30,
    [int] $ConcurrencyTenants = 100,
    [int] $ConcurrencyRunspaces = 16,
    [int] $ConcurrencyMailboxes = 20,
    # Latency of the concurrency emulator: enough for the runspaces' requests to overlap.
    [int] $ConcurrencyLatencyMs = 5,
    [string] $ResultPath,
    [string] $ReportPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = [System.IO.Path]::GetFullPath($Root)
if (-not $PSBoundParameters.ContainsKey('Tenants')) { $Tenants = if ($Quick) { 8 } else { 20 } }
if (-not $PSBoundParameters.ContainsKey('Mailboxes')) { $Mailboxes = if ($Quick) { 240 } else { 1000 } }
if (-not $PSBoundParameters.ContainsKey('WritesPerTenant')) { $WritesPerTenant = if ($Quick) { 15 } else { 40 } }
if (-not $PSBoundParameters.ContainsKey('MinRequests')) { $MinRequests = if ($Quick) { 2000 } else { 20000 } }
if (-not $PSBoundParameters.ContainsKey('ReportPath')) { $ReportPath = if ($Quick) { '' } else { Join-Path $Root 'docs/RELIABILITY.md' } }

$Manifest = Join-Path $Root 'psmodule/ExoDelegated/ExoDelegated.psd1'
Import-Module (Join-Path $Root 'tools/ExoEmulator.psm1') -Force
Import-Module $Manifest -Force
$EmulatorPath = Join-Path $Root "target/release/$(if ($IsWindows) { 'exo-emulator.exe' } else { 'exo-emulator' })"
$Pwsh = (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
if (-not $Pwsh) { $Pwsh = [Environment]::ProcessPath }

$script:Checks = [System.Collections.Generic.List[object]]::new()
function Add-Check {
    # One named pass/fail check with the figure that decided it.
    param([string] $Area, [string] $Name, [bool] $Passed, [string] $Detail)
    $script:Checks.Add([pscustomobject]@{ Area = $Area; Name = $Name; Passed = $Passed; Detail = $Detail })
    $mark = if ($Passed) { 'PASS' } else { 'FAIL' }
    Write-Host ("  [{0}] {1}: {2} ({3})" -f $mark, $Area, $Name, $Detail) -ForegroundColor $(if ($Passed) { 'Green' } else { 'Red' })
}

function Write-Phase([string] $Text) { Write-Host "==> $Text" -ForegroundColor Cyan }

function Stop-SoakEmulator($Emulator) {
    # Stops an emulator once (the finally block stops whatever is still running).
    if ($emulators.Remove($Emulator)) { try { Stop-ExoEmulator $Emulator } catch { Write-Warning "stopping exo-emulator: $_" } }
}

function New-Secure([string] $Text) { ConvertTo-SecureString -String $Text -AsPlainText -Force }

# The read streams of every tenant: a command, its parameters, and the properties that identify
# a record (the exactly-once check compares these).
$Streams = @(
    @{ Name = 'Mailbox'; Command = 'Get-EXOMailbox'; Parameters = @{ ResultSize = 'Unlimited' }; Key = @('ExternalDirectoryObjectId', 'Guid') }
    @{ Name = 'MailboxCustom'; Command = 'Get-EXOMailbox'; Parameters = @{ ResultSize = 'Unlimited'; PropertySets = 'Custom' }; Key = @('ExternalDirectoryObjectId', 'Guid') }
    @{ Name = 'MailboxFiltered'; Command = 'Get-EXOMailbox'; Parameters = @{ ResultSize = 'Unlimited'; Filter = "RecipientTypeDetails -eq 'UserMailbox'" }; Key = @('ExternalDirectoryObjectId', 'Guid') }
    @{ Name = 'Recipient'; Command = 'Get-EXORecipient'; Parameters = @{ ResultSize = 'Unlimited'; Properties = 'Guid' }; Key = @('ExternalDirectoryObjectId', 'Guid') }
    @{ Name = 'CasMailbox'; Command = 'Get-EXOCasMailbox'; Parameters = @{ ResultSize = 'Unlimited' }; Key = @('ExternalDirectoryObjectId', 'Guid') }
    @{ Name = 'RecipientPermission'; Command = 'Get-EXORecipientPermission'; Parameters = @{ ResultSize = 'Unlimited' }; Key = @('Identity', 'Trustee', 'AccessRights') }
)

function Connect-SoakTenant {
    # Connects with the partner refresh token + app secret. The token endpoint is faulted too; a
    # connect that fails with a transient error is retried by this script, as a runbook would.
    param($Emulator, [string] $Tenant, [int] $PageSize, [int] $MaximumRetryCount)
    $attempt = 0
    while ($true) {
        $attempt++
        try {
            $c = Connect-ExoDelegated -TenantId $Tenant -ApplicationId $Emulator.applicationId -RefreshToken (New-Secure $Emulator.refreshToken) `
                -ClientSecret (New-Secure $Emulator.clientSecret) -AuthorityHost $Emulator.url -ExchangeHost $Emulator.url `
                -PageSize $PageSize -MaximumRetryCount $MaximumRetryCount -Name $Tenant -ErrorAction Stop
            return [pscustomobject]@{ Connection = $c; Attempts = $attempt; Errors = @() }
        }
        catch {
            $id = $_.FullyQualifiedErrorId
            if ($attempt -ge 5 -or $id -notmatch '^ExoDelegated\.(Transient|Throttled|TokenEndpoint\w*|ServiceUnavailable|ConnectionBroken|ConnectFailed|Timeout)') { throw }
            Write-Host "    connect $Tenant attempt $attempt failed ($id); retrying" -ForegroundColor Yellow
            Start-Sleep -Milliseconds 500
        }
    }
}

function Invoke-SoakWorkload {
    # One run of the workload against one emulator: a connection per tenant, then every
    # (tenant, stream) and (tenant, writes) item in ForEach-Object -Parallel, tenant by tenant,
    # so several streams of one tenant are in flight at once.
    param($Emulator, [object[]] $Targets, [hashtable] $WriteTargets, [int] $PageSize, [int] $ThrottleLimit, [int] $MaximumRetryCount, [string] $Label)
    $connects = [ordered]@{}
    $connectAttempts = 0
    foreach ($t in $Targets) {
        $r = Connect-SoakTenant -Emulator $Emulator -Tenant $t -PageSize $PageSize -MaximumRetryCount $MaximumRetryCount
        $connects[$t] = $r.Connection
        $connectAttempts += $r.Attempts
    }
    $items = foreach ($t in $Targets) {
        foreach ($s in $Streams) { [pscustomobject]@{ Tenant = $t; Kind = 'Read'; Stream = $s; Connection = $connects[$t]; Writes = $null } }
        if ($WriteTargets -and $WriteTargets[$t]) {
            [pscustomobject]@{ Tenant = $t; Kind = 'Write'; Stream = @{ Name = 'Writes' }; Connection = $connects[$t]; Writes = $WriteTargets[$t] }
        }
    }
    $manifest = $Manifest
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $results = @($items | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel {
            $item = $_
            Import-Module $using:manifest
            $retries = @{}
            $maxAttempt = 0
            $maxWaitMs = 0
            $pages = 0
            $errors = [System.Collections.Generic.List[object]]::new()
            $onVerbose = {
                param($message)
                # Dot-sourced: updates the counters of the calling scope.
                if ($message -match '^\S+: retry (\d+) after (\S+), waited (\d+) ms') {
                    $retries[$Matches[2]] = 1 + [int]$retries[$Matches[2]]
                    $maxAttempt = [Math]::Max($maxAttempt, [int]$Matches[1])
                    $maxWaitMs = [Math]::Max($maxWaitMs, [long]$Matches[3])
                }
                elseif ($message -match '^\S+ page \d+:') { $pages++ }
            }
            $describe = {
                param($e)
                $native = [ExoDelegated.Interop.ErrorMapper]::Unwrap($e.Exception)
                [pscustomobject]@{
                    ErrorId  = $e.FullyQualifiedErrorId
                    Message  = [string]$e.Exception.Message
                    Retries  = if ($native) { $native.Retries } else { 0 }
                    Aadsts   = if ($native) { $native.Aadsts } else { 0 }
                    Target   = [string]$e.TargetObject
                }
            }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $keys = [System.Collections.Generic.List[string]]::new()
            $writes = [System.Collections.Generic.List[object]]::new()
            $maxGapMs = 0
            if ($item.Kind -eq 'Read') {
                $p = @{} + $item.Stream.Parameters
                $p.Connection = $item.Connection
                $keyNames = $item.Stream.Key
                $last = 0
                $caught = $null
                try {
                    & $item.Stream.Command @p -Verbose -WarningAction SilentlyContinue -ErrorAction SilentlyContinue -ErrorVariable +failed 4>&1 | ForEach-Object {
                        if ($_ -is [System.Management.Automation.VerboseRecord]) { . $onVerbose $_.Message; return }
                        $now = $watch.ElapsedMilliseconds
                        if ($now - $last -gt $maxGapMs) { $maxGapMs = $now - $last }
                        $last = $now
                        $record = $_
                        $keys.Add((@(foreach ($k in $keyNames) { [string]$record.$k }) -join '|'))
                    }
                }
                catch { $errors.Add((& $describe $_)); $caught = $_ }
                # A terminating error is in -ErrorVariable too: count it once.
                foreach ($e in @(Get-Variable -Name failed -ValueOnly -ErrorAction SilentlyContinue)) {
                    if ($e -and -not ($caught -and [object]::ReferenceEquals($e.Exception, $caught.Exception))) { $errors.Add((& $describe $e)) }
                }
            }
            else {
                foreach ($w in $item.Writes) {
                    $one = [System.Diagnostics.Stopwatch]::StartNew()
                    $failed = $null
                    try {
                        Invoke-ExoCommand -Connection $item.Connection -Name Set-Mailbox -Parameters @{ Identity = $w.Identity; CustomAttribute9 = $w.Value } `
                            -Confirm:$false -Verbose -WarningAction SilentlyContinue -ErrorAction SilentlyContinue -ErrorVariable failed 4>&1 |
                            ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { . $onVerbose $_.Message } }
                    }
                    catch { $failed = @($_) }
                    $ms = $one.ElapsedMilliseconds
                    if ($ms -gt $maxGapMs) { $maxGapMs = $ms }
                    $e = if ($failed) { & $describe @($failed)[0] } else { $null }
                    if ($e) { $errors.Add($e) }
                    $writes.Add([pscustomobject]@{
                            Identity = $w.Identity; Value = $w.Value; Ok = ($null -eq $e); DurationMs = $ms
                            ErrorId = if ($e) { $e.ErrorId } else { $null }; Message = if ($e) { $e.Message } else { $null }
                        })
                }
            }
            [pscustomobject]@{
                Tenant     = $item.Tenant
                Stream     = $item.Stream.Name
                Kind       = $item.Kind
                Keys       = $keys.ToArray()
                Writes     = $writes.ToArray()
                Pages      = $pages
                Retries    = $retries
                MaxAttempt = $maxAttempt
                MaxWaitMs  = $maxWaitMs
                MaxGapMs   = $maxGapMs
                Errors     = $errors.ToArray()
                DurationMs = $watch.ElapsedMilliseconds
            }
        })
    $clock.Stop()
    [pscustomobject]@{
        Label           = $Label
        Results         = $results
        ElapsedMs       = $clock.ElapsedMilliseconds
        Connections     = $connects
        ConnectAttempts = $connectAttempts
    }
}

function Get-KeyCount {
    # key -> how many times it was delivered.
    param([string[]] $Keys)
    $d = [System.Collections.Generic.Dictionary[string, int]]::new([System.StringComparer]::Ordinal)
    foreach ($k in $Keys) { $n = 0; $null = $d.TryGetValue($k, [ref]$n); $d[$k] = $n + 1 }
    $d
}

function Compare-Delivery {
    # Exactly once: the faulted run's keys per (tenant, stream) against the fault-free run's.
    param($Reference, $Candidate)
    $byItem = @{}
    foreach ($r in $Reference.Results | Where-Object Kind -eq 'Read') { $byItem["$($r.Tenant)/$($r.Stream)"] = $r }
    $rows = foreach ($c in $Candidate.Results | Where-Object Kind -eq 'Read') {
        $ref = $byItem["$($c.Tenant)/$($c.Stream)"]
        $want = Get-KeyCount $ref.Keys
        $got = Get-KeyCount $c.Keys
        $dup = 0; $missing = 0; $extra = 0
        foreach ($k in $got.Keys) {
            if ($got[$k] -gt 1) { $dup += $got[$k] - 1 }
            if (-not $want.ContainsKey($k)) { $extra++ }
        }
        foreach ($k in $want.Keys) { if (-not $got.ContainsKey($k)) { $missing++ } }
        [pscustomobject]@{
            Tenant = $c.Tenant; Stream = $c.Stream; Expected = $ref.Keys.Count; Delivered = $c.Keys.Count
            Duplicates = $dup; Missing = $missing; Unexpected = $extra; RefDuplicates = @($want.Values | Where-Object { $_ -gt 1 }).Count
        }
    }
    , @($rows)
}

function Get-MachineInfo {
    $cpu = if (Test-Path /proc/cpuinfo) { ((Get-Content /proc/cpuinfo | Where-Object { $_ -match '^model name' } | Select-Object -First 1) -replace '^model name\s*:\s*', '') } else { $env:PROCESSOR_IDENTIFIER }
    $mem = if (Test-Path /proc/meminfo) { '{0:N1} GB' -f (([long]((Get-Content /proc/meminfo | Select-Object -First 1) -replace '\D', '')) / 1MB) } else { '?' }
    $os = if (Test-Path /etc/os-release) { ((Get-Content /etc/os-release | Where-Object { $_ -match '^PRETTY_NAME=' }) -replace '^PRETTY_NAME=|"', '') } else { [System.Runtime.InteropServices.RuntimeInformation]::OSDescription }
    $commit = try { (& git -C $Root rev-parse --short HEAD 2>$null) } catch { '?' }
    $dirty = try { if (& git -C $Root status --porcelain 2>$null) { ' (with uncommitted changes)' } else { '' } } catch { '' }
    [ordered]@{
        Cpu        = $cpu
        Cores      = [Environment]::ProcessorCount
        Memory     = $mem
        Os         = $os
        Kernel     = if ($IsLinux) { "Linux $(& uname -r)" } else { [System.Runtime.InteropServices.RuntimeInformation]::OSDescription }
        PowerShell = $PSVersionTable.PSVersion.ToString()
        DotNet     = [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        Native     = [ExoDelegated.Interop.Bridge]::NativeVersion()
        Commit     = "$commit$dirty"
        Date       = [DateTime]::UtcNow.ToString('yyyy-MM-dd HH:mm') + ' UTC'
    }
}

function Get-StatNumber($Object, [string] $Path) {
    # A counter from the stats JSON by dotted path; 0 when absent.
    $v = $Object
    foreach ($part in $Path -split '\.') {
        if ($null -eq $v) { return 0 }
        $p = $v.PSObject.Properties[$part]
        $v = if ($p) { $p.Value } else { $null }
    }
    if ($null -eq $v) { 0 } else { $v }
}

function Get-Total($InputObject, [string] $Property) {
    # Sum of a property (or of the values) over a possibly empty collection.
    $t = 0
    foreach ($o in @($InputObject)) {
        if ($null -eq $o) { continue }
        $v = if ($Property) { $o.$Property } else { $o }
        if ($null -ne $v) { $t += $v }
    }
    $t
}

function Get-Highest($InputObject, [string] $Property) {
    # Largest value of a property (or of the values) over a possibly empty collection; 0 when empty.
    $m = 0
    foreach ($o in @($InputObject)) {
        if ($null -eq $o) { continue }
        $v = if ($Property) { $o.$Property } else { $o }
        if ($null -ne $v -and $v -gt $m) { $m = $v }
    }
    $m
}

function ConvertTo-Hashtable($Object) {
    $h = [ordered]@{}
    if ($null -ne $Object) { foreach ($p in $Object.PSObject.Properties) { $h[$p.Name] = $p.Value } }
    $h
}

function Invoke-SoakBatched {
    # The batched forum job (Get-EXOMailbox | Get-EXOCalendarPermission, $batch of 10) and
    # batched writes (Set-Mailbox invocations piped into Invoke-ExoCommand) against one emulator.
    # Returns the permission rows, the write outcomes (one per invocation) and every error.
    param($Emulator, [string[]] $Targets, [hashtable] $WriteTargets, [string] $Tag)
    $rows = [System.Collections.Generic.List[string]]::new()
    $errors = [System.Collections.Generic.List[object]]::new()
    $writes = [System.Collections.Generic.List[object]]::new()
    $retries = 0
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($t in $Targets) {
        $c = (Connect-SoakTenant -Emulator $Emulator -Tenant $t -PageSize 1000 -MaximumRetryCount $MaximumRetryCount).Connection
        try {
            $failed = $null
            # The mailbox list itself is read until it is complete (it is not what is measured).
            $list = $null
            foreach ($attempt in 1..5) {
                try { $list = @(Get-EXOMailbox -Connection $c -ResultSize Unlimited -WarningAction SilentlyContinue -ErrorAction Stop); break }
                catch { if ($attempt -eq 5) { throw } }
            }
            $list | Get-EXOCalendarPermission -Connection $c -Verbose -ErrorAction SilentlyContinue -ErrorVariable failed -WarningAction SilentlyContinue 4>&1 | ForEach-Object {
                if ($_ -is [System.Management.Automation.VerboseRecord]) { if ($_.Message -match ': retry \d+ after ') { $retries++ }; return }
                $rows.Add(('{0}|{1}|{2}|{3}' -f $t, $_.Mailbox, $_.User, ($_.AccessRights -join ',')))
            }
            foreach ($e in @($failed)) { if ($e) { $errors.Add([pscustomobject]@{ Kind = 'Read'; ErrorId = $e.FullyQualifiedErrorId; Message = $e.Exception.Message; Target = [string]$e.TargetObject; Index = -1 }) } }

            $failed = $null
            $invocations = @($WriteTargets[$t] | ForEach-Object { @{ Identity = $_.Identity; CustomAttribute8 = "$Tag-$($_.Value)" } })
            $null = $invocations | Invoke-ExoCommand -Connection $c -Name Set-Mailbox -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed -WarningAction SilentlyContinue
            $byIndex = @{}
            $tenantErrors = [System.Collections.Generic.List[object]]::new()
            foreach ($e in @($failed)) {
                if (-not $e) { continue }
                $index = if ($e.TargetObject -and $e.TargetObject.PSObject.Properties['Index']) { [int]$e.TargetObject.Index } else { -1 }
                $record = [pscustomobject]@{ Kind = 'Write'; ErrorId = $e.FullyQualifiedErrorId; Message = $e.Exception.Message; Target = [string]$e.TargetObject; Index = $index }
                $errors.Add($record); $tenantErrors.Add($record)
                $byIndex[$index] = 1 + [int]$byIndex[$index]
            }
            for ($i = 0; $i -lt $invocations.Count; $i++) {
                # The error names its invocation: its index and its text ("#<index> Set-Mailbox <identity>").
                $e = @($tenantErrors | Where-Object { $_.Index -eq $i -and $_.Target -eq "#$i Set-Mailbox $($invocations[$i].Identity)" })
                $writes.Add([pscustomobject]@{
                        Tenant = $t; Identity = $invocations[$i].Identity; Value = $invocations[$i].CustomAttribute8; Ok = $e.Count -eq 0
                        Reports = [int]$byIndex[$i]; ErrorId = if ($e) { $e[0].ErrorId } else { $null }; Message = if ($e) { $e[0].Message } else { $null }
                    })
            }
        }
        finally { Disconnect-ExoDelegated -Connection $c }
    }
    [pscustomobject]@{ Rows = $rows.ToArray(); Writes = $writes.ToArray(); Errors = $errors.ToArray(); Retries = $retries; ElapsedMs = $clock.ElapsedMilliseconds }
}

function Get-SoakWriteReadBack {
    # Tenant/UPN -> CustomAttribute8 for the values this run wrote, read through the (faulty)
    # service until complete (up to 5 attempts).
    param($Emulator, [string[]] $Targets, [string] $Tag)
    $applied = @{}
    foreach ($t in $Targets) {
        $c = (Connect-SoakTenant -Emulator $Emulator -Tenant $t -PageSize 1000 -MaximumRetryCount $MaximumRetryCount).Connection
        try {
            foreach ($attempt in 1..5) {
                try {
                    $found = @{}
                    Get-EXOMailbox -Connection $c -Filter "CustomAttribute8 -like '$Tag-*'" -Properties UserPrincipalName, CustomAttribute8 -ResultSize Unlimited -ErrorAction Stop -WarningAction SilentlyContinue |
                        ForEach-Object { $found["$t/$($_.UserPrincipalName)"] = $_.CustomAttribute8 }
                    foreach ($k in $found.Keys) { $applied[$k] = $found[$k] }
                    break
                }
                catch { if ($attempt -eq 5) { throw } }
            }
        }
        finally { Disconnect-ExoDelegated -Connection $c }
    }
    $applied
}

# ---------------------------------------------------------------------------------------------
$summary = [ordered]@{ Quick = [bool]$Quick; Machine = Get-MachineInfo }
$totalClock = [System.Diagnostics.Stopwatch]::StartNew()
$emulators = [System.Collections.Generic.List[object]]::new()
try {
    # -------------------------------------------------------------- 1. fault soak
    Write-Phase "fault soak: $Tenants tenants x $Mailboxes mailboxes, page size $PageSize, $($Streams.Count) read streams + $WritesPerTenant writes per tenant, -ThrottleLimit $ThrottleLimit"
    $emuArgs = @{ Tenants = $Tenants; Mailboxes = $Mailboxes; Seed = $Seed; TokenLifetime = $TokenLifetime; LatencyMs = $LatencyMs }
    $clean = Start-ExoEmulator @emuArgs
    $emulators.Add($clean)
    $targets = @($clean.customers.domain)

    # The mailboxes the writes go to: the first ones of each tenant (same estate on both emulators).
    $writeTargets = @{}
    foreach ($t in $targets) {
        $c = (Connect-SoakTenant -Emulator $clean -Tenant $t -PageSize 1000 -MaximumRetryCount $MaximumRetryCount).Connection
        $i = 0
        $writeTargets[$t] = @(Get-EXOMailbox -Connection $c -ResultSize $WritesPerTenant -WarningAction SilentlyContinue | ForEach-Object {
                $i++
                [pscustomobject]@{ Identity = $_.UserPrincipalName; Value = "soak-$Seed-$($targets.IndexOf($t))-$i" }
            })
        Disconnect-ExoDelegated -Connection $c
    }
    Reset-ExoEmulatorStats $clean

    Write-Phase 'fault-free run (reference ids and time)'
    $reference = Invoke-SoakWorkload -Emulator $clean -Targets $targets -WriteTargets $writeTargets -PageSize $PageSize -ThrottleLimit $ThrottleLimit -MaximumRetryCount $MaximumRetryCount -Label 'fault-free'
    $cleanStats = Get-ExoEmulatorStats $clean
    foreach ($c in $reference.Connections.Values) { Disconnect-ExoDelegated -Connection $c }
    Stop-SoakEmulator $clean
    Write-Host ("    {0:N1} s, {1} InvokeCommand requests" -f ($reference.ElapsedMs / 1000), (Get-StatNumber $cleanStats 'requests.byEndpoint.invokeCommand'))

    # The reference must itself be sound: no errors, no duplicates, the seeded counts.
    $refErrors = @($reference.Results | ForEach-Object { $_.Errors }).Count
    Add-Check 'Fault soak' 'reference run without errors' ($refErrors -eq 0) "$refErrors error(s) in the fault-free run"
    $refMailboxes = @($reference.Results | Where-Object Stream -eq 'Mailbox')
    $badCounts = @($refMailboxes | Where-Object { $_.Keys.Count -ne $Mailboxes -or @($_.Keys | Sort-Object -Unique).Count -ne $Mailboxes })
    Add-Check 'Fault soak' 'reference = seeded estate' ($badCounts.Count -eq 0) "every tenant enumerated $Mailboxes distinct mailboxes ($($badCounts.Count) tenant(s) differ)"

    Write-Phase "faulted run (--faults $Faults --token-lifetime $TokenLifetime)"
    $faulty = Start-ExoEmulator @emuArgs -Faults $Faults
    $emulators.Add($faulty)
    $faulted = Invoke-SoakWorkload -Emulator $faulty -Targets $targets -WriteTargets $writeTargets -PageSize $PageSize -ThrottleLimit $ThrottleLimit -MaximumRetryCount $MaximumRetryCount -Label 'faulted'
    $stats = Get-ExoEmulatorStats $faulty
    Write-Host ("    {0:N1} s, {1} InvokeCommand requests, {2} faults" -f ($faulted.ElapsedMs / 1000), (Get-StatNumber $stats 'requests.byEndpoint.invokeCommand'), (Get-StatNumber $stats 'faults.total'))

    # Read back what the writes left behind, through the same faulty service. This is the check's
    # own measurement, so a read-back that fails is run again (up to 5 times; counted).
    $applied = @{}
    $readBackErrors = [System.Collections.Generic.List[string]]::new()
    $readBackRetries = [System.Collections.Generic.List[string]]::new()
    foreach ($t in $targets) {
        $c = $faulted.Connections[$t]
        foreach ($attempt in 1..5) {
            $found = @{}
            try {
                Get-EXOMailbox -Connection $c -Filter "CustomAttribute9 -like 'soak-$Seed-*'" -Properties UserPrincipalName, CustomAttribute9 -ResultSize Unlimited -ErrorAction Stop |
                    ForEach-Object { $found["$t/$($_.UserPrincipalName)"] = $_.CustomAttribute9 }
                foreach ($k in $found.Keys) { $applied[$k] = $found[$k] }
                break
            }
            catch {
                $readBackRetries.Add("$($_.FullyQualifiedErrorId): $($_.Exception.Message)")
                if ($attempt -eq 5) { $readBackErrors.Add("$t`: $($_.FullyQualifiedErrorId): $($_.Exception.Message)") }
            }
        }
    }
    # The same tenants through the native fan-out (one runspace, -Connection $all) under the same
    # faults: every tenant's mailboxes exactly once, a tenant that fails is reported by name.
    Write-Phase "fan-out under faults: Get-EXOMailbox -Connection `$all ($Tenants tenants, -ThrottleLimit 16)"
    $fanConnections = @($targets | ForEach-Object { $faulted.Connections[$_] })
    $fanErrors = $null
    $fanRecords = @(Get-EXOMailbox -Connection $fanConnections -ResultSize Unlimited -ThrottleLimit 16 -ErrorAction SilentlyContinue -ErrorVariable fanErrors)
    $failedTenants = @($fanErrors | ForEach-Object { "$($_.TargetObject)" })
    $fanWrong = [System.Collections.Generic.List[string]]::new()
    foreach ($c in $fanConnections) {
        $upns = @($fanRecords | Where-Object ExoTenant -eq $c.TenantId | ForEach-Object UserPrincipalName)
        $distinct = @($upns | Sort-Object -Unique).Count
        if ($distinct -ne $upns.Count) { $fanWrong.Add("$($c.TenantId): $($upns.Count - $distinct) duplicate(s)") }
        elseif ($failedTenants -notcontains $c.TenantId -and $upns.Count -ne $Mailboxes) { $fanWrong.Add("$($c.TenantId): $($upns.Count) of $Mailboxes") }
    }
    $unnamed = @($fanErrors | Where-Object { "$_" -notmatch "^Tenant $([regex]::Escape("$($_.TargetObject)"))" -or $_.FullyQualifiedErrorId -notmatch '^ExoDelegated\.' })
    Add-Check 'Fault soak' 'fan-out: every tenant''s records exactly once, failed tenants named' ($fanWrong.Count -eq 0 -and $unnamed.Count -eq 0) `
        "$($fanRecords.Count) records from $($fanConnections.Count) tenants; $($failedTenants.Count) tenant(s) failed and were named; $($fanWrong.Count) tenant(s) wrong$(if ($fanWrong) { ': ' + (($fanWrong | Select-Object -First 3) -join '; ') }); $($unnamed.Count) error(s) not naming their tenant"

    $statsAfter = Get-ExoEmulatorStats $faulty
    foreach ($c in $faulted.Connections.Values) { Disconnect-ExoDelegated -Connection $c }

    # ---- checks
    $delivery = Compare-Delivery -Reference $reference -Candidate $faulted
    $dup = (Get-Total $delivery 'Duplicates')
    $missing = (Get-Total $delivery 'Missing')
    $unexpected = (Get-Total $delivery 'Unexpected')
    $records = (Get-Total $delivery 'Delivered')
    $expected = (Get-Total $delivery 'Expected')
    Add-Check 'Fault soak' 'every record delivered exactly once' ($dup -eq 0 -and $missing -eq 0 -and $unexpected -eq 0 -and $records -eq $expected) `
        "$records of $expected records over $($delivery.Count) enumerations; $dup duplicate(s), $missing missing, $unexpected unexpected"

    $invoke = [long](Get-StatNumber $stats 'requests.byEndpoint.invokeCommand')
    Add-Check 'Fault soak' "at least $MinRequests InvokeCommand requests" ($invoke -ge $MinRequests) "$invoke requests served to $Tenants tenants"

    $writes = @($faulted.Results | Where-Object Kind -eq 'Write' | ForEach-Object { foreach ($w in $_.Writes) { $w | Add-Member -PassThru -NotePropertyName Tenant -NotePropertyValue $_.Tenant } })
    $refWrites = @($reference.Results | Where-Object Kind -eq 'Write' | ForEach-Object { $_.Writes })
    $writeDuplicates = [long](Get-StatNumber $statsAfter 'writes.duplicates')
    Add-Check 'Fault soak' 'writes applied at most once (writes.duplicates = 0)' ($writeDuplicates -eq 0) "$writeDuplicates duplicate fingerprint(s) of $(Get-StatNumber $statsAfter 'writes.applied') applied writes"
    $okNotApplied = @($writes | Where-Object { $_.Ok -and $applied["$($_.Tenant)/$($_.Identity)"] -ne $_.Value })
    Add-Check 'Fault soak' 'every successful write is applied' ($okNotApplied.Count -eq 0 -and $readBackErrors.Count -eq 0) `
        ("$(@($writes | Where-Object Ok).Count) succeeded, $($okNotApplied.Count) of them not found on read-back; read-backs that failed and were run again: $($readBackRetries.Count)" + $(if ($readBackRetries.Count) { " ($(($readBackRetries | Select-Object -Unique) -join '; '))" } else { '' }) + $(if ($readBackErrors.Count) { "; tenants whose read-back failed 5 times: $($readBackErrors -join '; ')" } else { '' }))
    $failedWrites = @($writes | Where-Object { -not $_.Ok })
    $unclear = @($failedWrites | Where-Object { $_.ErrorId -notmatch '^ExoDelegated\.' -or -not $_.Message })
    $silentlyApplied = @($failedWrites | Where-Object { $applied["$($_.Tenant)/$($_.Identity)"] -eq $_.Value -and $_.Message -notmatch 'may or may not have been applied' })
    Add-Check 'Fault soak' 'failed writes fail with a clear ExoDelegated error' ($unclear.Count -eq 0 -and $silentlyApplied.Count -eq 0) `
        "$($failedWrites.Count) failed; $($unclear.Count) without an ExoDelegated.* ErrorId; $($silentlyApplied.Count) applied without saying it may have been"
    $refWriteFailures = @($refWrites | Where-Object { -not $_.Ok }).Count
    Add-Check 'Fault soak' 'fault-free writes all succeed' ($refWriteFailures -eq 0 -and $refWrites.Count -eq $writes.Count) "$($refWrites.Count) writes, $refWriteFailures failed"

    $allErrors = @($faulted.Results | ForEach-Object { foreach ($e in $_.Errors) { $e | Add-Member -PassThru -NotePropertyName Stream -NotePropertyValue $_.Stream -Force } })
    $readErrors = @($allErrors | Where-Object Stream -ne 'Writes')
    $unhandled = @($allErrors | Where-Object { $_.ErrorId -notmatch '^ExoDelegated\.' })
    Add-Check 'Fault soak' 'no unhandled exception' ($unhandled.Count -eq 0) "$($unhandled.Count) error(s) without an ExoDelegated.* ErrorId$(if ($unhandled) { ': ' + (($unhandled | Select-Object -First 3 | ForEach-Object { "$($_.ErrorId): $($_.Message)" }) -join '; ') })"
    Add-Check 'Fault soak' 'no read failed' ($readErrors.Count -eq 0) "$($readErrors.Count) read error(s)$(if ($readErrors) { ': ' + (($readErrors | Select-Object -First 3 | ForEach-Object { "$($_.ErrorId): $($_.Message)" }) -join '; ') })"

    $maxGap = (Get-Highest $faulted.Results 'MaxGapMs')
    $maxAttempt = (Get-Highest $faulted.Results 'MaxAttempt')
    $maxWait = (Get-Highest $faulted.Results 'MaxWaitMs')
    $failedRetries = (Get-Highest $allErrors 'Retries')
    if ($null -eq $failedRetries) { $failedRetries = 0 }
    Add-Check 'Fault soak' 'every retry bounded' ($maxGap -le $RequestBoundSec * 1000 -and $maxAttempt -le $MaximumRetryCount -and $failedRetries -le $MaximumRetryCount + 1) `
        "longest page or write $maxGap ms (bound $($RequestBoundSec * 1000)); highest retry attempt $maxAttempt (limit $MaximumRetryCount); longest single wait $maxWait ms"

    $mismatch = [long](Get-StatNumber $statsAfter 'tokenTenantMismatch')
    Add-Check 'Fault soak' 'no token sent to another tenant (tokenTenantMismatch = 0)' ($mismatch -eq 0) "$mismatch"
    foreach ($kind in 'throttle', 'transient', 'reset') {
        $n = [long](Get-StatNumber $stats "faults.byKind.$kind")
        Add-Check 'Fault soak' "fault '$kind' was injected" ($n -gt 0) "$n"
    }
    # The connection's request window (4) keeps each tenant within the concurrency limit, so the
    # emulator refuses only what crosses it (a reset whose slot the client freed before the server
    # did, or a second connection to the tenant): either refusals were met (and the reads above
    # recovered from them) or no tenant ever had more requests in flight than the limit.
    $limit = if ($Faults -match 'concurrency=(\d+)') { [int]$Matches[1] } else { 0 }
    $refused = [long](Get-StatNumber $stats 'faults.byKind.concurrency')
    $perTenant = (Get-StatNumber $stats 'concurrency.maxInFlightByTenant')
    $most = if ($perTenant) { ($perTenant.PSObject.Properties.Value | Measure-Object -Maximum).Maximum } else { 0 }
    Add-Check 'Fault soak' "fault 'concurrency' (limit $limit per tenant): refused what crossed it, or never crossed" ($limit -gt 0 -and ($refused -gt 0 -or $most -le $limit)) `
        "$refused refused; most requests in flight for one tenant: $most"

    $retryReasons = @{}
    foreach ($r in $faulted.Results) { foreach ($k in $r.Retries.Keys) { $retryReasons[$k] = [int]$retryReasons[$k] + $r.Retries[$k] } }
    # Every fault the emulator injected on InvokeCommand is either a retry the commands reported
    # (-Verbose) or part of a request that failed (its retries plus the final failure): none is
    # swallowed, none is counted twice.
    $invokeFaults = [long](Get-StatNumber $stats 'faults.byEndpoint.invokeCommand')
    $faultRetries = [long](Get-Total @($retryReasons.GetEnumerator() | Where-Object { $_.Key -notlike 'TokenEndpoint*' }) 'Value')
    $onFailures = [long]((Get-Total $allErrors 'Retries'))
    # Failures caused by the token endpoint (an AADSTS code) did not end in an InvokeCommand fault,
    # and the retry counts of failed requests do not say which endpoint each retry was for: bounds.
    $exchangeFailures = @($allErrors | Where-Object { -not $_.Aadsts }).Count
    $low = $faultRetries + $exchangeFailures
    $high = $faultRetries + $onFailures + $exchangeFailures
    Add-Check 'Fault soak' 'every injected fault accounted for (retried or reported)' ($invokeFaults -ge $low -and $invokeFaults -le $high) `
        "$invokeFaults faults on InvokeCommand; $faultRetries retries reported with -Verbose, $exchangeFailures requests that failed on an Exchange fault, $onFailures retries inside failed requests: expected between $low and $high"
    $summary.Soak = [ordered]@{
        Emulator          = "exo-emulator --tenants $Tenants --mailboxes $Mailboxes --seed $Seed --token-lifetime $TokenLifetime --latency-ms $LatencyMs [--faults $Faults]"
        Tenants           = $Tenants
        Mailboxes         = $Mailboxes
        PageSize          = $PageSize
        ThrottleLimit     = $ThrottleLimit
        Streams           = @($Streams | ForEach-Object { "$($_.Command) $(($_.Parameters.GetEnumerator() | Sort-Object Key | ForEach-Object { if ([string]$_.Value -match '\s') { '-{0} "{1}"' -f $_.Key, $_.Value } else { '-{0} {1}' -f $_.Key, $_.Value } }) -join ' ')" })
        WritesPerTenant   = $WritesPerTenant
        FaultFreeMs       = $reference.ElapsedMs
        FaultedMs         = $faulted.ElapsedMs
        FaultFreeRequests = [long](Get-StatNumber $cleanStats 'requests.byEndpoint.invokeCommand')
        FaultedRequests   = $invoke
        FaultFreeTokens   = [long](Get-StatNumber $cleanStats 'tokens.issued')
        FaultedTokens     = [long](Get-StatNumber $stats 'tokens.issued')
        TokenErrors       = ConvertTo-Hashtable $stats.tokens.errorsByCode
        ClientPages       = (Get-Total $faulted.Results 'Pages')
        Records           = $records
        ExpectedRecords   = $expected
        Duplicates        = $dup
        Missing           = $missing
        Unexpected        = $unexpected
        FaultsByKind      = ConvertTo-Hashtable $stats.faults.byKind
        FaultsByEndpoint  = ConvertTo-Hashtable $stats.faults.byEndpoint
        TransientAfterWrite = [long](Get-StatNumber $stats 'faults.transientAfterWrite')
        ResetAfterWrite   = [long](Get-StatNumber $stats 'faults.resetAfterWrite')
        RetriesByReason   = $retryReasons
        RetriesOnFailures = (Get-Total $allErrors 'Retries')
        MaxInFlightByTenant = (Get-Highest @($stats.concurrency.maxInFlightByTenant.PSObject.Properties.Value))
        Unauthorized      = ConvertTo-Hashtable $stats.auth.unauthorizedByReason
        TokenTenantMismatch = $mismatch
        Writes            = $writes.Count
        WritesSucceeded   = @($writes | Where-Object Ok).Count
        WritesFailed      = $failedWrites.Count
        WritesFailedButApplied = @($failedWrites | Where-Object { $applied["$($_.Tenant)/$($_.Identity)"] -eq $_.Value }).Count
        WritesApplied     = [long](Get-StatNumber $statsAfter 'writes.applied')
        WriteDuplicates   = $writeDuplicates
        WriteErrors       = @($failedWrites | Group-Object ErrorId | Sort-Object Count -Descending | ForEach-Object { [ordered]@{ ErrorId = $_.Name; Count = $_.Count; Example = ($_.Group[0].Message -replace '\[client-request-id [^\]]+\]', '[client-request-id …]') } })
        ReadErrors        = @($readErrors | Group-Object ErrorId | ForEach-Object { [ordered]@{ ErrorId = $_.Name; Count = $_.Count } })
        ConnectAttempts   = $faulted.ConnectAttempts
        MaxPageOrWriteMs  = $maxGap
        MaxRetryAttempt   = $maxAttempt
        MaxRetryWaitMs    = $maxWait
        WorstStreamMs     = (Get-Highest $faulted.Results 'DurationMs')
    }
    Stop-SoakEmulator $faulty

    # -------------------------------------------------------------- 1b. batched, under faults
    $batchTenants = @($targets | Select-Object -First $(if ($Quick) { 2 } else { 5 }))
    Write-Phase "batched forum job and batched writes: $($batchTenants.Count) tenants x $Mailboxes mailboxes, `$batch of 10 (--faults $Faults)"
    $bClean = Start-ExoEmulator @emuArgs
    $emulators.Add($bClean)
    $bRef = Invoke-SoakBatched -Emulator $bClean -Targets $batchTenants -WriteTargets $writeTargets -Tag "b$Seed"
    Stop-SoakEmulator $bClean
    $bFaulty = Start-ExoEmulator @emuArgs -Faults $Faults
    $emulators.Add($bFaulty)
    $bRun = Invoke-SoakBatched -Emulator $bFaulty -Targets $batchTenants -WriteTargets $writeTargets -Tag "b$Seed"
    $bStats = Get-ExoEmulatorStats $bFaulty
    $bApplied = Get-SoakWriteReadBack -Emulator $bFaulty -Targets $batchTenants -Tag "b$Seed"
    Stop-SoakEmulator $bFaulty
    $bWant = Get-KeyCount $bRef.Rows
    $bGot = Get-KeyCount $bRun.Rows
    $bDup = 0; $bMissing = 0; $bExtra = 0
    foreach ($k in $bGot.Keys) { if ($bGot[$k] -gt 1) { $bDup += $bGot[$k] - 1 }; if (-not $bWant.ContainsKey($k)) { $bExtra++ } }
    foreach ($k in $bWant.Keys) { if (-not $bGot.ContainsKey($k)) { $bMissing++ } }
    $bRefErrors = $bRef.Errors.Count
    Add-Check 'Batched' 'fault-free batched run without errors' ($bRefErrors -eq 0 -and $bRef.Rows.Count -gt 0) "$($bRef.Rows.Count) permission rows, $bRefErrors error(s)"
    $bReadErrors = @($bRun.Errors | Where-Object Kind -eq 'Read')
    Add-Check 'Batched' 'every permission row exactly once under faults' ($bDup -eq 0 -and $bMissing -eq 0 -and $bExtra -eq 0 -and $bReadErrors.Count -eq 0) `
        "$($bRun.Rows.Count) of $($bRef.Rows.Count) rows; $bDup duplicate(s), $bMissing missing, $bExtra unexpected, $($bReadErrors.Count) read error(s); $($bRun.Retries) sub-request retries; $(Get-StatNumber $bStats 'batch.requests') `$batch requests, $(Get-StatNumber $bStats 'batch.subRequests') sub-requests"
    $bWriteDup = [long](Get-StatNumber $bStats 'writes.duplicates')
    Add-Check 'Batched' 'batched writes applied at most once (writes.duplicates = 0)' ($bWriteDup -eq 0) "$bWriteDup duplicate(s) of $(Get-StatNumber $bStats 'writes.applied') applied; $(Get-StatNumber $bStats 'faults.resetAfterWrite') applied before a broken connection, $(Get-StatNumber $bStats 'faults.transientAfterWrite') before a transient failure"
    $bOkMissing = @($bRun.Writes | Where-Object { $_.Ok -and $bApplied["$($_.Tenant)/$($_.Identity)"] -ne $_.Value })
    $bFailed = @($bRun.Writes | Where-Object { -not $_.Ok })
    $bUnclear = @($bFailed | Where-Object { $_.ErrorId -notmatch '^ExoDelegated\.' -or ($bApplied["$($_.Tenant)/$($_.Identity)"] -eq $_.Value -and $_.Message -notmatch 'may or may not have been applied') })
    $bTwice = @($bRun.Writes | Where-Object { $_.Reports -gt 1 })
    $bOrphans = @($bRun.Errors | Where-Object { $_.Kind -eq 'Write' -and $_.Index -lt 0 })
    Add-Check 'Batched' 'every failed sub-request reported once with its invocation' ($bUnclear.Count -eq 0 -and $bTwice.Count -eq 0 -and $bOrphans.Count -eq 0 -and $bOkMissing.Count -eq 0) `
        "$($bRun.Writes.Count) write invocations: $($bFailed.Count) failed, each one error naming its invocation ($($bOrphans.Count) without, $($bTwice.Count) reported twice, $($bUnclear.Count) unclear); $(@($bRun.Writes | Where-Object Ok).Count) succeeded, $($bOkMissing.Count) of them not applied"
    $summary.Batched = [ordered]@{
        Tenants = $batchTenants.Count; Rows = $bRun.Rows.Count; ExpectedRows = $bRef.Rows.Count; Duplicates = $bDup; Missing = $bMissing; Unexpected = $bExtra
        SubRequestRetries = $bRun.Retries; BatchRequests = [long](Get-StatNumber $bStats 'batch.requests'); SubRequests = [long](Get-StatNumber $bStats 'batch.subRequests')
        FaultFreeMs = $bRef.ElapsedMs; FaultedMs = $bRun.ElapsedMs
        Writes = $bRun.Writes.Count; WritesFailed = $bFailed.Count; WriteDuplicates = $bWriteDup
        WriteErrors = @($bFailed | Group-Object ErrorId | ForEach-Object { [ordered]@{ ErrorId = $_.Name; Count = $_.Count } })
    }

    if (-not $Quick) {
        # A token refresh that meets a transient identity-platform failure. With 60-second tokens
        # the refresh is due exactly when the token stops being usable (refresh_in = lifetime/2 =
        # the reuse margin), so there is no grace period; the same holds here with 2-second tokens,
        # which refresh about every second, and half of the token requests failing with 503.
        Write-Phase 'token refresh under identity-platform faults (--token-lifetime 2 --faults transient=0.5,scope=identity)'
        $tk = Start-ExoEmulator -Tenants 1 -Mailboxes 6000 -Seed $Seed -TokenLifetime 2 -LatencyMs 10 -Faults 'transient=0.5,scope=identity'
        $emulators.Add($tk)
        $tkc = (Connect-SoakTenant -Emulator $tk -Tenant $tk.customers[0].domain -PageSize $PageSize -MaximumRetryCount $MaximumRetryCount).Connection
        $tkCount = 0; $tkError = $null
        $tkWatch = [System.Diagnostics.Stopwatch]::StartNew()
        try { Get-EXOMailbox -Connection $tkc -ResultSize Unlimited -ErrorAction Stop | ForEach-Object { $tkCount++ } } catch { $tkError = $_ }
        $tkStats = Get-ExoEmulatorStats $tk
        Disconnect-ExoDelegated -Connection $tkc
        Stop-SoakEmulator $tk
        $tkTokens = [long](Get-StatNumber $tkStats 'requests.byEndpoint.token')
        $tkFaults = [long](Get-StatNumber $tkStats 'faults.byEndpoint.token')
        Add-Check 'Fault soak' 'a transient token-endpoint failure during a refresh does not end an enumeration' ($tkCount -eq 6000 -and $null -eq $tkError) `
            ("$tkCount of 6000 records in $([Math]::Round($tkWatch.Elapsed.TotalSeconds, 1)) s; $tkTokens token requests, $tkFaults of them failed with 503" + $(if ($tkError) { "; ended with $($tkError.FullyQualifiedErrorId): $($tkError.Exception.Message)" } else { '' }))
        $summary.TokenRefresh = [ordered]@{ Records = $tkCount; TokenRequests = $tkTokens; TokenFaults = $tkFaults; Error = if ($tkError) { "$($tkError.FullyQualifiedErrorId): $($tkError.Exception.Message)" } else { $null } }
    }

    # -------------------------------------------------------------- 2. isolation
    Write-Phase 'isolation: foreign nextLink, http to a non-loopback address'
    $iso = Start-ExoEmulator -Tenants 2 -Mailboxes 30 -Seed $Seed
    $emulators.Add($iso)
    $port = ([uri]$iso.url).Port
    $body = @{ grant_type = 'client_credentials'; client_id = $iso.applicationId; client_secret = $iso.clientSecret; scope = "$($iso.url)/.default" }
    $token = (Invoke-RestMethod -Method Post -NoProxy -Body $body -Uri "$($iso.url)/$($iso.customers[0].domain)/oauth2/v2.0/token").access_token
    $lh = Connect-ExoDelegated -TenantId $iso.customers[0].domain -AccessToken (New-Secure $token) -ExchangeHost "http://localhost:$port" -PageSize 5 -Name localhost
    $token = $null
    Reset-ExoEmulatorStats $iso
    $got = 0; $foreign = $null
    try { Get-EXOMailbox -Connection $lh -ResultSize Unlimited | ForEach-Object { $got++ } } catch { $foreign = $_ }
    $isoStats = Get-ExoEmulatorStats $iso
    Disconnect-ExoDelegated -Connection $lh
    $followed = [long](Get-StatNumber $isoStats 'pages.nextLinksFollowed')
    $isoRequests = [long](Get-StatNumber $isoStats 'requests.byEndpoint.invokeCommand')
    Add-Check 'Isolation' 'a nextLink to another origin is refused' ($null -ne $foreign -and $foreign.FullyQualifiedErrorId -like 'ExoDelegated.ForeignNextLink*' -and $followed -eq 0 -and $isoRequests -eq 1 -and $got -eq 5) `
        "ExchangeHost http://localhost:$port, link to http://127.0.0.1:$($port): $(if ($foreign) { $foreign.FullyQualifiedErrorId } else { 'no error' }); first page ($got records) delivered; requests $isoRequests, nextLinks followed $followed"
    $summary.ForeignNextLink = [ordered]@{ ErrorId = if ($foreign) { $foreign.FullyQualifiedErrorId } else { $null }; Message = if ($foreign) { $foreign.Exception.Message } else { $null }; Category = if ($foreign) { "$($foreign.CategoryInfo.Category)" } else { $null }; RecordsBeforeRefusal = $got; Requests = $isoRequests; NextLinksFollowed = $followed }

    Reset-ExoEmulatorStats $iso
    $insecure = foreach ($case in @(@{ Name = 'ExchangeHost'; Auth = $iso.url; Exo = 'http://10.0.0.1' }, @{ Name = 'AuthorityHost'; Auth = 'http://10.0.0.1'; Exo = $iso.url })) {
        $w = [System.Diagnostics.Stopwatch]::StartNew()
        $e = $null
        try {
            $null = Connect-ExoDelegated -TenantId $iso.customers[0].domain -ApplicationId $iso.applicationId -RefreshToken (New-Secure $iso.refreshToken) `
                -ClientSecret (New-Secure $iso.clientSecret) -AuthorityHost $case.Auth -ExchangeHost $case.Exo -ConnectTimeoutSec 30 -ErrorAction Stop
        }
        catch { $e = $_ }
        [pscustomobject]@{ Name = $case.Name; ErrorId = if ($e) { $e.FullyQualifiedErrorId } else { 'connected' }; Ms = $w.ElapsedMilliseconds }
    }
    $isoStats = Get-ExoEmulatorStats $iso
    $tokenRequests = [long](Get-StatNumber $isoStats 'requests.byEndpoint.token')
    $ok = @($insecure | Where-Object { $_.ErrorId -like 'ExoDelegated.InsecureEndpoint*' -and $_.Ms -lt 1000 }).Count -eq 2 -and $tokenRequests -eq 0
    $detail = (($insecure | ForEach-Object { "-$($_.Name) http://10.0.0.1: $($_.ErrorId) in $($_.Ms) ms" }) -join '; ') + "; token requests sent: $tokenRequests"
    Add-Check 'Isolation' 'http:// to a non-loopback address is refused before sending' $ok $detail
    $summary.Insecure = @($insecure | ForEach-Object { [ordered]@{ Parameter = $_.Name; ErrorId = $_.ErrorId; Ms = $_.Ms } })

    # A proxy in the environment must not see loopback http:// traffic (it would carry the
    # secrets and tokens in clear text off the machine). The "proxy" is a listener on 127.0.0.1
    # that never answers; the child pwsh gets the proxy variables (native code reads the process
    # environment, which $env: changes inside pwsh do not reach).
    # Long form only: the short form's Pester file has this case as its own test.
    $proxy = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    if (-not $Quick) { $proxy.Start() }
    if (-not $Quick) {
        $proxyUrl = "http://127.0.0.1:$($proxy.LocalEndpoint.Port)"
        $childScript = @"
Import-Module '$Manifest'
`$s = { param(`$t) ConvertTo-SecureString `$t -AsPlainText -Force }
try {
    `$c = Connect-ExoDelegated -TenantId '$($iso.customers[0].domain)' -ApplicationId '$($iso.applicationId)' -ClientSecret (& `$s `$env:SOAK_SECRET) -AuthorityHost '$($iso.url)' -ExchangeHost '$($iso.url)' -TimeoutSec 5 -MaximumRetryCount 0 -ErrorAction Stop
    "RESULT direct `$(@(Get-EXOMailbox -Connection `$c -ResultSize 2 -WarningAction SilentlyContinue).Count)"
}
catch { "RESULT `$(`$_.FullyQualifiedErrorId)" }
"@
        $info = [System.Diagnostics.ProcessStartInfo]::new($Pwsh)
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $childScript) { $info.ArgumentList.Add($a) }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        foreach ($v in 'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy') { $info.Environment[$v] = $proxyUrl }
        foreach ($v in 'NO_PROXY', 'no_proxy') { $null = $info.Environment.Remove($v) }
        $info.Environment['SOAK_SECRET'] = $iso.clientSecret
        $child = [System.Diagnostics.Process]::Start($info)
        $childOut = $child.StandardOutput.ReadToEndAsync()
        $null = $child.StandardError.ReadToEndAsync()
        if (-not $child.WaitForExit(90000)) { $child.Kill($true) }
        $result = (($childOut.Result -split "`r?`n") | Where-Object { $_ -like 'RESULT *' } | Select-Object -First 1) -replace '^RESULT ', ''
        $seen = [System.Collections.Generic.List[string]]::new()
        while ($proxy.Pending()) {
            $client = $proxy.AcceptTcpClient()
            try {
                $client.ReceiveTimeout = 2000
                $buffer = [byte[]]::new(512)
                $n = try { $client.GetStream().Read($buffer, 0, $buffer.Length) } catch { 0 }
                # Only the request line: the body would hold the (test) secret.
                $seen.Add((([System.Text.Encoding]::ASCII.GetString($buffer, 0, $n) -split "`r`n")[0] -replace '\?.*$', ''))
            }
            finally { $client.Dispose() }
        }
        Add-Check 'Isolation' 'loopback http:// never goes to a proxy from the environment' ($seen.Count -eq 0 -and $result -like 'direct*') `
            "HTTP_PROXY/HTTPS_PROXY/ALL_PROXY=$proxyUrl (a listener that never answers): client result '$result'; requests that reached the proxy: $($seen.Count)$(if ($seen.Count) { ' (' + (($seen | Select-Object -Unique) -join '; ') + ')' })"
        $summary.Proxy = [ordered]@{ Result = $result; ProxyRequests = @($seen) }
        $proxy.Stop()
    }
    Stop-SoakEmulator $iso

    # -------------------------------------------------------------- 3. concurrency
    Write-Phase "concurrency: $ConcurrencyRunspaces runspaces x $ConcurrencyTenants tenants vs sequential"
    $conc = Start-ExoEmulator -Tenants $ConcurrencyTenants -Mailboxes $ConcurrencyMailboxes -Seed $Seed -LatencyMs $ConcurrencyLatencyMs
    $emulators.Add($conc)
    $enumerate = {
        # Connect, read the mailboxes and recipients (small pages), disconnect: sorted ids per tenant.
        param($Emulator, [string] $Tenant)
        $s = { param($t) ConvertTo-SecureString $t -AsPlainText -Force }
        $c = Connect-ExoDelegated -TenantId $Tenant -ApplicationId $Emulator.applicationId -RefreshToken (& $s $Emulator.refreshToken) -ClientSecret (& $s $Emulator.clientSecret) `
            -AuthorityHost $Emulator.url -ExchangeHost $Emulator.url -PageSize 7 -Name "conc-$Tenant" -ErrorAction Stop
        try {
            $m = @(Get-EXOMailbox -Connection $c -ResultSize Unlimited -ErrorAction Stop | ForEach-Object { "$($_.Guid)|$($_.PrimarySmtpAddress)" } | Sort-Object)
            $r = @(Get-EXORecipient -Connection $c -ResultSize Unlimited -Properties Guid -ErrorAction Stop | ForEach-Object { "$($_.Guid)|$($_.RecipientTypeDetails)" } | Sort-Object)
            [pscustomobject]@{ Tenant = $Tenant; Ids = (@($m) + '--' + @($r)) -join "`n"; Count = $m.Count + $r.Count }
        }
        finally { Disconnect-ExoDelegated -Connection $c }
    }
    $tenantsC = @($conc.customers.domain)
    $w = [System.Diagnostics.Stopwatch]::StartNew()
    $sequential = @{}
    foreach ($t in $tenantsC) { $sequential[$t] = & $enumerate $conc $t }
    $seqMs = $w.ElapsedMilliseconds
    Reset-ExoEmulatorStats $conc
    $w.Restart()
    $enumerateText = $enumerate.ToString()
    $parallelErrors = [System.Collections.Generic.List[string]]::new()
    $parallel = @($tenantsC | ForEach-Object -ThrottleLimit $ConcurrencyRunspaces -Parallel {
            $tenant = $_
            Import-Module $using:Manifest
            $run = [scriptblock]::Create($using:enumerateText)
            try { & $run $using:conc $tenant }
            catch { [pscustomobject]@{ Tenant = $tenant; Ids = $null; Count = 0; Error = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" } }
        })
    $parMs = $w.ElapsedMilliseconds
    $concStats = Get-ExoEmulatorStats $conc
    $differ = @($tenantsC | Where-Object { $p = $parallel | Where-Object Tenant -eq $_ | Select-Object -First 1; -not $p -or $p.Ids -ne $sequential[$_].Ids })
    $empty = @($tenantsC | Where-Object { $sequential[$_].Count -eq 0 })
    $expectedPer = $ConcurrencyMailboxes * 2 + [Math]::Max(2, [int][Math]::Floor($ConcurrencyMailboxes / 10)) + [Math]::Max(2, [int][Math]::Floor($ConcurrencyMailboxes / 20))
    $wrongCount = @($tenantsC | Where-Object { $sequential[$_].Count -ne $expectedPer })
    Add-Check 'Concurrency' "$ConcurrencyRunspaces runspaces x $ConcurrencyTenants tenants = sequential run" ($parallel.Count -eq $tenantsC.Count -and $differ.Count -eq 0 -and $empty.Count -eq 0 -and $wrongCount.Count -eq 0) `
        "$($parallel.Count) results, $($differ.Count) tenant(s) differ; $expectedPer ids per tenant ($($wrongCount.Count) off); sequential $seqMs ms, parallel $parMs ms"
    $concMismatch = [long](Get-StatNumber $concStats 'tokenTenantMismatch')
    $concUnauth = [long](Get-StatNumber $concStats 'auth.unauthorized')
    $concTokens = [long](Get-StatNumber $concStats 'tokens.issued')
    $concInFlight = [long](Get-StatNumber $concStats 'concurrency.maxInFlight')
    Add-Check 'Isolation' "tenant A's token never sent to tenant B's URL (parallel run)" ($concMismatch -eq 0 -and $concUnauth -eq 0) "tokenTenantMismatch $concMismatch, auth.unauthorized $concUnauth"
    Add-Check 'Concurrency' 'one token per tenant, requests really concurrent' ($concTokens -eq $ConcurrencyTenants -and $concInFlight -gt 1) "tokens issued $concTokens for $ConcurrencyTenants tenants; max in flight $concInFlight"
    $summary.Concurrency = [ordered]@{
        Emulator = "exo-emulator --tenants $ConcurrencyTenants --mailboxes $ConcurrencyMailboxes --seed $Seed --latency-ms $ConcurrencyLatencyMs"; Runspaces = $ConcurrencyRunspaces; Tenants = $ConcurrencyTenants
        IdsPerTenant = $expectedPer; SequentialMs = $seqMs; ParallelMs = $parMs; Differ = $differ.Count
        Requests = [long](Get-StatNumber $concStats 'requests.byEndpoint.invokeCommand'); Tokens = $concTokens; MaxInFlight = $concInFlight
        TokenTenantMismatch = $concMismatch; Unauthorized = $concUnauth
    }
    Stop-SoakEmulator $conc

    # -------------------------------------------------------------- 4. corpora (long form)
    if (-not $Quick) {
        Write-Phase 'bad input: C ABI corpus (tests/c/core_test.c through tools/CTest.psm1, valgrind)'
        Import-Module (Join-Path $Root 'tools/CTest.psm1') -Force
        $cRun = Invoke-ExoCTest -Root $Root -Name core_test -Emulator -EmulatorPath $EmulatorPath
        $cLines = $cRun.Lines
        $cExit = $cRun.Exit
        $cSummary = $cLines | Where-Object { $_ -match '^\d+ passed, \d+ failed$' } | Select-Object -Last 1
        $corpus = $cLines | Where-Object { $_ -match '^bad-input corpus: ' } | Select-Object -Last 1
        $valgrind = [bool](Get-Command valgrind -ErrorAction SilentlyContinue)
        $cases = if ($corpus -match 'corpus: (\d+) cases') { [int]$Matches[1] } else { 0 }
        Add-Check 'Bad input' 'C ABI corpus: every case an error, no crash, valgrind clean' ($cExit -eq 0 -and $cSummary -match ' 0 failed$' -and $cases -ge 50) `
            "$cases cases; $cSummary; exit $cExit$(if ($valgrind) { ' under valgrind' } else { ' (valgrind not installed)' })"
        $summary.CCorpus = [ordered]@{ Cases = $cases; Summary = $cSummary; Exit = $cExit; Valgrind = $valgrind; Names = @($cLines | Where-Object { $_ -match '^  case \d+: ' } | ForEach-Object { $_.Trim() }) }

        Write-Phase 'Pester: Reliability.Tests.ps1 (without its short soak) and Secrets.Tests.ps1'
        $pester = @(
            (Join-Path $HOME '.nuget/packages/pester/5.7.1/tools/Pester.psd1')
            (Join-Path $Root 'build/nuget/pester/5.7.1/tools/Pester.psd1')
        ) | Where-Object { Test-Path $_ } | Select-Object -First 1
        if ($pester) {
            $resultFile = Join-Path ([System.IO.Path]::GetTempPath()) "exo-soak-pester-$PID.json"
            $script = @"
`$ErrorActionPreference = 'Stop'
`$env:EXO_SOAK_SKIP_SHORT = '1'
Import-Module '$pester' -RequiredVersion 5.7.1
`$config = New-PesterConfiguration
`$config.Run.Path = @('$(Join-Path $Root 'tests/pester/Reliability.Tests.ps1')', '$(Join-Path $Root 'tests/pester/Secrets.Tests.ps1')')
`$config.Run.PassThru = `$true
`$config.Output.Verbosity = 'Detailed'
`$r = Invoke-Pester -Configuration `$config
@{
    Passed = `$r.PassedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount; Skipped = `$r.SkippedCount
    Tests = @(`$r.Tests | ForEach-Object { [ordered]@{ Name = `$_.ExpandedPath; Result = "`$(`$_.Result)" } })
} | ConvertTo-Json -Depth 4 | Set-Content '$resultFile'
"@
            & $Pwsh -NoProfile -NonInteractive -Command $script | Out-Host
            if (Test-Path $resultFile) {
                $p = Get-Content -Raw $resultFile | ConvertFrom-Json
                Remove-Item $resultFile
                Add-Check 'Bad input / Secrets / Isolation' 'Pester Reliability.Tests.ps1 + Secrets.Tests.ps1' ($p.Failed -eq 0 -and $p.Passed -gt 0) "$($p.Passed) passed, $($p.Failed) failed, $($p.Skipped) skipped"
                $summary.Pester = $p
            }
            else { Add-Check 'Bad input / Secrets / Isolation' 'Pester Reliability.Tests.ps1 + Secrets.Tests.ps1' $false 'no result (Pester run failed)' }
        }
        else { Add-Check 'Bad input / Secrets / Isolation' 'Pester Reliability.Tests.ps1 + Secrets.Tests.ps1' $false 'Pester 5.7.1 not found: run pwsh ./build.ps1 test once' }
    }
}
catch {
    Add-Check 'Soak' 'no unhandled exception in the soak itself' $false "$($_.FullyQualifiedErrorId): $($_.Exception.Message) at $($_.InvocationInfo.PositionMessage)"
}
finally {
    foreach ($e in @($emulators)) { Stop-SoakEmulator $e }
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
}
$summary.TotalMs = $totalClock.ElapsedMilliseconds
$summary.Checks = $script:Checks
$failedChecks = @($script:Checks | Where-Object { -not $_.Passed })
$summary.Passed = $failedChecks.Count -eq 0

if ($ResultPath) { $summary | ConvertTo-Json -Depth 8 | Set-Content -Path $ResultPath }

# ------------------------------------------------------------------ report
if ($ReportPath) {
    $m = $summary['Machine']
    $s = $summary['Soak']
    $f = { param($ms) '{0:N1} s' -f ($ms / 1000) }
    $lines = [System.Collections.Generic.List[string]]::new()
    $add = { param([string] $l = '') $lines.Add($l) }
    & $add '# Reliability'
    & $add
    & $add "Produced by ``pwsh ./build.ps1 soak`` (``tools/soak.ps1``) on $($m.Date); every figure below comes from that run and is reproduced by running it again. The short form of the same checks (``tools/soak.ps1 -Quick``, about 2,000 requests) runs in ``pwsh ./build.ps1 test`` through ``tests/pester/Reliability.Tests.ps1``."
    & $add
    & $add ('**Result: ' + $(if ($summary.Passed) { "all $($script:Checks.Count) checks passed" } else { "$($failedChecks.Count) of $($script:Checks.Count) checks FAILED" }) + '**' + " (total $(& $f $summary.TotalMs)).")
    & $add
    & $add '## Machine'
    & $add
    & $add '| | |'
    & $add '|---|---|'
    foreach ($k in $m.Keys) { & $add "| $k | $($m[$k]) |" }
    & $add
    if ($s) {
        & $add '## Fault soak'
        & $add
        & $add "Two emulators serve the same seeded estate: ``$($s.Emulator)``, one without and one with the bracketed faults. The path is the real one: pwsh → ExoDelegated → libexo_bridge → HTTP → exo-emulator on 127.0.0.1."
        & $add "Per tenant, one ``Connect-ExoDelegated -PageSize $($s.PageSize)`` (refresh token + client secret) is shared by $($s.Streams.Count + 1) ``ForEach-Object -Parallel -ThrottleLimit $($s.ThrottleLimit)`` runspaces, so several requests of one tenant are in flight at once and the concurrency limit (4 per tenant) is really hit:"
        foreach ($st in $s.Streams) { & $add "- ``$st``" }
        & $add "- ``Invoke-ExoCommand Set-Mailbox @{ Identity = <mailbox>; CustomAttribute9 = <unique value> } -Confirm:`$false``, $($s.WritesPerTenant) mailboxes per tenant"
        & $add
        & $add 'Every read command runs with `-Verbose` (retries are counted from its "retry N after Reason" lines) and `-ErrorVariable`; every record''s ids are compared with the fault-free run''s.'
        & $add
        & $add '| | fault-free | faulted | |'
        & $add '|---|---:|---:|---|'
        & $add "| wall time | $(& $f $s.FaultFreeMs) | $(& $f $s.FaultedMs) | × $('{0:N2}' -f ($s.FaultedMs / [Math]::Max(1, $s.FaultFreeMs))) |"
        & $add "| InvokeCommand requests served | $($s.FaultFreeRequests) | $($s.FaultedRequests) | pages the client received: $($s.ClientPages) |"
        & $add "| tokens issued | $($s.FaultFreeTokens) | $($s.FaultedTokens) | $($s.Tenants) connects; token lifetime 60 s, so tokens are refreshed during the run |"
        & $add "| records delivered | $($s.ExpectedRecords) | $($s.Records) | duplicates $($s.Duplicates), missing $($s.Missing), unexpected $($s.Unexpected) |"
        & $add "| writes | $($s.Writes) ok | $($s.WritesSucceeded) ok, $($s.WritesFailed) failed | emulator applied $($s.WritesApplied); duplicates $($s.WriteDuplicates) |"
        & $add
        & $add '**Faults injected** (emulator stats, faulted run):'
        & $add
        & $add '| kind | count |'
        & $add '|---|---:|'
        foreach ($k in $s.FaultsByKind.Keys) { & $add "| $k | $($s.FaultsByKind[$k]) |" }
        & $add "| (on the token endpoint) | $($s.FaultsByEndpoint['token']) |"
        & $add "| (on InvokeCommand) | $($s.FaultsByEndpoint['invokeCommand']) |"
        & $add "| writes applied although the client saw a 5xx (transientAfterWrite) | $($s.TransientAfterWrite) |"
        & $add "| writes applied although the connection was reset (resetAfterWrite) | $($s.ResetAfterWrite) |"
        & $add
        & $add "Highest requests in flight for one tenant: $($s.MaxInFlightByTenant) (the emulator refuses the 5th concurrent request of a tenant with 429 + Retry-After: 1)."
        & $add
        & $add "Why the faulted run takes longer: every throttle, concurrency and transient fault carries ``Retry-After: 1``, which the core honours (a 1-second wait), and broken connections back off from 500 ms (doubling, with jitter); $(Get-Total @($s.RetriesByReason.Values)) retries spread over the parallel streams account for the difference. Retries never re-send a write that may have run."
        & $add
        & $add '**Retries by reason** (from the commands'' `-Verbose` output; pages that finally succeeded):'
        & $add
        & $add '| reason | retries |'
        & $add '|---|---:|'
        foreach ($k in ($s.RetriesByReason.Keys | Sort-Object)) { & $add "| $k | $($s.RetriesByReason[$k]) |" }
        & $add "| (on requests that failed in the end, from the errors' retry counts) | $($s.RetriesOnFailures) |"
        & $add
        & $add "Bounds: the longest page (including its retries) or single write took $($s.MaxPageOrWriteMs) ms (bound $($RequestBoundSec * 1000) ms); the highest retry attempt was $($s.MaxRetryAttempt) (limit ``-MaximumRetryCount $MaximumRetryCount``); the longest single wait $($s.MaxRetryWaitMs) ms; the slowest stream took $(& $f $s.WorstStreamMs). Connect attempts: $($s.ConnectAttempts) for $($s.Tenants) tenants. 401s: $(if ($s.Unauthorized.Count) { ($s.Unauthorized.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', ' } else { 'none' }); token endpoint errors: $(if ($s.TokenErrors.Count) { ($s.TokenErrors.GetEnumerator() | ForEach-Object { "$($_.Key) × $($_.Value)" }) -join ', ' } else { 'none' }); tokenTenantMismatch: $($s.TokenTenantMismatch)."
        & $add
        & $add "**Writes that failed** ($($s.WritesFailed); $($s.WritesFailedButApplied) of them were applied by the service, and said so). Writes are never retried blindly: a 5xx or a broken connection after sending leaves the outcome open, and the error says so."
        & $add
        if ($s.WriteErrors.Count) {
            & $add '| ErrorId | count | message (example) |'
            & $add '|---|---:|---|'
            foreach ($e in $s.WriteErrors) { & $add "| $($e.ErrorId) | $($e.Count) | $(($e.Example -replace '\|', '\|' -replace '\s+', ' ')) |" }
            & $add
        }
    }
    if ($summary.Contains('TokenRefresh')) {
        $tr = $summary.TokenRefresh
        & $add '**Token refresh under identity-platform faults** (`exo-emulator --tenants 1 --mailboxes 6000 --token-lifetime 2 --latency-ms 10 --faults transient=0.5,scope=identity`, `Get-EXOMailbox -ResultSize Unlimited` with `-PageSize 5`):'
        & $add ("$($tr.Records) of 6000 records; $($tr.TokenRequests) token requests, $($tr.TokenFaults) answered 503. " + $(if ($tr.Error) { "The enumeration **ended** with ``$($tr.Error)``: the core retries the token endpoint once on 5xx and a second 503 fails the page (``exo_cursor_next``), outside the page's own retry budget (``-MaximumRetryCount``), and the module ends the command; every other enumeration sharing that connection's token waits on the same refresh and fails with it. Nothing was sent to Exchange for that attempt, so retrying it inside the page's retry loop is safe for reads and writes alike." } else { 'The enumeration completed.' }))
        & $add
    }
    if ($summary.Contains('Batched')) {
        $b = $summary.Batched
        & $add '## Batched, under faults'
        & $add
        & $add ("The forum job ``Get-EXOMailbox -ResultSize Unlimited | Get-EXOCalendarPermission`` (``$``batch of 10, the connection's window of 4) and Set-Mailbox invocations piped into ``Invoke-ExoCommand``, on $($b.Tenants) tenants of the same estate, fault-free and with ``--faults $Faults``: " +
            "$($b.Rows) of $($b.ExpectedRows) permission rows ($($b.Duplicates) duplicates, $($b.Missing) missing, $($b.Unexpected) unexpected) in $($b.BatchRequests) ``$``batch requests carrying $($b.SubRequests) sub-requests, $($b.SubRequestRetries) of them retries of reads in later batches " +
            "($(& $f $b.FaultFreeMs) fault-free, $(& $f $b.FaultedMs) faulted); $($b.Writes) write invocations, $($b.WritesFailed) failed (each reported by one error naming its invocation), $($b.WriteDuplicates) applied twice.")
        & $add
    }
    if ($summary.Contains('ForeignNextLink')) {
        $fl = $summary.ForeignNextLink
        & $add '## Isolation'
        & $add
        & $add "- **nextLink to another origin**: connected with ``-ExchangeHost http://localhost:PORT`` (access token) while the emulator writes its nextLinks on ``http://127.0.0.1:PORT``. The first page ($($fl.RecordsBeforeRefusal) records) arrives, then ``$($fl.ErrorId)`` ($($fl.Category)): ""$($fl.Message)"". The emulator saw $($fl.Requests) InvokeCommand request and $($fl.NextLinksFollowed) followed nextLinks: the token never went to the other origin."
        foreach ($i in $summary.Insecure) { & $add "- **http:// to a non-loopback address**: ``-$($i.Parameter) http://10.0.0.1`` → ``$($i.ErrorId)`` after $($i.Ms) ms, no request sent (the emulator's token counter stayed at 0)." }
        if ($summary.Contains('Proxy')) {
            $px = $summary.Proxy
            & $add ("- **Proxy variables**: a child pwsh with ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` pointing at a silent listener on 127.0.0.1 connected to the emulator's http://127.0.0.1 URL: " + $(if ($px.ProxyRequests.Count -eq 0) { "no request reached the proxy (result: $($px.Result))." } else { "**$($px.ProxyRequests.Count) request(s) went to the proxy** ($(($px.ProxyRequests | Select-Object -Unique) -join '; ')), so the client secret / refresh token (form body) and bearer tokens of loopback http:// traffic would travel in clear text to whatever host the proxy variable names; the command ended with ``$($px.Result)``. The native HTTP client (reqwest) uses the system proxy by default; loopback URLs need ``no_proxy``." }))
        }
        if ($summary.Contains('Concurrency')) { & $add "- **Tenant A's token never at tenant B's URL**: after the parallel multi-tenant run below, ``tokenTenantMismatch`` = $($summary.Concurrency.TokenTenantMismatch) and ``auth.unauthorized`` = $($summary.Concurrency.Unauthorized); in the fault soak ``tokenTenantMismatch`` = $(if ($s) { $s.TokenTenantMismatch } else { '?' })." }
        & $add
    }
    if ($summary.Contains('Concurrency')) {
        $c = $summary.Concurrency
        & $add '## Concurrency'
        & $add
        & $add "``$($c.Emulator)``. Each tenant: ``Connect-ExoDelegated -PageSize 7``, ``Get-EXOMailbox -ResultSize Unlimited``, ``Get-EXORecipient -ResultSize Unlimited``, ``Disconnect-ExoDelegated``; ids sorted per tenant ($($c.IdsPerTenant) per tenant)."
        & $add
        & $add '| run | time | result |'
        & $add '|---|---:|---|'
        & $add "| sequential, one runspace | $(& $f $c.SequentialMs) | reference |"
        & $add "| ``ForEach-Object -Parallel -ThrottleLimit $($c.Runspaces)`` over $($c.Tenants) tenants | $(& $f $c.ParallelMs) | $(if ($c.Differ -eq 0) { 'identical for every tenant' } else { "$($c.Differ) tenant(s) differ" }) |"
        & $add
        & $add "Parallel run: $($c.Requests) InvokeCommand requests, $($c.Tokens) tokens issued (one per tenant), up to $($c.MaxInFlight) requests in flight, tokenTenantMismatch $($c.TokenTenantMismatch), auth.unauthorized $($c.Unauthorized)."
        & $add
    }
    if ($summary.Contains('CCorpus')) {
        $cc = $summary.CCorpus
        & $add '## Bad input'
        & $add
        & $add "**C ABI** (``tests/c/core_test.c`` through ``tools/CTest.psm1``$(if ($cc.Valgrind) { ', under valgrind --leak-check=full' } else { '' })): $($cc.Cases) distinct bad-input cases, each must return an error result (never a crash, never an out-parameter written on failure); whole program: $($cc.Summary), exit code $($cc.Exit)."
        & $add
        & $add '<details><summary>The cases</summary>'
        & $add
        foreach ($n in $cc.Names) { & $add "- $($n -replace '^case (\d+): ', '$1. ')" }
        & $add
        & $add '</details>'
        & $add
    }
    if ($summary.Contains('Pester')) {
        $p = $summary.Pester
        & $add ('**PowerShell corpus, secrets and isolation** (Pester, `tests/pester/Reliability.Tests.ps1` and `tests/pester/Secrets.Tests.ps1`, run by this command): ' + "$($p.Passed) passed, $($p.Failed) failed.")
        & $add
        & $add '<details><summary>The tests</summary>'
        & $add
        foreach ($t in $p.Tests) { & $add "- $($t.Result): $($t.Name)" }
        & $add
        & $add '</details>'
        & $add
    }
    & $add '## Checks'
    & $add
    & $add '| area | check | result | figures |'
    & $add '|---|---|---|---|'
    foreach ($c in $script:Checks) { & $add "| $($c.Area) | $($c.Name) | $(if ($c.Passed) { 'pass' } else { '**FAIL**' }) | $(($c.Detail -replace '\|', '\|' -replace '\s+', ' ')) |" }
    & $add
    & $add '## Reproduce'
    & $add
    & $add '```'
    & $add 'pwsh ./build.ps1 soak                      # this report (long form)'
    & $add 'pwsh tools/soak.ps1 -Quick                 # the short form run by the test suite'
    & $add 'pwsh ./build.ps1 test                      # everything, including the short form'
    & $add '```'
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $ReportPath)
    # Sections between <!-- NAME:begin --> and <!-- NAME:end --> belong to others (Fuzzing:
    # tools/fuzz.ps1; Hostile server: written by hand with tests/core_hostile.rs): keep them.
    if (Test-Path $ReportPath) {
        foreach ($kept in [regex]::Matches((Get-Content -Raw $ReportPath), '(?s)<!-- (\w+):begin.*?<!-- \1:end -->')) {
            & $add
            & $add $kept.Value
        }
    }
    Set-Content -Path $ReportPath -Value ($lines -join "`n")
    Write-Host "wrote $ReportPath"
}

Write-Host ''
Write-Host ("{0} checks passed, {1} failed (total {2:N1} s)" -f ($script:Checks.Count - $failedChecks.Count), $failedChecks.Count, ($totalClock.ElapsedMilliseconds / 1000))
if ($failedChecks.Count -gt 0) { exit 1 }
exit 0
