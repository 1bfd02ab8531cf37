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
