# The one place where the per-mailbox commands batch their requests (-BatchSize, -ThrottleLimit).
# A command makes a queue in begin, adds one invocation per piped item in process and completes
# the queue in end. The queue holds up to BatchSize x ThrottleLimit invocations; when full (and
# at the end) it sends them through $batch (exo_batch: at most BatchSize sub-requests per batch,
# ThrottleLimit batches in flight) and writes each invocation's records, warnings and error in
# input order: results stream one window at a time. -BatchSize 1 and a lone invocation take the
# single-request path (Invoke-ExoPaged) exactly as before.
# Calendar commands first need each mailbox's default calendar (Resolve-ExoCalendarFolder): the
# queue resolves them in one batched round of Get-MailboxFolderStatistics, then sends the real
# cmdlet; writes ask ShouldProcess per invocation once the folder is known.
# Reads are pipelined: a window's requests run in the background (BatchRun) while the pipeline
# fills the next window, which is sent before the previous one's results are written, so the
# connection's request window stays full. Windows with writes are finished before the command
# goes on. With -ThrottleLimit below the connection's window, one window at a time.

function New-ExoBatchQueue {
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [ValidateRange(1, 10)][int] $BatchSize = 10,
        # Batches in flight; 0 = the connection's request window (Connect-ExoDelegated -ThrottleLimit).
        [int] $ThrottleLimit = 0,
        # Write-Progress activity ("<n> mailbox(es) done"); none when empty.
        [string] $Activity
    )
    @{
        Cmdlet        = $Cmdlet
        BatchSize     = $BatchSize
        ThrottleLimit = $ThrottleLimit
        Items         = [System.Collections.Generic.List[hashtable]]::new()
        # The window whose requests are in flight (reads), written when the next one is sent.
        Pending       = $null
        # Whether a window may be in flight while the next one is sent (set per invocation).
        Overlap       = $false
        Progress      = if ($Activity) { Start-ExoItemProgress -Cmdlet $Cmdlet -Activity $Activity } else { $null }
    }
}

function Add-ExoBatchItem {
    # One invocation (what Invoke-ExoPaged takes, plus the calendar and confirmation steps).
    param(
        [Parameter(Mandatory, Position = 0)][hashtable] $Queue,
        [Parameter(Mandatory)][ExoDelegated.Connection] $Connection,
        [Parameter(Mandatory)][string] $CmdletName,
        [System.Collections.IDictionary] $Parameters,
        [string[]] $Select,
        [string] $TypeName,
        [long] $ResultSize = 0,
        [AllowNull()][object] $Target,
        [string] $AnchorMailbox,
        [System.Collections.IDictionary] $AddProperty,
        # Send the cmdlet to this mailbox's default calendar folder (Identity = '<mailbox>:\<name>',
        # the records get Mailbox = <mailbox>).
        [string] $CalendarOf,
        # A write: ShouldProcess("<folder or target> (tenant …)", $ShouldProcessAction) per invocation.
        [string] $ShouldProcessAction,
        # Send with Exchange's own WhatIf (a dry run it checks); no ShouldProcess then.
        [switch] $DryRun,
        # Shown in the progress record.
        [AllowNull()][object] $Label
    )
    if ($CalendarOf -and $null -eq $Target) { $Target = $CalendarOf }
    $item = @{
        Connection = $Connection; CmdletName = $CmdletName; Parameters = $Parameters; Select = $Select; TypeName = $TypeName
        ResultSize = $ResultSize; Target = $Target; AnchorMailbox = $AnchorMailbox; AddProperty = $AddProperty
        CalendarOf = $CalendarOf; ShouldProcessAction = $ShouldProcessAction; DryRun = [bool]$DryRun
        Result = $null; Failure = $null; Skipped = $false
        Label = $(if ($null -ne $Label) { $Label } elseif ($null -ne $Target) { $Target } else { $Connection.Name })
    }
    if ($Queue.BatchSize -le 1) { Invoke-ExoBatchItemAlone $Queue $item; return }
    $Queue.Items.Add($item)
    $window = if ($Queue.ThrottleLimit -gt 0) { $Queue.ThrottleLimit } elseif ($Connection.ThrottleLimit -gt 0) { $Connection.ThrottleLimit } else { 4 }
    $Queue.Overlap = $Queue.ThrottleLimit -le 0 -or $Queue.ThrottleLimit -ge $Connection.ThrottleLimit
    if ($Queue.Items.Count -ge $Queue.BatchSize * $window) { Send-ExoBatchQueue $Queue }
}

