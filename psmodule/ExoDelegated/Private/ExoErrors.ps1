function Write-ExoFailure {
    # Reports a failed native call on behalf of the public command: per-item failures (not
    # found, throttled beyond retries, ...) as non-terminating errors, failures that would
    # repeat for every item (the native library marks them fatal: authentication, closed
    # connection, invalid arguments) as terminating errors. -ErrorAction behaves as usual.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Interop.ExoNativeException] $Exception,
        [AllowNull()][object] $Target,
        [switch] $Terminating
    )
    if ($Exception.Code -eq [ExoDelegated.Interop.ResultCode]::Cancelled -and $Cmdlet.Stopping) {
        # Cancelled because the user pressed Ctrl+C: the pipeline is stopping anyway.
        throw [System.Management.Automation.PipelineStoppedException]::new()
    }
    $record = [ExoDelegated.Interop.ErrorMapper]::ToErrorRecord($Exception, $Target)
    if ($Terminating -or $Exception.Fatal) {
        $Cmdlet.ThrowTerminatingError($record)
    }
    $Cmdlet.WriteError($record)
}
