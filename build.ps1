#!/usr/bin/env pwsh
#Requires -Version 7.2
<#
.SYNOPSIS
Builds, tests, demonstrates, benchmarks and packages ExoDelegated.

.DESCRIPTION
  build    cargo build (native library + exo-emulator), copy the library into
           psmodule/ExoDelegated/runtimes/<rid>/native/, dotnet build the interop
           assembly (interop/) into psmodule/ExoDelegated/lib/
  header   regenerate src/exo_bridge.h with cbindgen (the test task fails when it is stale)
  test     build, then: cargo test, header check, C ABI tests (under valgrind when
           installed), Pester tests; ends with one line "N passed, N failed"
  demo     build, then run the forum thread's job end to end on the built-in emulator
  bench    build, then run the benchmarks and write docs/BENCHMARKS.md
  soak     build, then run the long reliability suite and write docs/RELIABILITY.md
  native   -Rid <rid>: build the native library and exo-emulator for that RID (this
           machine's, or another with its Rust target installed) into build/native/<rid>/
           and the module's runtimes/<rid>/native/ (the release workflow's per-platform step)
  package  build, then stage the module with every RID found in runtimes/ (plus
           -RuntimesFrom <dir> holding <rid>/ folders as 'native' writes them) into
           build/package/ExoDelegated and make build/psrepo/ExoDelegated.<version>.nupkg
           with PSResourceGet (Publish-PSResource to a local folder repository)
  fuzz     build the AFL++ harness (fuzz/) instrumented and run a campaign over every
           fuzz target for -Minutes (default 25); writes the Fuzzing section of
           docs/RELIABILITY.md and copies crashes to fuzz/regressions/ (needs afl++)

RIDs: win-x64, win-arm64, linux-x64, linux-arm64, osx-x64, osx-arm64. The script needs only
pwsh 7.2+, cargo and the .NET SDK: no shell; the C ABI tests need a C compiler (cc, clang or
gcc) and are reported as skipped, never as passed, without one.

Cargo uses Debian's offline crate registry (/usr/share/cargo/registry) through a
project-local CARGO_HOME (build/cargo-home) when that registry is present and
EXO_USE_CRATES_IO is not set; the user's own cargo configuration is never touched.

.EXAMPLE
pwsh ./build.ps1 test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'header', 'test', 'demo', 'bench', 'soak', 'native', 'package', 'fuzz')]
    [string] $Task = 'build',
    # native: the RID to build (default: this machine's).
    [ValidateSet('win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64')]
    [string] $Rid,
    # package: a folder of <rid>/ folders (what 'native' writes to build/native) to add.
    [string] $RuntimesFrom,
    # fuzz: wall-clock minutes of the campaign.
    [double] $Minutes = 25
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$ModuleDir = Join-Path $Root 'psmodule/ExoDelegated'
$BuildDir = Join-Path $Root 'build'
$script:Passed = 0
$script:Failed = 0
$script:Skipped = 0
$script:FailedNames = [System.Collections.Generic.List[string]]::new()
# The RID/file-name mapping of the build and tools (the module's loader has the interop's copy, NativeRid.cs).
. (Join-Path $Root 'tools/Get-ExoNativeRid.ps1')
# The pwsh executable for child processes (a dotnet global tool runs as 'dotnet pwsh.dll').
$Pwsh = (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
if (-not $Pwsh) { $Pwsh = [Environment]::ProcessPath }

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }

function Add-Result([string] $Name, [int] $Passed, [int] $Failed) {
    $script:Passed += $Passed
    $script:Failed += $Failed
    if ($Failed -gt 0) { $script:FailedNames.Add("$Name ($Failed)") }
    $color = if ($Failed -gt 0) { 'Red' } else { 'Green' }
    Write-Host ("    {0}: {1} passed, {2} failed" -f $Name, $Passed, $Failed) -ForegroundColor $color
}

function Invoke-Native {
    # Runs an external command, streaming its output; throws on a non-zero exit.
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$File $($Arguments -join ' ')' failed with exit code $LASTEXITCODE" }
}

function Add-Skipped([string] $Name, [string] $Reason) {
    # A check that could not run here: reported and counted as skipped, never as passed.
    $script:Skipped++
    Write-Host "    ${Name}: SKIPPED ($Reason)" -ForegroundColor Yellow
}

function Get-CargoVersion {
    $line = Select-String -Path (Join-Path $Root 'Cargo.toml') -Pattern '^version\s*=\s*"([^"]+)"' | Select-Object -First 1
    $line.Matches[0].Groups[1].Value
}