function Complete-ExoBatchQueue {
    param([Parameter(Mandatory, Position = 0)][AllowNull()][hashtable] $Queue)
    if ($null -eq $Queue) { return }
    Send-ExoBatchQueue $Queue -Final
    Complete-ExoItemProgress $Queue.Progress
}

function Send-ExoBatchQueue {
    # Sends the buffered invocations as a new window, then writes the previous window's results;
    # -Final (end of the command) also writes this one's.
    param([Parameter(Mandatory, Position = 0)][hashtable] $Queue, [switch] $Final)
    $items = $Queue.Items
    $Queue.Items = [System.Collections.Generic.List[hashtable]]::new()
    $previous = $Queue.Pending
    $Queue.Pending = $null
    if ($items.Count -le 1) {
        if ($previous) { Complete-ExoBatchWindow $Queue $previous }
        if ($items.Count -eq 1) { Invoke-ExoBatchItemAlone $Queue $items[0] }
        return
    }
    $window = @{ Items = $items; Phase = 'new'; Runs = $null; Lookups = $null; Writes = $false }
    # Get/Test cmdlets only read (Get-ExoReadVerb); anything else is a write.
    foreach ($item in $items) { if ($item.ShouldProcessAction -or $item.DryRun -or -not (Get-ExoReadVerb $item.CmdletName)) { $window.Writes = $true; break } }
    Start-ExoBatchWindow $Queue $window
    if ($previous) { Complete-ExoBatchWindow $Queue $previous }
    if ($Final -or $window.Writes -or -not $Queue.Overlap) { Complete-ExoBatchWindow $Queue $window; return }
    # Ready its last round, so that it runs while the pipeline fills the next window.
    Step-ExoBatchWindow $Queue $window
    $Queue.Pending = $window
}

