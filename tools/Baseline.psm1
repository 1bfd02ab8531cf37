# The benchmark baseline: what a careful MSP engineer writes without ExoDelegated
# (the way CIPP-style scripts call InvokeCommand). Plain Invoke-RestMethod, same
# headers as the module, follows @odata.nextLink, retries 429/503 honouring
# Retry-After, and emits PowerShell objects. Not tuned down: it is what a good
# hand-written runbook does.
Set-StrictMode -Version 3.0

function Invoke-BaselineRequest {
    param([string] $Uri, [hashtable] $Headers, [string] $Body, [string] $ContentType, [int] $MaxRetries = 5)
    for ($attempt = 0; ; $attempt++) {
        try {
            return Invoke-RestMethod -Method Post -Uri $Uri -Headers $Headers -Body $Body -ContentType $ContentType
        }
        catch {
            $response = $_.Exception.Response
            $status = if ($response) { [int]$response.StatusCode } else { 0 }
            if ($attempt -ge $MaxRetries -or $status -notin 429, 503, 504) { throw }
            $wait = 1
            if ($response -and $response.Headers.RetryAfter -and $response.Headers.RetryAfter.Delta) {
                $wait = [Math]::Min(60, [int]$response.Headers.RetryAfter.Delta.Value.TotalSeconds)
            }
            Start-Sleep -Seconds ([Math]::Max(1, $wait))
        }
    }
}

function Get-BaselineToken {
    <# Redeem the partner refresh token for an Exchange token in a customer tenant. #>
    param(
        [Parameter(Mandatory)][string] $AuthorityHost,
        [Parameter(Mandatory)][string] $TenantId,
        [Parameter(Mandatory)][string] $ApplicationId,
        [Parameter(Mandatory)][string] $ClientSecret,
        [Parameter(Mandatory)][string] $RefreshToken,
        [Parameter(Mandatory)][string] $ExchangeHost
    )
    $body = @{
        grant_type    = 'refresh_token'
        client_id     = $ApplicationId
        client_secret = $ClientSecret
        refresh_token = $RefreshToken
        scope         = "$($ExchangeHost.TrimEnd('/'))/.default"
    }
    $form = ($body.GetEnumerator() | ForEach-Object { '{0}={1}' -f $_.Key, [uri]::EscapeDataString($_.Value) }) -join '&'
    Invoke-BaselineRequest -Uri "$($AuthorityHost.TrimEnd('/'))/$TenantId/oauth2/v2.0/token" -Headers @{} -Body $form -ContentType 'application/x-www-form-urlencoded'
}

function Invoke-BaselineExoCommand {
    <# Run one Exchange cmdlet through InvokeCommand, following every nextLink, emitting objects. #>
    param(
        [Parameter(Mandatory)][string] $ExchangeHost,
        [Parameter(Mandatory)][string] $TenantId,
        [Parameter(Mandatory)][string] $AccessToken,
        [Parameter(Mandatory)][string] $Cmdlet,
        [hashtable] $Parameters = @{},
        [string[]] $Select,
        [int] $PageSize = 1000
    )
    $uri = "$($ExchangeHost.TrimEnd('/'))/adminapi/beta/$TenantId/InvokeCommand"
    if ($Select) { $uri += '?$select=' + ($Select -join ',') }
    $body = @{ CmdletInput = @{ CmdletName = $Cmdlet; Parameters = $Parameters } } | ConvertTo-Json -Depth 10 -Compress
    while ($uri) {
        $headers = @{
            Authorization          = "Bearer $AccessToken"
            'X-AnchorMailbox'      = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@$TenantId"
            'X-CmdletName'         = $Cmdlet
            'X-ResponseFormat'     = 'json'
            'X-ClientApplication'  = 'Baseline'
            'X-SerializationLevel' = 'Partial'
            'client-request-id'    = [guid]::NewGuid().ToString()
            Prefer                 = "odata.maxpagesize=$PageSize"
            Accept                 = 'application/json; odata.metadata=minimal'
        }
        $page = Invoke-BaselineRequest -Uri $uri -Headers $headers -Body $body -ContentType 'application/json'
        $page.value
        $uri = if ($page.PSObject.Properties['@odata.nextLink']) { $page.'@odata.nextLink' } else { $null }
    }
}

Export-ModuleMember -Function Get-BaselineToken, Invoke-BaselineExoCommand
