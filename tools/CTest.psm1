# The one C test runner, used by build.ps1 (test) and tools/soak.ps1: compiles tests/c/<Name>.c
# against the committed header, links the cdylib from target/release and runs it (under valgrind
# when installed). A test prints "ok"/"not ok" lines or ends with "N passed, N failed". With
# -Emulator an exo-emulator is started first and its startup line handed to the test as EXO_*
# environment variables.
Set-StrictMode -Version 3.0
. (Join-Path $PSScriptRoot 'Get-ExoNativeRid.ps1')

function Get-ExoCCompiler {
    # The first C compiler on PATH that takes GNU-style flags: cc (Linux, macOS), clang (also on
    # Windows, where it uses the MSVC libraries), gcc. $env:CC wins when set.
    $names = @($env:CC) + @('cc', 'clang', 'gcc') | Where-Object { $_ }
    foreach ($n in $names) {
        $c = Get-Command $n -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($c) { return $c.Source }
    }
    $null
}

function Invoke-ExoCTest {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $Root,
        [Parameter(Mandatory)][string] $Name,
        [switch] $Emulator,
        [string] $EmulatorPath
    )
    $source = Join-Path $Root "tests/c/$Name.c"
    $target = Get-ExoNativeRid
    $libDir = Join-Path $Root 'target/release'
    $compiler = Get-ExoCCompiler
    if (-not $compiler) {
        # Reported as skipped by the caller, never as passed.
        return [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 'no C compiler (cc, clang or gcc) on PATH'; Exit = $null; Lines = @(); Valgrind = $false }
    }
    $exe = Join-Path $Root "build/c/$Name$(if ($IsWindows) { '.exe' })"
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $exe)
    $flags = @('-std=c11', '-Wall', '-Wextra', '-Werror', '-g', '-I', (Join-Path $Root 'src'), '-o', $exe, $source)
    if ($IsWindows) {
        # Link the import library, and put the dll beside the test (Windows finds it there);
        # the MSVC headers would otherwise turn getenv into a -Werror deprecation.
        $flags += @('-D_CRT_SECURE_NO_WARNINGS', (Join-Path $libDir $target.LinkFile))
        Copy-Item -Force (Join-Path $libDir $target.LibraryFile) (Split-Path $exe)
    }
    else { $flags += @('-L', $libDir, '-lexo_bridge', "-Wl,-rpath,$libDir") }
    $compile = & $compiler @flags 2>&1 | ForEach-Object { "$_" }
    if ($LASTEXITCODE -ne 0) {
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = $null; Exit = $LASTEXITCODE; Lines = @($compile); Valgrind = $false }
    }
    $valgrind = [bool](Get-Command valgrind -ErrorAction SilentlyContinue)
    $command = @($exe)
    if ($valgrind) {
        $command = @('valgrind', '--quiet', '--error-exitcode=99', '--leak-check=full', '--errors-for-leak-kinds=definite',
            '--show-leak-kinds=definite', "--suppressions=$(Join-Path $Root 'tests/c/valgrind.supp')", $exe)
    }
    $emu = $null
    $saved = @{}
    try {
        if ($Emulator) {
            Import-Module (Join-Path $PSScriptRoot 'ExoEmulator.psm1')
            $emu = Start-ExoEmulator -Path $EmulatorPath -Tenants 2 -Mailboxes 23 -DeviceCodeInterval 1
            $vars = @{
                EXO_URL = $emu.url; EXO_TENANT = $emu.customers[0].tenantId; EXO_MAILBOXES = [string]$emu.customers[0].mailboxes
                EXO_APP_ID = $emu.applicationId; EXO_CLIENT_SECRET = $emu.clientSecret; EXO_REFRESH_TOKEN = $emu.refreshToken
                EXO_PUBLIC_CLIENT_ID = $emu.publicClientId; EXO_PARTNER_TENANT = $emu.partnerTenantId
            }
            foreach ($k in $vars.Keys) {
                $saved[$k] = [Environment]::GetEnvironmentVariable($k)
                [Environment]::SetEnvironmentVariable($k, $vars[$k])
            }
        }
        $lines = @(& $command[0] @($command | Select-Object -Skip 1) 2>&1 | ForEach-Object { "$_" })
        $exit = $LASTEXITCODE
    }
    finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
        if ($emu) { Stop-ExoEmulator $emu }
    }
    $summary = $lines | Where-Object { $_ -match '^(\d+) passed, (\d+) failed$' } | Select-Object -Last 1
    if ($summary -and $summary -match '^(\d+) passed, (\d+) failed$') { $passed = [int]$Matches[1]; $failed = [int]$Matches[2] }
    else {
        $passed = @($lines | Where-Object { $_ -match '^ok ' }).Count
        $failed = @($lines | Where-Object { $_ -match '^not ok ' }).Count
    }
    if ($exit -eq 99) { $lines += 'valgrind reported errors'; $failed++ }
    elseif ($exit -ne 0 -and $failed -eq 0) { $lines += "$Name exited with $exit"; $failed = 1 }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $null; Exit = $exit; Lines = $lines; Valgrind = $valgrind }
}

Export-ModuleMember -Function Invoke-ExoCTest