function Initialize-Cargo {
    $cargo = Join-Path $HOME '.cargo/bin/cargo'
    if (-not (Test-Path $cargo)) { $cargo = (Get-Command cargo -ErrorAction SilentlyContinue).Source }
    if (-not $cargo) { throw 'cargo not found: install the Rust toolchain (rustup) or Debian''s cargo.' }
    $script:Cargo = $cargo
    $debianRegistry = '/usr/share/cargo/registry'
    if (-not $env:EXO_USE_CRATES_IO -and (Test-Path (Join-Path $debianRegistry 'reqwest-*'))) {
        $cargoHome = Join-Path $BuildDir 'cargo-home'
        $null = New-Item -ItemType Directory -Force -Path $cargoHome
        $config = @"
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "$debianRegistry"
[net]
offline = true
"@
        $configPath = Join-Path $cargoHome 'config.toml'
        if (-not (Test-Path $configPath) -or (Get-Content -Raw $configPath) -ne $config) {
            Set-Content -Path $configPath -Value $config -NoNewline
        }
        if (-not $env:RUSTUP_HOME) { $env:RUSTUP_HOME = Join-Path $HOME '.rustup' }
        $env:CARGO_HOME = $cargoHome
    }
    # Debian's registry writes checksums cargo rejects in a lock file: never keep one.
    Remove-Item -ErrorAction SilentlyContinue (Join-Path $Root 'Cargo.lock')
}

function Get-Rid { (Get-ExoNativeRid).Rid }

function Get-LibraryFile { (Get-ExoNativeRid).LibraryFile }

function Get-EmulatorPath { Join-Path $Root "target/release/$((Get-ExoNativeRid).EmulatorFile)" }

function Copy-NativeFiles {
    # Copies a RID's library and emulator from cargo's output folder into runtimes/<rid>/native/
    # (and -Also, e.g. build/native/<rid>). Copy then rename: overwriting a loaded library in place
    # would crash every PowerShell session that has the module imported (SIGBUS); a rename leaves
    # them on the old inode.
    param([string] $From, [string] $TargetRid, [string[]] $Also = @())
    $t = Get-ExoNativeRid -Rid $TargetRid
    foreach ($dir in @((Join-Path $ModuleDir "runtimes/$TargetRid/native")) + $Also) {
        $null = New-Item -ItemType Directory -Force -Path $dir
        foreach ($file in $t.LibraryFile, $t.EmulatorFile) {
            Write-Step "copy $file -> $([System.IO.Path]::GetRelativePath($Root, $dir))/"
            $staged = Join-Path $dir ".$file.new"
            Copy-Item -Force (Join-Path $From $file) $staged
            Move-Item -Force $staged (Join-Path $dir $file)
        }
    }
}

function Invoke-Cbindgen([string] $Output) {
    $cbindgen = Get-Command cbindgen -ErrorAction SilentlyContinue
    if (-not $cbindgen) { throw 'cbindgen not found (Debian: apt-get install cbindgen; pinned version 0.24.3).' }
    & $cbindgen.Source --quiet --config (Join-Path $Root 'cbindgen.toml') --crate exo-bridge --output $Output 2>$null
    if ($LASTEXITCODE -ne 0) { throw "cbindgen failed with exit code $LASTEXITCODE" }
}

function Test-HeaderCurrent {
    # The committed header must equal what the pinned cbindgen generates now.
    $version = (& cbindgen --version) -replace '^cbindgen\s+', ''
    if ($version -ne '0.24.3') {
        Write-Warning "cbindgen $version is not the pinned 0.24.3; the header check may report spurious differences."
    }
    $fresh = Join-Path $BuildDir 'exo_bridge.h'
    Invoke-Cbindgen $fresh
    $committed = Get-Content -Raw (Join-Path $Root 'src/exo_bridge.h')
    $generated = Get-Content -Raw $fresh
    $committed -ceq $generated
}

