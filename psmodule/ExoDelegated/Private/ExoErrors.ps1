function Write-ExoFailure {
    # Reports a failed native call on behalf of the public command (ErrorMapper.Report: per-item
    # failures as non-terminating errors, fatal ones or -Terminating as terminating errors).
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Interop.ExoNativeException] $Exception,
        [AllowNull()][object] $Target,
        [switch] $Terminating
    )
    [ExoDelegated.Interop.ErrorMapper]::Report($Cmdlet, $Exception, $Target, $Terminating.IsPresent)
}

function Write-ExoTenantConnectFailure {
    # One customer of many could not be connected (Connect-ExoDelegated fed by the pipeline): a
    # non-terminating error whose message starts with the tenant, so a run over all customers
    # goes on, whatever the failure (the error's Scope says whether it concerns the partner's
    # credential, which then fails for every tenant, or this tenant only).
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Interop.ExoNativeException] $Exception,
        [Parameter(Mandatory)][string] $TenantId,
        [string] $Domain
    )
    if ($Exception.Code -eq [ExoDelegated.Interop.ResultCode]::Cancelled -and $Cmdlet.Stopping) {
        throw [System.Management.Automation.PipelineStoppedException]::new()
    }
    $record = [ExoDelegated.Interop.ErrorMapper]::ToErrorRecord($Exception, $TenantId)
    $label = if ($Domain -and $Domain -ne $TenantId) { "$TenantId ($Domain)" } else { $TenantId }
    $details = [System.Management.Automation.ErrorDetails]::new("Tenant ${label}: $([ExoDelegated.Interop.ErrorMapper]::DetailMessage($Exception))")
    if ($Exception.RecommendedAction) { $details.RecommendedAction = $Exception.RecommendedAction }
    $record.ErrorDetails = $details
    $Cmdlet.WriteError($record)
}
