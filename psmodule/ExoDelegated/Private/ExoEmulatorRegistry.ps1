function Initialize-ExoEmulatorRegistry {
    <#
    .SYNOPSIS
    Tracks the emulators Start-ExoDelegatedEmulator starts, and stops them when the module is removed or PowerShell exits.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $ModuleRoot)

    $script:ExoModuleRoot = $ModuleRoot
    $script:ExoEmulators = [System.Collections.Generic.List[object]]::new()
    # The list is handed to the event action as data: the action runs outside this module's scope.
    $stopAll = {
        param($Emulators)
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
    $subscriber = Register-EngineEvent -SourceIdentifier ([System.Management.Automation.PsEngineEvent]::Exiting) `
        -MessageData @{ Emulators = $script:ExoEmulators; StopAll = $stopAll } `
        -Action { & $Event.MessageData.StopAll $Event.MessageData.Emulators }
    $module = $ExecutionContext.SessionState.Module
    if ($module) {
        $emulators = $script:ExoEmulators
        $module.OnRemove = {
            & $stopAll $emulators
            Unregister-Event -SubscriptionId $subscriber.Id -ErrorAction SilentlyContinue
            Remove-Job -Id $subscriber.Id -Force -ErrorAction SilentlyContinue
        }.GetNewClosure()
    }
}
