function Invoke-ExoFanout {
    # Runs one Exchange cmdlet in many tenants at once through the native fan-out (exo_fanout):
    # -ThrottleLimit tenants at a time, each within its own request window, in this runspace
    # (no module re-import). Records stream as their pages arrive, tagged with their tenant
    # (ExoTenant) and connection (so they pipe on into the right tenant). A tenant that fails
    # is one non-terminating ErrorRecord naming the tenant, and the others go on. Progress:
    # tenants done of total. Ctrl+C: the short waits below let PowerShell stop the pipeline,
    # and the finally block cancels every tenant's work.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Connection[]] $Connection,
        [Parameter(Mandatory)][string] $CmdletName,
        [System.Collections.IDictionary] $Parameters,
        [string[]] $Select,
        [string] $TypeName,
        # Most records per tenant; 0 = all.
        [long] $ResultSize = 0,
        [string] $AnchorMailbox,
        [int] $ThrottleLimit = 16
    )
    $pageSize = 0
    if ($ResultSize -gt 0 -and $ResultSize -lt 1000) { $pageSize = [int]$ResultSize }
    $call = [ExoDelegated.Interop.Bridge]::TryBuildRequest($CmdletName, $Parameters, $Select, $pageSize, $AnchorMailbox)
    if ($call.Failed) { Write-ExoFailure -Cmdlet $Cmdlet -Exception $call.Error -Target $CmdletName; return }
    $request = $call.Value
    $total = $Connection.Count
    $Cmdlet.WriteVerbose("$CmdletName in $total tenants, $ThrottleLimit at once.")

    $call = [ExoDelegated.Interop.Fanout]::TryStart($Connection, $request, $ThrottleLimit)
    if ($call.Failed) { Write-ExoFailure -Cmdlet $Cmdlet -Exception $call.Error -Target $CmdletName; return }
    $fanout = $call.Value

    $emitted = [long[]]::new($total)
    $done = 0
    $failed = 0
    $progressId = ++$script:ExoProgressId
    $activity = "$CmdletName in $total tenants"
    $sinceProgress = [System.Diagnostics.Stopwatch]::StartNew()
    try {
        while ($true) {
            $call = [ExoDelegated.Interop.Fanout]::TryNext($fanout, 250, $TypeName, $Connection)
            if ($call.Failed) { Write-ExoFailure -Cmdlet $Cmdlet -Exception $call.Error -Target $CmdletName; return }
            $item = $call.Value
            if ($null -eq $item) { continue }
            if ($item.Finished) { break }
            $c = $item.Connection
            if ($null -ne $item.Error) {
                $done++
                $failed++
                if ($item.Error.Code -eq [ExoDelegated.Interop.ResultCode]::Cancelled -and $Cmdlet.Stopping) {
                    throw [System.Management.Automation.PipelineStoppedException]::new()
                }
                # Never terminating: whatever one tenant's failure is, the others go on.
                $Cmdlet.WriteError([ExoDelegated.Interop.ErrorMapper]::ToErrorRecord($item.Error, $c.TenantId))
            }
            else {
                $page = $item.Page
                foreach ($retry in $page.Retries) {
                    $Cmdlet.WriteVerbose(("{0} in tenant {1}: retry {2} after {3}, waited {4} ms (request id {5})" -f
                            $CmdletName, $c.TenantId, $retry.Attempt, $retry.Reason, $retry.WaitMs, $retry.RequestId))
                }
                foreach ($warning in $page.Warnings) { $Cmdlet.WriteWarning("Tenant $($c.TenantId): $warning") }
                $records = $page.Records
                $i = $item.Index
                if ($ResultSize -gt 0 -and $emitted[$i] + $records.Count -gt $ResultSize) {
                    $take = [int]($ResultSize - $emitted[$i])
                    $records = if ($take -le 0) { @() } else { $records[0..($take - 1)] }
                }
                $emitted[$i] += $records.Count
                if ($records.Count) { $Cmdlet.WriteObject($records, $true) }
                if (-not $page.More) { $done++ }
            }
            # At most every 200 ms: a progress record per page would cost more than the page.
            if ($sinceProgress.ElapsedMilliseconds -ge 200) {
                $sinceProgress.Restart()
                $progress = [System.Management.Automation.ProgressRecord]::new($progressId, $activity,
                    ('{0} of {1} tenants done{2}' -f $done, $total, $(if ($failed) { ", $failed failed" } else { '' })))
                $progress.PercentComplete = [int](100 * $done / $total)
                $Cmdlet.WriteProgress($progress)
            }
        }
        $Cmdlet.WriteVerbose(("{0}: {1} tenants done, {2} failed, {3} object(s)." -f $CmdletName, $done, $failed, ($emitted | Measure-Object -Sum).Sum))
    }
    finally {
        $complete = [System.Management.Automation.ProgressRecord]::new($progressId, $activity, 'Done')
        $complete.RecordType = 'Completed'
        try { $Cmdlet.WriteProgress($complete) } catch { $null = $_ }
        [ExoDelegated.Interop.Fanout]::Cancel($fanout)
        $fanout.Dispose()
    }
}

