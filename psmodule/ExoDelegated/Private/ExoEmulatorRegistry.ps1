# The emulators Start-ExoDelegatedEmulator started ($script:ExoEmulators, set up by
# ExoDelegated.psm1, which also stops them when the module is removed).

function Stop-ExoEmulatorList {
    # Stops every emulator in the list (gracefully: stdin closed, then killed after 2 s) and empties it.
    param([System.Collections.Generic.List[object]] $Emulators)
    foreach ($e in @($Emulators)) {
        try {
            $p = $e.Process
            if (-not $p.HasExited) {
                try { $p.StandardInput.Close() } catch { $null = $_ }
                if (-not $p.WaitForExit(2000)) { $p.Kill($true) }
            }
        }
        catch { $null = $_ }  # already stopped, or disposed by its owner
    }
    $Emulators.Clear()
}

function Register-ExoEmulator {
    # Adds a started emulator to the registry; the first one also subscribes to PowerShell's exit.
    param([Parameter(Mandatory)][psobject] $Emulator)
    if ($null -eq $script:ExoEmulatorExitSubscriber) {
        # The event action runs outside this module's scope: the list and the stop code travel as data.
        $script:ExoEmulatorExitSubscriber = Register-EngineEvent -SourceIdentifier ([System.Management.Automation.PsEngineEvent]::Exiting) `
            -MessageData @{ Emulators = $script:ExoEmulators; StopAll = ${function:Stop-ExoEmulatorList} } `
            -Action { & $Event.MessageData.StopAll $Event.MessageData.Emulators }
    }
    $script:ExoEmulators.Add($Emulator)
}
