#!/usr/bin/env pwsh
#Requires -Version 7.2
<#
.SYNOPSIS
Runs an AFL++ campaign over every fuzz target and records its figures in docs/RELIABILITY.md.

.DESCRIPTION
Builds the harness (fuzz/, crate exo-fuzz) with AFL++ coverage instrumentation (rustc's
sanitizer-coverage trace-pc-guard, as cargo-afl does; AFL++'s afl-compiler-rt.o linked in by
fuzz/build.rs), then runs afl-fuzz on each target of exo_bridge::fuzzing::TARGETS, -Jobs at a time,
each for its share of -Minutes, from the committed seeds in fuzz/corpus/<target>/, with a time limit
per input (-TimeoutMs) and a memory limit (-MemoryMb). The harness itself aborts when one input makes
the heap exceed 256 MB. Crashes and hangs are copied to fuzz/regressions/<target>/ (commit them: the
replay test in `pwsh ./build.ps1 test` runs them from then on). The figures replace the "Fuzzing"
section of docs/RELIABILITY.md. Exit code 1 when anything crashed or hung.

Needs AFL++ (Debian: apt-get install afl++). The campaign's working files are in build/fuzz/.

.EXAMPLE
pwsh ./build.ps1 fuzz -Minutes 25
#>
[CmdletBinding()]
param(
    [string] $Root = (Split-Path -Parent $PSScriptRoot),
    # Wall-clock minutes for the whole campaign.
    [double] $Minutes = 25,
    # Targets fuzzed at once (one core each).
    [int] $Jobs = 2,
    # Only these targets (default: all).
    [string[]] $Target,
    [int] $TimeoutMs = 1000,
    [int] $MemoryMb = 768,
    [string] $ReportPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not $ReportPath) { $ReportPath = Join-Path $Root 'docs/RELIABILITY.md' }
$work = Join-Path $Root 'build/fuzz'
$null = New-Item -ItemType Directory -Force -Path $work

$afl = Get-Command afl-fuzz -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
if (-not $afl) { throw 'afl-fuzz not found: install AFL++ (Debian: apt-get install afl++).' }
$runtime = if ($env:EXO_AFL_RUNTIME) { $env:EXO_AFL_RUNTIME } else { '/usr/lib/afl/afl-compiler-rt.o' }
if (-not (Test-Path $runtime)) { throw "AFL++'s runtime $runtime not found (set EXO_AFL_RUNTIME)." }
$aflVersion = ((& $afl.Source -h 2>&1 | Select-Object -First 1) -replace '\e\[[0-9;]*m', '' -split '\s+')[0]

# --- build -------------------------------------------------------------------------------
$triple = (& rustc -vV | Where-Object { $_ -like 'host:*' }) -replace '^host:\s*', ''
$rustc = (& rustc -V)
$flags = @(
    '-C passes=sancov-module'
    '-C llvm-args=-sanitizer-coverage-level=3'
    '-C llvm-args=-sanitizer-coverage-trace-pc-guard'
    '-C llvm-args=-sanitizer-coverage-prune-blocks=0'
    '-C opt-level=3'
    '-C target-cpu=native'
    '--cfg fuzzing'
) -join ' '
Write-Host "==> cargo build exo-fuzz (AFL++ instrumentation, $triple)" -ForegroundColor Cyan
$targetDir = Join-Path $work 'target'
$oldFlags = $env:RUSTFLAGS
$env:RUSTFLAGS = $flags
try {
    # --target keeps the flags off build scripts and proc macros (they run inside cargo/rustc).
    & cargo build --release --manifest-path (Join-Path $Root 'fuzz/Cargo.toml') --target $triple --target-dir $targetDir
    if ($LASTEXITCODE -ne 0) { throw "building the fuzz harness failed ($LASTEXITCODE)" }
}
finally { $env:RUSTFLAGS = $oldFlags }
Remove-Item -ErrorAction SilentlyContinue (Join-Path $Root 'fuzz/Cargo.lock')
$harness = Join-Path $targetDir "$triple/release/exo-fuzz"

$all = & $harness --list
if ($LASTEXITCODE -ne 0 -or -not $all) { throw 'the harness did not list its targets' }
$targets = if ($Target) { @($Target -split ',' | ForEach-Object Trim) } else { @($all) }
foreach ($t in $targets) { if ($all -notcontains $t) { throw "unknown target '$t' (targets: $($all -join ', '))" } }