function Start-ExoBatchWindow {
    # The window's first round: the default calendars (one batched round per connection), else the cmdlets.
    param([hashtable] $Queue, [hashtable] $Window)
    $lookups = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($item in $Window.Items) {
        if (-not $item.CalendarOf) { continue }
        if ($item.CalendarOf.Contains(':\')) { Set-ExoBatchFolder $item $item.CalendarOf; continue }
        $lookups.Add(@{
                Connection = $item.Connection; CmdletName = 'Get-MailboxFolderStatistics'; Target = $item.CalendarOf
                Parameters = [ordered]@{ Identity = $item.CalendarOf; FolderScope = 'Calendar' }; Select = [string[]]@('Name', 'FolderType', 'FolderPath')
                TypeName = $null; ResultSize = 0; AnchorMailbox = $null; Result = $null; Failure = $null; Owner = $item
            })
    }
    if ($lookups.Count -gt 0) {
        $Window.Lookups = $lookups
        $Window.Runs = Start-ExoBatchRound $Queue $lookups
        $Window.Phase = 'lookup'
    }
    else { Start-ExoBatchMain $Queue $Window }
}

function Step-ExoBatchWindow {
    # Lookups done: each mailbox's calendar folder (or its error), then the cmdlets.
    param([hashtable] $Queue, [hashtable] $Window)
    if ($Window.Phase -ne 'lookup') { return }
    $cmdlet = $Queue.Cmdlet
    Wait-ExoBatchRound $Queue $Window.Runs
    foreach ($lookup in $Window.Lookups) {
        $owner = $lookup.Owner
        if ($lookup.Failure) { $owner.Failure = $lookup.Failure; continue }
        foreach ($retry in $lookup.Result.Retries) {
            [ExoDelegated.Interop.Streams]::Verbose($cmdlet, ("Get-MailboxFolderStatistics: retry {0} after {1}, waited {2} ms (request id {3})" -f $retry.Attempt, $retry.Reason, $retry.WaitMs, $retry.RequestId))
        }
        if ($lookup.Result.Error) { $owner.Failure = $lookup.Result.Error; continue }
        $folder = Select-ExoCalendarFolder -Cmdlet $cmdlet -Mailbox $owner.CalendarOf -Folders $lookup.Result.Records
        if ($folder -is [System.Management.Automation.ErrorRecord]) { $owner.Failure = $folder } else { Set-ExoBatchFolder $owner $folder }
    }
    Start-ExoBatchMain $Queue $Window
}

function Start-ExoBatchMain {
    # Confirmation per write, then the cmdlets themselves.
    param([hashtable] $Queue, [hashtable] $Window)
    $cmdlet = $Queue.Cmdlet
    $send = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($item in $Window.Items) {
        if ($item.Failure) { continue }
        if ($item.ShouldProcessAction -and -not $item.DryRun -and
            -not $cmdlet.ShouldProcess("$($item.Target) (tenant $($item.Connection.TenantId))", $item.ShouldProcessAction)) {
            $item.Skipped = $true; continue
        }
        if ($item.DryRun) { $item.Parameters = Add-ExoWhatIf $item.Parameters }
        $send.Add($item)
    }
    $Window.Runs = if ($send.Count -gt 0) { Start-ExoBatchRound $Queue $send } else { @() }
    $Window.Phase = 'main'
}

function Complete-ExoBatchWindow {
    # Waits for the window's last round and writes every invocation's output in input order.
    param([hashtable] $Queue, [hashtable] $Window)
    Step-ExoBatchWindow $Queue $Window
    Wait-ExoBatchRound $Queue $Window.Runs
    $Window.Phase = 'done'
    $cmdlet = $Queue.Cmdlet
    foreach ($item in $Window.Items) {
        if ($item.Failure) { Write-ExoBatchFailure $cmdlet $item $item.Failure }
        elseif ($item.Result) { Write-ExoBatchResult $cmdlet $item }
    }
    if ($Queue.Progress) { Step-ExoItemProgress $Queue.Progress $Window.Items[-1].Label -Done $Window.Items.Count }
}

function Start-ExoBatchRound {
    # Starts the invocations through exo_batch in the background, one run per connection.
    # Returns the runs; Wait-ExoBatchRound sets .Result (an InvocationResult) on each invocation.
    # An invocation whose request cannot be built gets .Failure at once.
    param([hashtable] $Queue, [System.Collections.Generic.List[hashtable]] $Invocations)
    $cmdlet = $Queue.Cmdlet
    $byConnection = [ordered]@{}
    foreach ($inv in $Invocations) {
        $key = $inv.Connection.Id.ToString()
        if (-not $byConnection.Contains($key)) { $byConnection[$key] = [System.Collections.Generic.List[hashtable]]::new() }
        $byConnection[$key].Add($inv)
    }
    $runs = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($group in $byConnection.Values) {
        $connection = $group[0].Connection
        $ids = [System.Collections.Generic.List[string]]::new()
        $requests = [System.Collections.Generic.List[string]]::new()
        $types = [System.Collections.Generic.List[string]]::new()
        $sent = [System.Collections.Generic.List[hashtable]]::new()
        foreach ($inv in $group) {
            $pageSize = 0
            if ($inv.ResultSize -gt 0 -and $inv.ResultSize -lt $connection.PageSize) { $pageSize = [int]$inv.ResultSize }
            $call = [ExoDelegated.Interop.Bridge]::TryBuildRequest($inv.CmdletName, $inv.Parameters, $inv.Select, $pageSize, $inv.AnchorMailbox)
            if ($call.Failed) { $inv.Failure = $call.Error; continue }
            $ids.Add([string]$sent.Count); $requests.Add($call.Value); $types.Add($inv.TypeName); $sent.Add($inv)
        }
        if ($sent.Count -eq 0) { continue }
        $json = [ExoDelegated.Interop.BatchWriter]::Build($ids.ToArray(), $requests.ToArray(), $Queue.BatchSize)
        $cmdlet.WriteDebug("`$batch of $($sent.Count) invocation(s) ($($sent[0].CmdletName)) in tenant $($connection.TenantId), at most $($Queue.BatchSize) per batch")
        $call = [ExoDelegated.Interop.BatchRun]::TryStart($connection.Handle, $json, $types.ToArray(), $connection)
        if ($call.Failed) {
            # The run as a whole (the connection closed, a request the core refused): it would
            # fail for every item, so it ends the command.
            Write-ExoFailure -Cmdlet $cmdlet -Exception $call.Error -Target $sent[0].Target -Terminating
        }
        $runs.Add(@{ Run = $call.Value; Sent = $sent; Connection = $connection; Done = $false })
    }
    , $runs
}

function Wait-ExoBatchRound {
    param([hashtable] $Queue, [object] $Runs)
    $cmdlet = $Queue.Cmdlet
    foreach ($r in @($Runs)) {
        if (-not $r -or $r.Done) { continue }
        $r.Done = $true
        $call = $r.Run.TryWait($cmdlet)
        if ($call.Failed) {
            # Cancelled or the connection closed: the same for every item, so it ends the command.
            Write-ExoFailure -Cmdlet $cmdlet -Exception $call.Error -Target $r.Sent[0].Target -Terminating
        }
        $result = $call.Value
        [ExoDelegated.Interop.Streams]::Verbose($cmdlet, ("{0}: {1} invocation(s) in {2} `$batch request(s) to tenant {3}" -f $r.Sent[0].CmdletName, $r.Sent.Count, $result.Batches, $r.Connection.TenantId))
        for ($n = 0; $n -lt $r.Sent.Count; $n++) { $r.Sent[$n].Result = $result.Results[$n] }
    }
}

function Write-ExoBatchResult {
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Item)
    $r = $Item.Result
    foreach ($retry in $r.Retries) {
        [ExoDelegated.Interop.Streams]::Verbose($Cmdlet, ("{0}: retry {1} after {2}, waited {3} ms (request id {4})" -f
                $Item.CmdletName, $retry.Attempt, $retry.Reason, $retry.WaitMs, $retry.RequestId))
    }
    foreach ($warning in $r.Warnings) { [ExoDelegated.Interop.Streams]::Warning($Cmdlet, $warning) }
    $records = $r.Records
    if ($Item.ResultSize -gt 0 -and $records.Count -gt $Item.ResultSize) { $records = $records[0..($Item.ResultSize - 1)] }
    if ($Item.AddProperty -and $records.Count -gt 0) {
        foreach ($record in $records) {
            foreach ($entry in $Item.AddProperty.GetEnumerator()) {
                $existing = $record.PSObject.Properties[$entry.Key]
                if ($existing) { $existing.Value = $entry.Value }
                else { $record.PSObject.Properties.Add([psnoteproperty]::new($entry.Key, $entry.Value)) }
            }
        }
    }
    if ($records.Count -gt 0) { $Cmdlet.WriteObject($records, $true) }
    if ($r.Error) { Write-ExoBatchFailure $Cmdlet $Item $r.Error }
}

function Write-ExoBatchFailure {
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Item, [object] $Failure)
    if ($Failure -is [System.Management.Automation.ErrorRecord]) { $Cmdlet.WriteError($Failure); return }
    if ($Item.DryRun -and (Test-ExoNoWhatIfError $Failure)) { Write-ExoNoDryRun -Cmdlet $Cmdlet -CmdletName $Item.CmdletName -Target $Item.Target -Sent; return }
    Write-ExoFailure -Cmdlet $Cmdlet -Exception $Failure -Target $Item.Target
}

