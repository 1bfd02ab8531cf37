function Complete-ExoConnect {
    # After a successful exo_connect: the connection object, its tenant's domain (given, or
    # looked up for a connection made by GUID), registration as the current connection, output.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Interop.ConnectionHandle] $Handle,
        [Parameter(Mandatory)][string] $Name,
        [string] $DefaultDomainName
    )
    $connection = [ExoDelegated.Connection]::new($Handle, $Name)
    if (-not $connection.TenantDomain -and $DefaultDomainName) { $connection.SetTenantDomain($DefaultDomainName) }
    if (-not $connection.TenantDomain) { Set-ExoTenantDomain -Cmdlet $Cmdlet -Connection $connection }
    Register-ExoConnection -Connection $connection -Cmdlet $Cmdlet
    $who = if ($connection.User) { $connection.User } else { "application $($connection.ApplicationId)" }
    $Cmdlet.WriteVerbose("Connected to tenant '$($connection.TenantId)' as $who; token valid until $($connection.TokenExpiresUtc) UTC.")
    $connection
}

function Complete-ExoQueuedConnect {
    # One finished connect of Connect-ExoDelegated's pipeline queue: the connection, or an
    # error naming the tenant (terminating only when the partner's credential itself failed).
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Interop.PendingConnect] $Pending
    )
    $tenant = $Pending.State.TenantId
    $call = $Pending.Result
    if ($call.Failed) {
        Write-ExoTenantConnectFailure -Cmdlet $Cmdlet -Exception $call.Error -TenantId $tenant -Domain $Pending.State.Domain
        return
    }
    Complete-ExoConnect -Cmdlet $Cmdlet -Handle $call.Value -Name $tenant -DefaultDomainName $Pending.State.Domain
}