function Invoke-Build {
    Write-MergedModule
    Initialize-Cargo
    Write-Step 'cargo build --release --workspace (native library + exo-emulator)'
    Push-Location $Root
    try { Invoke-Native $script:Cargo @('build', '--release', '--workspace') }
    finally { Pop-Location }

    if (-not (Get-Command cbindgen -ErrorAction SilentlyContinue)) {
        Write-Warning 'cbindgen not found: src/exo_bridge.h not checked (the test task requires it).'
    }
    elseif (-not (Test-HeaderCurrent)) {
        Write-Warning "src/exo_bridge.h is stale: run 'pwsh ./build.ps1 header' and commit it."
    }

    # The library and the emulator ship together in runtimes/<rid>/native/.
    Copy-NativeFiles -From (Join-Path $Root 'target/release') -TargetRid (Get-Rid)

    # The interop assembly: an MSBuild project (incremental; it reads the native version from
    # Cargo.toml). The built dll ships in lib/, so importing the module needs no SDK.
    Write-Step 'dotnet build interop/ExoDelegated.Interop.csproj -c Release'
    $built = Invoke-InteropBuild
    $libDir = Join-Path $ModuleDir 'lib'
    $assembly = Join-Path $libDir 'ExoDelegated.Interop.dll'
    $null = New-Item -ItemType Directory -Force -Path $libDir
    if (-not (Test-Path $assembly) -or (Get-FileHash $assembly).Hash -ne (Get-FileHash $built).Hash) {
        Write-Step 'copy ExoDelegated.Interop.dll -> lib/'
        # Copy then rename, like the native library: sessions that loaded the old file keep it.
        $staged = Join-Path $libDir '.ExoDelegated.Interop.dll.new'
        Copy-Item -Force $built $staged
        Move-Item -Force $staged $assembly
    }
}

function Invoke-InteropBuild {
    # Builds the interop project; returns the path of the built dll.
    $dotnet = (Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
    if (-not $dotnet) { throw 'dotnet not found: install the .NET SDK (8 or later) to build the interop assembly.' }
    $project = Join-Path $Root 'interop/ExoDelegated.Interop.csproj'
    $out = & $dotnet build $project -c Release -nologo -v quiet -clp:NoSummary 2>&1 | ForEach-Object { "$_" }
    if ($LASTEXITCODE -ne 0) { throw "dotnet build of the interop assembly failed:`n$($out -join "`n")" }
    Join-Path $Root 'build/interop/bin/Release/net6.0/ExoDelegated.Interop.dll'
}

function Write-MergedModule {
    # Private/ and Public/ in one file that the psm1 dot-sources instead of each source file
    # (a faster import; see the psm1). Written on every build: it must be newer than its sources.
    $parts = foreach ($dir in 'Private', 'Public') {
        foreach ($file in Get-ChildItem (Join-Path $ModuleDir $dir) -Filter '*.ps1' | Sort-Object Name) {
            "# ---- $dir/$($file.Name)`n" + (Get-Content -Raw $file.FullName).TrimEnd() + "`n"
        }
    }
    $header = "# Generated by build.ps1 from Private/ and Public/: edit those files, not this one.`n"
    Set-Content -Path (Join-Path $ModuleDir 'ExoDelegated.Merged.ps1') -Value ($header + ($parts -join "`n")) -NoNewline
    Write-Step 'merged Private/ and Public/ -> ExoDelegated.Merged.ps1'
}

function Get-PesterModule {
    # Pester 5.7.1 from NuGet; restored once into build/nuget when not installed.
    $candidates = @(
        $env:EXO_PESTER_PATH
        (Join-Path $HOME '.nuget/packages/pester/5.7.1/tools/Pester.psd1')
        (Join-Path $BuildDir 'nuget/pester/5.7.1/tools/Pester.psd1')
    ) | Where-Object { $_ -and (Test-Path $_) }
    if ($candidates) { return @($candidates)[0] }
    $installed = Get-Module -ListAvailable Pester | Where-Object { $_.Version.Major -eq 5 } | Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) { return $installed.Path }
    Write-Step 'restore Pester 5.7.1 from NuGet'
    $proj = Join-Path $BuildDir 'pester-restore'
    $null = New-Item -ItemType Directory -Force -Path $proj
    @'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[5.7.1]" /></ItemGroup>
</Project>
'@ | Set-Content (Join-Path $proj 'pester-restore.csproj')
    Invoke-Native dotnet @('restore', $proj, '--packages', (Join-Path $BuildDir 'nuget')) | Out-Host
    Join-Path $BuildDir 'nuget/pester/5.7.1/tools/Pester.psd1'
}

function Invoke-CargoTests {
    Write-Step 'cargo test --release (library and emulator)'
    Push-Location $Root
    try {
        $output = & $script:Cargo test --release 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable lines
        $output | ForEach-Object { Write-Host $_ }
        $exit = $LASTEXITCODE
    }
    finally { Pop-Location }
    $passed = 0; $failed = 0
    foreach ($line in $lines) {
        if ($line -match '^test result: \w+\. (\d+) passed; (\d+) failed') {
            $passed += [int]$Matches[1]; $failed += [int]$Matches[2]
        }
    }
    if ($exit -ne 0 -and $failed -eq 0) { $failed = 1 }
    Add-Result 'cargo test' $passed $failed
}

function Invoke-CTest {
    param([string] $Name, [switch] $Emulator)
    Write-Step "C test $Name$(if ($Emulator) { ' against exo-emulator' })"
    Import-Module (Join-Path $Root 'tools/CTest.psm1') -Force
    $r = Invoke-ExoCTest -Root $Root -Name $Name -Emulator:$Emulator -EmulatorPath (Get-EmulatorPath)
    if ($r.Skipped) { Add-Skipped "C $Name" $r.Skipped; return }
    $r.Lines | Where-Object { $_ -notmatch '^ok ' } | Select-Object -Last 30 | ForEach-Object { Write-Host "    $_" }
    Add-Result "C $Name" $r.Passed $r.Failed
}

function Invoke-PesterTests {
    param([string] $Path = (Join-Path $Root 'tests/pester'), [string] $Name = 'Pester')
    $pester = Get-PesterModule
    Write-Step "Pester ($pester)"
    $resultFile = Join-Path $BuildDir 'pester-result.json'
    Remove-Item -ErrorAction SilentlyContinue $resultFile
    # A child pwsh: the tests import the module; this process must stay clean.
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$pester' -RequiredVersion 5.7.1
`$config = New-PesterConfiguration
`$config.Run.Path = '$Path'
`$config.Run.PassThru = `$true
`$config.Output.Verbosity = 'Normal'
`$r = Invoke-Pester -Configuration `$config
@{ Passed = `$r.PassedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount } | ConvertTo-Json | Set-Content '$resultFile'
"@
    & $Pwsh -NoProfile -NonInteractive -Command $script
    if (Test-Path $resultFile) {
        $r = Get-Content -Raw $resultFile | ConvertFrom-Json
        Add-Result $Name $r.Passed $r.Failed
    }
    else { Add-Result $Name 0 1 }
}

