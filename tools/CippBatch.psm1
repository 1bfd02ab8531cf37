# The benchmark's second baseline: how CIPP's New-ExoBulkRequest runs many cmdlets of one
# tenant: $batch requests of up to 10 InvokeCommand sub-requests, sent one at a time with
# Invoke-RestMethod, answers matched by id. A sub-request's @odata.nextLink is sent again in a
# later batch; a 429 on a sub-request is retried once after its Retry-After. Not tuned down:
# what a good hand-written bulk runbook does (it has no concurrency: one batch in flight).
Set-StrictMode -Version 3.0

function Invoke-CippStyleBulkRequest {
    <# Runs the invocations (@{ Cmdlet; Parameters; Select }) in $batch requests of -BatchSize,
       one at a time. Returns one object per invocation, in input order: @{ Value = records; Error = $null|error }. #>
    param(
        [Parameter(Mandatory)][string] $ExchangeHost,
        [Parameter(Mandatory)][string] $TenantId,
        [Parameter(Mandatory)][string] $AccessToken,
        [Parameter(Mandatory)][object[]] $Invocations,
        [int] $BatchSize = 10,
        [int] $PageSize = 1000
    )
    $base = "$($ExchangeHost.TrimEnd('/'))/adminapi/beta/$TenantId"
    $results = foreach ($inv in $Invocations) { @{ Value = [System.Collections.Generic.List[object]]::new(); Error = $null } }
    $results = @($results)
    # Work items: index into $Invocations and the URL to send (first page or a nextLink).
    $queue = [System.Collections.Generic.Queue[object]]::new()
    for ($i = 0; $i -lt $Invocations.Count; $i++) {
        $uri = "$base/InvokeCommand"
        if ($Invocations[$i].Select) { $uri += '?$select=' + ($Invocations[$i].Select -join ',') }
        $queue.Enqueue(@{ Index = $i; Url = $uri; Retried = $false })
    }
    $headers = @{
        Authorization     = "Bearer $AccessToken"
        'X-AnchorMailbox' = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@$TenantId"
        Prefer            = 'odata.continue-on-error'
    }
    while ($queue.Count -gt 0) {
        $work = [System.Collections.Generic.List[object]]::new()
        while ($queue.Count -gt 0 -and $work.Count -lt $BatchSize) { $work.Add($queue.Dequeue()) }
        $requests = for ($n = 0; $n -lt $work.Count; $n++) {
            $inv = $Invocations[$work[$n].Index]
            @{
                id      = "$n"
                method  = 'POST'
                url     = $work[$n].Url
                headers = @{ 'X-CmdletName' = $inv.Cmdlet; Prefer = "odata.maxpagesize=$PageSize"; 'Content-Type' = 'application/json' }
                body    = @{ CmdletInput = @{ CmdletName = $inv.Cmdlet; Parameters = $inv.Parameters } }
            }
        }
        $body = @{ requests = @($requests) } | ConvertTo-Json -Depth 12 -Compress
        $answer = Invoke-RestMethod -Method Post -Uri "$base/`$batch" -Headers $headers -Body $body -ContentType 'application/json'
        $wait = 0
        foreach ($sub in $answer.responses) {
            $item = $work[[int]$sub.id]
            $r = $results[$item.Index]
            if ($sub.status -ge 200 -and $sub.status -lt 300) {
                foreach ($v in $sub.body.value) { $r.Value.Add($v) }
                if ($sub.body.PSObject.Properties['@odata.nextLink']) { $queue.Enqueue(@{ Index = $item.Index; Url = $sub.body.'@odata.nextLink'; Retried = $false }) }
            }
            elseif ($sub.status -eq 429 -and -not $item.Retried) {
                $item.Retried = $true
                $wait = [Math]::Max($wait, 1)
                $queue.Enqueue($item)
            }
            else { $r.Error = $sub.body }
        }
        if ($wait) { Start-Sleep -Seconds $wait }
    }
    $results
}

function Invoke-CippStyleCalendarJob {
    <# The forum job the CIPP way: each mailbox's calendar folder (Get-MailboxFolderStatistics
       -FolderScope Calendar), then its permissions, both in batches of 10, one batch at a time.
       Emits one row per permission entry with Mailbox. #>
    param(
        [Parameter(Mandatory)][string] $ExchangeHost,
        [Parameter(Mandatory)][string] $TenantId,
        [Parameter(Mandatory)][string] $AccessToken,
        [Parameter(Mandatory)][string[]] $Mailboxes
    )
    $common = @{ ExchangeHost = $ExchangeHost; TenantId = $TenantId; AccessToken = $AccessToken }
    $lookups = foreach ($m in $Mailboxes) { @{ Cmdlet = 'Get-MailboxFolderStatistics'; Parameters = @{ Identity = $m; FolderScope = 'Calendar' }; Select = 'Name', 'FolderType' } }
    $folders = Invoke-CippStyleBulkRequest @common -Invocations @($lookups)
    $reads = [System.Collections.Generic.List[object]]::new()
    $owners = [System.Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt $Mailboxes.Count; $i++) {
        $calendar = $folders[$i].Value | Where-Object FolderType -eq 'Calendar' | Select-Object -First 1
        if (-not $calendar) { continue }
        $reads.Add(@{ Cmdlet = 'Get-MailboxFolderPermission'; Parameters = @{ Identity = "$($Mailboxes[$i]):\$($calendar.Name)" } })
        $owners.Add($Mailboxes[$i])
    }
    $perms = Invoke-CippStyleBulkRequest @common -Invocations $reads.ToArray()
    for ($i = 0; $i -lt $owners.Count; $i++) {
        foreach ($p in $perms[$i].Value) { $p | Add-Member -NotePropertyName Mailbox -NotePropertyValue $owners[$i] -Force -PassThru }
    }
}

Export-ModuleMember -Function Invoke-CippStyleBulkRequest, Invoke-CippStyleCalendarJob
