# The module-scoped registry of open connections (one per name) and the current one.
# Each runspace that imports the module has its own registry; connection objects
# themselves (and the native library behind them) are shared by the whole process,
# so a connection made in one runspace can be passed to another ($using:).

function Initialize-ExoConnectionRegistry {
    $script:ExoConnections = [System.Collections.Specialized.OrderedDictionary]::new([System.StringComparer]::OrdinalIgnoreCase)
    $script:ExoCurrentConnection = $null
}

function Register-ExoConnection {
    # Adds a connection and makes it the current one. A connection already open
    # under the same name is disconnected and replaced, with a warning (a runbook that
    # reconnects in a loop keeps working; one that reuses a name by mistake is told).
    param([Parameter(Mandatory)][ExoDelegated.Connection] $Connection, [System.Management.Automation.PSCmdlet] $Cmdlet)
    $previous = $script:ExoConnections[$Connection.Name]
    if ($null -ne $previous -and -not [object]::ReferenceEquals($previous, $Connection)) {
        if ($Cmdlet) {
            $Cmdlet.WriteWarning(("A connection named '{0}' (tenant {1}) was already open: it has been closed and replaced by the new one (tenant {2}). Use -Name to keep several connections open." -f
                    $Connection.Name, $previous.TenantId, $Connection.TenantId))
        }
        $previous.Disconnect()
        $script:ExoConnections.Remove($Connection.Name)
    }
    $script:ExoConnections[$Connection.Name] = $Connection
    $script:ExoCurrentConnection = $Connection
}

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

function Set-ExoTenantDomain {
    # A connection made by GUID learns its tenant's domain from Exchange: the default accepted
    # domain (Get-AcceptedDomain; the token carries only the tenant GUID), looked up by the
    # interop (TenantDomainLookup). Best effort: a failure (no permission to read accepted
    # domains) only leaves TenantDomain empty.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Connection] $Connection
    )
    $call = [ExoDelegated.Interop.TenantDomainLookup]::TryFind($Connection.Handle, $Cmdlet)
    if ($call.Failed) { $Cmdlet.WriteVerbose("The tenant's domain is unknown: $($call.Error.Message)"); return }
    if ($call.Value) {
        $Connection.SetTenantDomain($call.Value)
        $Cmdlet.WriteVerbose("Tenant $($Connection.TenantId) is $($call.Value) (its default accepted domain).")
    }
}
