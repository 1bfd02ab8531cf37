# Starting and stopping an exo-emulator process: the one implementation behind the module's
# Start-/Stop-ExoDelegatedEmulator and the repository's tools/ExoEmulator.psm1 (which dot-sources
# this file). Pure PowerShell: needs neither the native library nor the interop assembly.

# Emulator command-line options by the PowerShell parameter that sets them.
$script:ExoEmulatorOptions = [ordered]@{
    Tenants = '--tenants'; Mailboxes = '--mailboxes'; Seed = '--seed'; LatencyMs = '--latency-ms'; Faults = '--faults'
    TokenLifetime = '--token-lifetime'; MaxPageSize = '--max-page-size'; NextLinkTtl = '--next-link-ttl'
    DeviceCodeInterval = '--device-code-interval'; Threads = '--threads'
}

function ConvertTo-ExoEmulatorArgument {
    # The emulator's arguments from a command's bound parameters: always a free loopback port.
    param([Parameter(Mandatory)][System.Collections.IDictionary] $BoundParameters, [string[]] $ArgumentList = @())
    $arguments = [System.Collections.Generic.List[string]]::new()
    $arguments.Add('--listen'); $arguments.Add('127.0.0.1:0')
    foreach ($key in $script:ExoEmulatorOptions.Keys) {
        if ($BoundParameters.Keys -contains $key) {
            $arguments.Add($script:ExoEmulatorOptions[$key]); $arguments.Add([string]$BoundParameters[$key])
        }
    }
    foreach ($a in $ArgumentList) { $arguments.Add($a) }
    , $arguments.ToArray()
}

function Assert-ExoEmulatorExecutable {
    # A package (a zip) does not keep the Unix execute bit: restore it on the shipped binary.
    param([Parameter(Mandatory)][string] $Path)
    if ($IsWindows) { return }
    # .NET 7+ (pwsh 7.3+) reads the mode directly; pwsh 7.2 (.NET 6) has the UnixMode text.
    if ([System.IO.File].GetMethod('GetUnixFileMode', [type[]]@([string]))) {
        if (([int][System.IO.File]::GetUnixFileMode($Path) -band 64) -ne 0) { return }  # 64: UserExecute
    }
    else {
        $mode = (Get-Item -LiteralPath $Path).PSObject.Properties['UnixMode']
        if ($mode -and "$($mode.Value)".Length -ge 4 -and "$($mode.Value)"[3] -eq 'x') { return }
    }
    try {
        & chmod u+x,g+x,o+x -- $Path 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "chmod exited with $LASTEXITCODE" }
    }
    catch {
        throw [System.UnauthorizedAccessException]::new(
            "exo-emulator at '$Path' is not executable and cannot be made so ($_): run 'chmod +x' on it.")
    }
}

function Start-ExoEmulatorProcess {
    # Starts the emulator, waits (bounded) for its one startup JSON line and returns it as an
    # object with Process, Arguments and StandardError added. Stops the process if startup fails.
    param(
        [Parameter(Mandatory)][string] $Path,
        [Parameter(Mandatory)][string[]] $Arguments,
        [int] $TimeoutSec = 30
    )
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        throw [System.IO.FileNotFoundException]::new("exo-emulator not found at '$Path'.", $Path)
    }
    Assert-ExoEmulatorExecutable -Path $Path
    $info = [System.Diagnostics.ProcessStartInfo]::new($Path)
    foreach ($a in $Arguments) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $info.CreateNoWindow = $true
    # The emulator serves until its stdin reaches EOF: when this process ends, even abruptly,
    # the pipe closes and the emulator exits by itself.
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    # Drain stderr in the background so the emulator never blocks on a full pipe.
    $stderr = $process.StandardError.ReadToEndAsync()
    try {
        $read = $process.StandardOutput.ReadLineAsync()
        if (-not $read.Wait([TimeSpan]::FromSeconds($TimeoutSec))) {
            throw [System.TimeoutException]::new("exo-emulator printed no startup line within $TimeoutSec s.")
        }
        $line = $read.Result
        if ([string]::IsNullOrWhiteSpace($line)) {
            $null = $process.WaitForExit(2000)
            $err = if ($stderr.Wait(2000)) { $stderr.Result } else { '' }
            throw "exo-emulator exited without a startup line (exit code $(if ($process.HasExited) { $process.ExitCode } else { '?' })): $err"
        }
        $emulator = $line | ConvertFrom-Json
    }
    catch {
        if (-not $process.HasExited) { $process.Kill($true) }
        $process.Dispose()
        throw
    }
    $emulator.PSObject.TypeNames.Insert(0, 'ExoEmulator.Instance')
    $emulator | Add-Member -NotePropertyName Process -NotePropertyValue $process
    $emulator | Add-Member -NotePropertyName Arguments -NotePropertyValue $Arguments
    $emulator | Add-Member -NotePropertyName StandardError -NotePropertyValue $stderr
    Write-Verbose "exo-emulator $($process.Id) listening on $($emulator.url)"
    $emulator
}

function Stop-ExoEmulatorProcess {
    # Closes the emulator's stdin (it exits cleanly), kills it if it has not exited in time.
    # Safe to repeat.
    param([AllowNull()] $Emulator, [int] $TimeoutSec = 5)
    if ($null -eq $Emulator -or -not $Emulator.PSObject.Properties['Process']) { return }
    $process = $Emulator.Process
    if ($null -eq $process) { return }
    try {
        if (-not $process.HasExited) {
            try { $process.StandardInput.Close() } catch { Write-Verbose "closing stdin: $_" }
            if (-not $process.WaitForExit($TimeoutSec * 1000)) {
                Write-Verbose "exo-emulator $($process.Id) did not exit after stdin closed; killing it"
                $process.Kill($true)
                $null = $process.WaitForExit(5000)
            }
        }
    }
    catch [System.InvalidOperationException] {
        # Disposed by its owner: nothing left to stop.
        Write-Verbose "exo-emulator already stopped: $($_.Exception.Message)"
    }
    # Not disposed: $emulator.Process.HasExited and ExitCode stay readable after the stop.
}