function Test-ReleaseWorkflow {
    # The release workflow cannot run here: check that it parses as YAML (python3's PyYAML, from
    # Debian's python3-yaml) and that every 'pwsh ./build.ps1 <task>' it runs is a task of this script.
    Write-Step 'release workflow: YAML syntax and build.ps1 tasks'
    $workflow = Join-Path $Root '.github/workflows/release.yml'
    # The first python that has PyYAML (on Windows 'python3' may be the Store's stub).
    $python = @('python3', 'python') | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } |
        Where-Object { & $_.Source -c 'import yaml' 2>$null; $LASTEXITCODE -eq 0 } | Select-Object -First 1
    $parsed = $null
    if (-not $python) { Add-Skipped 'workflow YAML' 'no python3 with PyYAML: apt-get install python3-yaml, or pip install pyyaml' }
    else {
        $code = 'import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding="utf-8")), default=str))'
        $out = & $python.Source -c $code $workflow 2>&1 | ForEach-Object { "$_" }
        if ($LASTEXITCODE -eq 0) { $parsed = ($out -join "`n") | ConvertFrom-Json -AsHashtable }
        else {
            Write-Host "    $($out -join "`n    ")" -ForegroundColor Red
            Add-Result 'workflow YAML' 0 1
        }
    }
    if ($parsed) {
        # YAML 1.1 reads the key 'on' as true.
        $ok = $parsed.ContainsKey('jobs') -and $parsed['jobs'].Count -gt 0 -and ($parsed.ContainsKey('on') -or $parsed.ContainsKey('true'))
        if (-not $ok) { Write-Host '    the workflow has no on: or jobs:' -ForegroundColor Red }
        # Every supported RID is built by the matrix.
        $rids = @($parsed['jobs'].Values | ForEach-Object { $_['strategy'] } | Where-Object { $_ } |
            ForEach-Object { $_['matrix']['include'] } | ForEach-Object { $_['rid'] })
        $missing = @('win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64') | Where-Object { $_ -notin $rids }
        if ($missing) { $ok = $false; Write-Host "    the workflow's matrix builds no $($missing -join ', ')" -ForegroundColor Red }
        Add-Result 'workflow YAML' ([int]$ok) ([int](-not $ok))
    }

    $tasks = (Get-Command (Join-Path $Root 'build.ps1')).Parameters['Task'].Attributes |
        Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object ValidValues
    # The calls in its steps (not in comments).
    $steps = (Get-Content $workflow | Where-Object { $_ -notmatch '^\s*#' }) -join "`n"
    $calls = [regex]::Matches($steps, 'pwsh\s+(?:-\w+\s+)*\./build\.ps1\s+(\S+)')
    $unknown = @($calls | ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -notin $tasks })
    if ($calls.Count -eq 0) { Write-Host '    the workflow runs no build.ps1 task' -ForegroundColor Red }
    foreach ($u in $unknown) { Write-Host "    the workflow calls unknown task '$u'" -ForegroundColor Red }
    $good = $calls.Count -gt 0 -and $unknown.Count -eq 0
    Add-Result "workflow build.ps1 tasks ($($calls.Count) calls)" ([int]$good) ([int](-not $good))
}