function Invoke-ExoTenantCommand {
    # The commands' one call for a read over one or several connections: one connection goes
    # through Invoke-ExoPaged as before, several through the native fan-out.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Connection[]] $Connection,
        [Parameter(Mandatory)][string] $CmdletName,
        [System.Collections.IDictionary] $Parameters,
        [string[]] $Select,
        [string] $TypeName,
        [long] $ResultSize = 0,
        [AllowNull()][object] $Target,
        [string] $AnchorMailbox,
        [int] $ThrottleLimit = 16,
        [switch] $DryRun
    )
    if ($Connection.Count -eq 1) {
        Invoke-ExoPaged -Cmdlet $Cmdlet -Connection $Connection[0] -CmdletName $CmdletName -Parameters $Parameters -Select $Select `
            -TypeName $TypeName -ResultSize $ResultSize -Target $Target -AnchorMailbox $AnchorMailbox -DryRun:$DryRun
        return
    }
    Invoke-ExoFanout -Cmdlet $Cmdlet -Connection $Connection -CmdletName $CmdletName -Parameters $Parameters -Select $Select `
        -TypeName $TypeName -ResultSize $ResultSize -AnchorMailbox $AnchorMailbox -ThrottleLimit $ThrottleLimit
}

function Resolve-ExoConnectionSet {
    # -Connection with one or several connections (each must be open), else as
    # Resolve-ExoConnection (the piped record's connection, else the current one).
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [AllowNull()][ExoDelegated.Connection[]] $Connection,
        [AllowNull()][object] $InputObject
    )
    if ($null -eq $Connection -or $Connection.Count -le 1) {
        $one = if ($Connection) { $Connection[0] } else { $null }
        return , [ExoDelegated.Connection[]]@(Resolve-ExoConnection -Cmdlet $Cmdlet -Connection $one -InputObject $InputObject)
    }
    foreach ($c in $Connection) { $null = Resolve-ExoConnection -Cmdlet $Cmdlet -Connection $c }
    , $Connection
}

function Add-ExoPipedConnection {
    # Connections piped into a listing command (Connect-ExoDelegated ... | Get-EXOMailbox) are
    # collected, to be fanned out together in the end block; $true when $InputObject was one.
    param([AllowNull()][object] $InputObject, [Parameter(Mandatory)][AllowEmptyCollection()][System.Collections.Generic.List[ExoDelegated.Connection]] $Into)
    $value = if ($InputObject -is [psobject]) { $InputObject.PSObject.BaseObject } else { $InputObject }
    if ($value -is [ExoDelegated.Connection]) { $Into.Add($value); return $true }
    $false
}

function Invoke-ExoForPipedConnection {
    # End block of a listing command that was given connections through the pipeline: runs the
    # command once more over all of them (and any given with -Connection), with the parameters
    # given on the command line ($BoundParameters as the begin block saw them).
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][AllowEmptyCollection()][System.Collections.IDictionary] $BoundParameters,
        [Parameter(Mandatory)][AllowEmptyCollection()][System.Collections.Generic.List[ExoDelegated.Connection]] $Connections
    )
    if ($Connections.Count -eq 0) { return }
    $splat = @{}
    foreach ($key in $BoundParameters.Keys) { $splat[$key] = $BoundParameters[$key] }
    $given = if ($splat.ContainsKey('Connection')) { @($splat.Connection) } else { @() }
    $splat.Connection = [ExoDelegated.Connection[]]@($given + $Connections.ToArray() | Select-Object -Unique)
    & $Cmdlet.MyInvocation.MyCommand @splat
}