# --- campaign ----------------------------------------------------------------------------
$rounds = [math]::Ceiling($targets.Count / $Jobs)
$perTarget = [math]::Max(10, [int]($Minutes * 60 / $rounds))
Write-Host "==> afl-fuzz: $($targets.Count) targets, $Jobs at a time, $perTarget s each, -t $TimeoutMs ms, -m $MemoryMb MB" -ForegroundColor Cyan
$env:AFL_NO_UI = '1'
$env:AFL_SKIP_CPUFREQ = '1'
$env:AFL_NO_AFFINITY = '1'                       # cores are shared with other work
$env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1' # core_pattern is the host's business
$env:AFL_FORKSRV_INIT_TMOUT = '30000'
$dict = Join-Path $Root 'fuzz/exo.dict'
$started = Get-Date
$results = [System.Collections.Generic.List[object]]::new()
for ($i = 0; $i -lt $targets.Count; $i += $Jobs) {
    $batch = $targets[$i..([math]::Min($i + $Jobs, $targets.Count) - 1)]
    $procs = foreach ($t in $batch) {
        $out = Join-Path $work "out/$t"
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $out
        $null = New-Item -ItemType Directory -Force -Path $out
        $argv = @('-i', (Join-Path $Root "fuzz/corpus/$t"), '-o', $out, '-t', "$TimeoutMs", '-m', "$MemoryMb",
            '-x', $dict, '-V', "$perTarget", '--', $harness, $t)
        Write-Host "    afl-fuzz $($argv -join ' ')"
        Start-Process -FilePath $afl.Source -ArgumentList $argv -NoNewWindow -PassThru `
            -RedirectStandardOutput (Join-Path $work "$t.log") -RedirectStandardError (Join-Path $work "$t.err")
    }
    foreach ($p in $procs) {
        # -V ends each run; the margin covers calibration of the seeds on a busy machine.
        if (-not $p.WaitForExit(($perTarget + 300) * 1000)) { $p.Kill($true); Write-Warning "afl-fuzz $($p.Id) overran; killed" }
    }
    foreach ($t in $batch) {
        $statsFile = Join-Path $work "out/$t/default/fuzzer_stats"
        if (-not (Test-Path $statsFile)) {
            Get-Content (Join-Path $work "$t.log") -Tail 20 | ForEach-Object { Write-Host "    $_" }
            throw "afl-fuzz produced no statistics for $t (log: build/fuzz/$t.log)"
        }
        $s = @{}
        foreach ($line in Get-Content $statsFile) {
            if ($line -match '^(\w+)\s*:\s*(.*)$') { $s[$Matches[1]] = $Matches[2].Trim() }
        }
        $get = { param($k, $alt) if ($s.ContainsKey($k)) { $s[$k] } elseif ($alt -and $s.ContainsKey($alt)) { $s[$alt] } else { '0' } }
        $runTime = [double](& $get 'run_time')
        if ($runTime -eq 0) { $runTime = [double]$s['last_update'] - [double]$s['start_time'] }
        $r = [pscustomobject]@{
            Target   = $t
            Execs    = [long](& $get 'execs_done')
            Seeds    = @(Get-ChildItem -File (Join-Path $Root "fuzz/corpus/$t")).Count
            Corpus   = [int](& $get 'corpus_count' 'paths_total')
            Edges    = (& $get 'edges_found')
            Crashes  = [int](& $get 'saved_crashes' 'unique_crashes')
            Hangs    = [int](& $get 'saved_hangs' 'unique_hangs')
            Seconds  = [int]$runTime
            ExecsSec = if ($runTime -gt 0) { [int]([long](& $get 'execs_done') / $runTime) } else { 0 }
        }
        $results.Add($r)
        # Every crash and hang found becomes a committed reproducer.
        foreach ($kind in 'crashes', 'hangs') {
            $found = Get-ChildItem -File -ErrorAction SilentlyContinue (Join-Path $work "out/$t/default/$kind") | Where-Object Name -ne 'README.txt'
            foreach ($f in $found) {
                $dest = Join-Path $Root "fuzz/regressions/$t"
                $null = New-Item -ItemType Directory -Force -Path $dest
                $hash = (Get-FileHash -Algorithm SHA256 $f.FullName).Hash.Substring(0, 16).ToLowerInvariant()
                Copy-Item $f.FullName (Join-Path $dest "$(@{ crashes = 'crash'; hangs = 'hang' }[$kind])-$hash")
            }
        }
        Write-Host ("    {0}: {1:N0} execs, {2} in corpus, {3} crashes, {4} hangs, {5:N0} exec/s, {6} s" -f $t, $r.Execs, $r.Corpus, $r.Crashes, $r.Hangs, $r.ExecsSec, $r.Seconds)
    }
}
$wall = (Get-Date) - $started

# --- report --------------------------------------------------------------------------------
$total = ($results | Measure-Object Execs -Sum).Sum
$crashes = ($results | Measure-Object Crashes -Sum).Sum
$hangs = ($results | Measure-Object Hangs -Sum).Sum
$commit = (& git -C $Root rev-parse --short HEAD 2>$null)
$date = (Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm') + ' UTC'
$cmd = "pwsh ./build.ps1 fuzz -Minutes $Minutes" + $(if ($Jobs -ne 2) { " -Jobs $Jobs" } else { '' }) + $(if ($Target) { " -Target $($Target -join ',')" } else { '' })
$lines = [System.Collections.Generic.List[string]]::new()
$lines.Add('<!-- fuzzing:begin (written by tools/fuzz.ps1; tools/soak.ps1 keeps it) -->')
$lines.Add('## Fuzzing')
$lines.Add('')
$lines.Add("Produced by ``$cmd`` (``tools/fuzz.ps1``) on $date at commit $commit, with $aflVersion and $rustc, on $([Environment]::ProcessorCount) shared cores.")
$lines.Add('Every parser that reads what a server or a caller sends has a target in `src/fuzzing.rs` (`exo_bridge::fuzzing::TARGETS`); the harness `fuzz/` runs it under AFL++ in persistent mode with shared-memory test cases. A target fails (AFL++ records a crash) on a panic, on an error without a code, reason or message, with control characters or a secret in it, on a broken round trip, on a page a strict JSON reader refuses, or when one input takes the heap above 256 MB; ' + "AFL++ adds a time limit of $TimeoutMs ms per input (a hang) and a memory limit of $MemoryMb MB.")
$lines.Add('')
$lines.Add("**Result: $('{0:N0}' -f $total) executions, $crashes crashes, $hangs hangs** (wall time $([int]$wall.TotalMinutes) min, $Jobs targets at a time).")
$lines.Add('')
$lines.Add('| target | what it parses | seeds | corpus after | edges | executions | exec/s | crashes | hangs | seconds |')
$lines.Add('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
$what = @{
    token_response = 'token endpoint 200 body; access token claims (JWT)'
    aad_error      = 'token endpoint error body (AADSTS), any status'
    device_code    = 'device code endpoint answer'
    exchange_page  = 'InvokeCommand page: value, nextLink, warnings'
    exchange_error = 'InvokeCommand error body + X-ExceptionType'
    options        = 'options JSON at the ABI (round trip)'
    invoke_request = 'invocation request JSON (round trip)'
    next_link      = 'nextLink against the Exchange origin'
    base_url       = 'authorityHost / exchangeHost (round trip)'
    retry_after    = 'Retry-After header'
    batch_answer   = '$batch answer (gzip or not) settled per sub-request'
    batch_invocations = 'invocations JSON of a batch run at the ABI'
    graph_page     = 'Graph GDAP relationships page, nextLink; tenant information'
    graph_error    = 'Graph error body + request-id header, any status'
}
foreach ($r in $results) {
    $w = if ($what.ContainsKey($r.Target)) { $what[$r.Target] } else { '' }
    $lines.Add(('| {0} | {1} | {2} | {3} | {4} | {5:N0} | {6:N0} | {7} | {8} | {9} |' -f $r.Target, $w, $r.Seeds, $r.Corpus, $r.Edges, $r.Execs, $r.ExecsSec, $r.Crashes, $r.Hangs, $r.Seconds))
}
$lines.Add('')
$lines.Add('Seeds are committed in `fuzz/corpus/<target>/` (shapes from docs/PROTOCOL.md and the emulator, plus hostile cases: deep nesting, lone surrogates, `expires_in` 18446744073709551615, NUL and escape sequences, echoed secrets). Every crash or hang ever found is kept in `fuzz/regressions/<target>/`; `pwsh ./build.ps1 test` replays both folders without instrumentation (`tests/fuzz_replay.rs`, one test per target). What the fuzzing found and how each target frames its input: `fuzz/README.md`.')
$lines.Add('')
$lines.Add('```')
$lines.Add("$cmd   # this campaign (needs afl++; working files in build/fuzz/)")
$lines.Add('build/fuzz/target/' + $triple + '/release/exo-fuzz <target> < file   # one input, outside AFL++')
$lines.Add('cargo test --release --test fuzz_replay        # replay corpora and reproducers')
$lines.Add('```')
$lines.Add('<!-- fuzzing:end -->')
$section = $lines -join "`n"

$existing = if (Test-Path $ReportPath) { Get-Content -Raw $ReportPath } else { "# Reliability`n" }
$pattern = '(?s)<!-- fuzzing:begin.*?<!-- fuzzing:end -->'
$report = if ($existing -match $pattern) { [regex]::Replace($existing, $pattern, { $section }) } else { $existing.TrimEnd() + "`n`n" + $section + "`n" }
Set-Content -Path $ReportPath -Value $report -NoNewline
Write-Host "wrote the Fuzzing section of $ReportPath"
Write-Host ("{0:N0} executions, {1} crashes, {2} hangs" -f $total, $crashes, $hangs)
if ($crashes -gt 0 -or $hangs -gt 0) { exit 1 }
