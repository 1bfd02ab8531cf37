function Connect-ExoPipedOrDeviceCode {
    # Connect-ExoDelegated's rarer ways (the interop's ConnectOperation.Connect does the ordinary
    # one): a tenant from the pipeline, connected through -Queue (RefreshToken and AppSecret; the
    # connections come out in order, a tenant's failure is a non-terminating error naming it),
    # and device code sign-in. Outputs the connections.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [AllowNull()][ExoDelegated.Interop.ConnectQueue] $Queue,
        [Parameter(Mandatory)][string] $TenantId,
        [string] $DefaultDomainName,
        [string] $Name,
        [string] $AuthorityHost,
        [string] $ExchangeHost,
        [securestring] $RefreshToken,
        [securestring] $ClientSecret,
        [securestring] $AccessToken
    )
    $perTenant = $Cmdlet.MyInvocation.ExpectingInput
    $credential = [ExoDelegated.Interop.ConnectOperation]::Credential($Cmdlet)
    $optionsJson = [ExoDelegated.Interop.ConnectOperation]::Options($Cmdlet, $TenantId, $AuthorityHost, $ExchangeHost)

    $handle = $null
    $connectionName = if ($Name -and -not $perTenant) { $Name } else { $TenantId }
    if ($perTenant -and $credential -in 'RefreshToken', 'AppSecret') {
        $Queue.Start($optionsJson, $RefreshToken, $ClientSecret, @{ TenantId = $TenantId; Domain = $DefaultDomainName })
        while ($null -ne ($done = $Queue.TakeNext(0))) { Complete-ExoQueuedConnect -Cmdlet $Cmdlet -Pending $done }
        return
    }
    if ($credential -eq 'DeviceCode') {
        $call = [ExoDelegated.Interop.Bridge]::TryStartDeviceCode($optionsJson)
        if ($call.Failed) { Write-ExoFailure -Cmdlet $Cmdlet -Exception $call.Error -Target $TenantId -Terminating }
        $flow = $call.Value
        try {
            $prompt = [ExoDelegated.Interop.Bridge]::DeviceCodeMessageJson($flow) | ConvertFrom-Json
            $text = if ($prompt.PSObject.Properties['message'] -and $prompt.message) { $prompt.message }
                    else {
                        $uri = $prompt.PSObject.Properties['verification_uri']?.Value
                        $code = $prompt.PSObject.Properties['user_code']?.Value
                        "To sign in, open $uri and enter the code $code to authenticate."
                    }
            Write-Host $text
            # Short waits, so that Ctrl+C is honoured within a quarter second.
            while ($null -eq $handle) {
                $call = [ExoDelegated.Interop.Bridge]::TryWaitDeviceCode($flow, 250)
                if ($call.Failed) { Write-ExoFailure -Cmdlet $Cmdlet -Exception $call.Error -Target $TenantId -Terminating }
                $handle = $call.Value
            }
        }
        finally {
            if ($null -eq $handle) { [ExoDelegated.Interop.Bridge]::CancelDeviceCode($flow) }
            $flow.Dispose()
        }
    }
    else {
        # A piped tenant with an access token (the queue takes refresh tokens and app secrets; a
        # tenant given by parameters is ConnectOperation.Connect's): its failure names the tenant.
        $call = [ExoDelegated.Interop.Bridge]::TryConnect($optionsJson, $RefreshToken, $ClientSecret, $AccessToken)
        if ($call.Failed) { Write-ExoTenantConnectFailure -Cmdlet $Cmdlet -Exception $call.Error -TenantId $TenantId -Domain $DefaultDomainName; return }
        $handle = $call.Value
    }

    Complete-ExoConnect -Cmdlet $Cmdlet -Handle $handle -Name $connectionName -DefaultDomainName $DefaultDomainName
}

function Complete-ExoConnectQueue {
    # The end of Connect-ExoDelegated fed by the pipeline: the queued connects still running,
    # output in order; those not taken (Ctrl+C) are closed.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Interop.ConnectQueue] $Queue
    )
    try {
        # Short waits, so that Ctrl+C is honoured within a quarter second.
        while ($Queue.Count -gt 0) {
            $done = $Queue.TakeNext(250)
            if ($null -ne $done) { Complete-ExoQueuedConnect -Cmdlet $Cmdlet -Pending $done }
        }
    }
    finally { $Queue.Abandon() }
}

function Complete-ExoConnect {
    # After a successful exo_connect: the connection object, its tenant's domain (given, or
    # looked up for a connection made by GUID) and registration under its name (by the interop),
    # then as the current connection; output.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Interop.ConnectionHandle] $Handle,
        [Parameter(Mandatory)][string] $Name,
        [string] $DefaultDomainName
    )
    $connection = [ExoDelegated.Interop.ConnectOperation]::Complete($Cmdlet, $Handle, $Name, $DefaultDomainName, $script:ExoConnections)
    $script:ExoCurrentConnection = $connection
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
