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
