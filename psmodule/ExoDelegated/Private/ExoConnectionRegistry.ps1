# The module-scoped registry of open connections (one per name, $script:ExoConnections) and the
# current one ($script:ExoCurrentConnection), both set up by ExoDelegated.psm1. Each runspace that
# imports the module has its own registry; connection objects themselves (and the native library
# behind them) are shared by the whole process, so a connection made in one runspace can be passed
# to another ($using:). Connect-ExoDelegated registers through the interop (ConnectOperation).

function Unregister-ExoConnection {
    param([Parameter(Mandatory)][ExoDelegated.Connection] $Connection)
    $registered = $script:ExoConnections[$Connection.Name]
    if ([object]::ReferenceEquals($registered, $Connection)) { $script:ExoConnections.Remove($Connection.Name) }
    if ([object]::ReferenceEquals($script:ExoCurrentConnection, $Connection)) {
        # The most recently opened remaining connection becomes current.
        $script:ExoCurrentConnection = $null
        foreach ($c in $script:ExoConnections.Values) { $script:ExoCurrentConnection = $c }
    }
}

function Get-ExoRegisteredConnection {
    , @($script:ExoConnections.Values)
}

function Resolve-ExoConnection {
    # The connection a command uses: -Connection, else the connection the piped
    # record came from, else the current one. Terminates the command when there is none.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [AllowNull()][ExoDelegated.Connection] $Connection,
        [AllowNull()][object] $InputObject
    )
    $resolved = $Connection
    if ($null -eq $resolved -and $null -ne $InputObject) {
        $resolved = [ExoDelegated.Interop.RecordOrigin]::Get($InputObject)
    }
    if ($null -eq $resolved) { $resolved = $script:ExoCurrentConnection }
    if ($null -eq $resolved) {
        $Cmdlet.ThrowTerminatingError([ExoDelegated.Interop.ErrorMapper]::Create(
                'NotConnected', 'There is no ExoDelegated connection.', 'ConnectionError', $null,
                'Run Connect-ExoDelegated first, or pass -Connection.'))
    }
    if ($resolved.State -ne 'Connected') {
        $Cmdlet.ThrowTerminatingError([ExoDelegated.Interop.ErrorMapper]::Create(
                'Disconnected', "The connection '$($resolved.Name)' is disconnected.", 'ConnectionError', $resolved.Name,
                'Connect again with Connect-ExoDelegated.'))
    }
    $resolved
}