function Set-ExoBatchFolder {
    # The calendar folder is known: it becomes the cmdlet's Identity (first) and the target.
    param([hashtable] $Item, [string] $Folder)
    $p = [ordered]@{ Identity = $Folder }
    if ($Item.Parameters) { foreach ($key in @($Item.Parameters.Keys)) { if ("$key" -ne 'Identity') { $p[$key] = $Item.Parameters[$key] } } }
    $Item.Parameters = $p
    $Item.Target = $Folder
    if ($Item.AddProperty) { $Item.AddProperty = @{} + $Item.AddProperty } else { $Item.AddProperty = @{} }
    $Item.AddProperty['Mailbox'] = ($Folder -split ':\\', 2)[0]
}

function Invoke-ExoBatchItemAlone {
    # One invocation by itself, exactly as the commands did before batching.
    param([hashtable] $Queue, [hashtable] $Item)
    $cmdlet = $Queue.Cmdlet
    if ($Queue.Progress) { Step-ExoItemProgress $Queue.Progress $Item.Label }
    if ($Item.CalendarOf) {
        $folder = Resolve-ExoCalendarFolder -Cmdlet $cmdlet -Connection $Item.Connection -Mailbox $Item.CalendarOf
        if (-not $folder) { return }
        Set-ExoBatchFolder $Item $folder
    }
    if ($Item.ShouldProcessAction -and -not $Item.DryRun -and
        -not $cmdlet.ShouldProcess("$($Item.Target) (tenant $($Item.Connection.TenantId))", $Item.ShouldProcessAction)) { return }
    $p = if ($Item.DryRun) { Add-ExoWhatIf $Item.Parameters } else { $Item.Parameters }
    Invoke-ExoPaged -Cmdlet $cmdlet -Connection $Item.Connection -CmdletName $Item.CmdletName -Parameters $p -Select $Item.Select `
        -TypeName $Item.TypeName -ResultSize $Item.ResultSize -Target $Item.Target -AnchorMailbox $Item.AnchorMailbox `
        -AddProperty $Item.AddProperty -DryRun:$Item.DryRun
}