function Invoke-Test {
    Invoke-Build
    Invoke-CargoTests

    Write-Step 'header check: src/exo_bridge.h equals cbindgen output'
    if (Test-HeaderCurrent) { Add-Result 'header is current' 1 0 }
    else {
        Write-Host "    src/exo_bridge.h differs from cbindgen's output: run 'pwsh ./build.ps1 header'" -ForegroundColor Red
        Add-Result 'header is current' 0 1
    }

    Invoke-CTest 'abi_test'
    Invoke-CTest 'core_test' -Emulator
    Test-ReleaseWorkflow
    Invoke-PesterTests

    Write-Host ''
    if ($script:Failed -gt 0) { Write-Host "FAILED: $($script:FailedNames -join ', ')" -ForegroundColor Red }
    $skipped = if ($script:Skipped -gt 0) { ", $($script:Skipped) skipped" } else { '' }
    Write-Host ("{0} passed, {1} failed{2}" -f $script:Passed, $script:Failed, $skipped)
    if ($script:Failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Write-Step 'demo'
    & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/demo.ps1') -Root $Root
    if ($LASTEXITCODE -ne 0) { throw "demo failed with exit code $LASTEXITCODE" }
}

function Invoke-NativeBuild {
    # One RID's library and emulator into build/native/<rid>/ (the release workflow uploads it).
    $hostRid = Get-Rid
    $targetRid = if ($Rid) { $Rid } else { $hostRid }
    $out = Join-Path $BuildDir "native/$targetRid"
    if ($targetRid -eq $hostRid) {
        Invoke-Build
        $from = Join-Path $Root 'target/release'
    }
    else {
        # Another RID: cargo cross-builds with that Rust target (rustup target add <triple>) and,
        # for another OS, its linker; the interop assembly is the same on every platform.
        Initialize-Cargo
        $triple = (Get-ExoNativeRid -Rid $targetRid).RustTarget
        Write-Step "cargo build --release --target $triple -p exo-bridge -p exo-emulator"
        Push-Location $Root
        try { Invoke-Native $script:Cargo @('build', '--release', '--target', $triple, '-p', 'exo-bridge', '-p', 'exo-emulator') }
        finally { Pop-Location }
        $from = Join-Path $Root "target/$triple/release"
    }
    Copy-NativeFiles -From $from -TargetRid $targetRid -Also @($out)
    Write-Step "native files for $targetRid in $out"
}

function Invoke-Package {
    Invoke-Build
    Import-Module (Join-Path $Root 'tools/Package.psm1') -Force
    $runtimes = if ($RuntimesFrom) { (Resolve-Path -LiteralPath $RuntimesFrom).Path } else { $null }
    $staging = New-ExoModuleStaging -ModuleDir $ModuleDir -Destination (Join-Path $BuildDir 'package') -RuntimesFrom $runtimes
    $rids = @(Get-ChildItem (Join-Path $staging 'runtimes') -Directory | ForEach-Object Name)
    Write-Step "staged $staging ($($rids -join ', '))"
    $nupkg = New-ExoModuleNupkg -StagingDir $staging -Repository (Join-Path $BuildDir 'psrepo')
    Write-Step "wrote $nupkg ($([math]::Round($nupkg.Length / 1MB, 1)) MB)"
}

switch ($Task) {
    'build' { Invoke-Build }
    'header' {
        Initialize-Cargo
        Write-Step 'cbindgen -> src/exo_bridge.h'
        Invoke-Cbindgen (Join-Path $Root 'src/exo_bridge.h')
    }
    'test' { Invoke-Test }
    'demo' { Invoke-Demo }
    'bench' {
        Invoke-Build
        & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/bench.ps1') -Root $Root
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    'soak' {
        Invoke-Build
        & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/soak.ps1') -Root $Root
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    'native' { Invoke-NativeBuild }
    'package' { Invoke-Package }
    'fuzz' {
        Initialize-Cargo
        & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/fuzz.ps1') -Root $Root -Minutes $Minutes
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
}
