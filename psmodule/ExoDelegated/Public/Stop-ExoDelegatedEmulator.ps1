function Stop-ExoDelegatedEmulator {
    <#
    .SYNOPSIS
    Stops emulators started by Start-ExoDelegatedEmulator.

    .DESCRIPTION
    Stops the given emulator, or with no -Emulator every emulator this session started and
    has not stopped yet. Each is asked to exit (its standard input is closed) and killed if
    it is still running after -TimeoutSec. Stopping an emulator that has already stopped
    does nothing. Connections to a stopped emulator fail on their next request: disconnect
    them (Disconnect-ExoDelegated) first.

    .PARAMETER Emulator
    The object Start-ExoDelegatedEmulator returned (pipeline input). Default: all emulators
    this session started.

    .PARAMETER TimeoutSec
    How long to wait for a clean exit before killing the process, in seconds. Default: 5.

    .EXAMPLE
    $emu = Start-ExoDelegatedEmulator
    Stop-ExoDelegatedEmulator $emu

    Starts and stops one emulator.

    .EXAMPLE
    Stop-ExoDelegatedEmulator

    Stops every emulator this session started.

    .INPUTS
    ExoDelegated.Emulator

    .OUTPUTS
    None.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(ValueFromPipeline)] [AllowNull()] [psobject[]] $Emulator,
        [ValidateRange(0, 3600)][int] $TimeoutSec = 5
    )
    process {
        $targets = if ($PSBoundParameters.ContainsKey('Emulator')) { @($Emulator | Where-Object { $null -ne $_ }) }
                   else { @($script:ExoEmulators) }
        foreach ($e in $targets) {
            if (-not $e.PSObject.Properties['Process']) {
                $err = [System.Management.Automation.ErrorRecord]::new(
                    [System.ArgumentException]::new('Not an emulator started by Start-ExoDelegatedEmulator.'),
                    'ExoDelegated.NotAnEmulator', [System.Management.Automation.ErrorCategory]::InvalidArgument, $e)
                $PSCmdlet.WriteError($err)
                continue
            }
            Stop-ExoEmulatorProcess -Emulator $e -TimeoutSec $TimeoutSec
            $null = $script:ExoEmulators.Remove($e)
        }
    }
}
