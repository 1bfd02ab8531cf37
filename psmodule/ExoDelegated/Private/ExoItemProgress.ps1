# Progress per mailbox for the commands that take mailboxes from the pipeline (calendar and
# permission commands): on a long pipeline the user sees which mailbox is being worked on and
# how many are done. The count is unknown up front (a pipeline), so there is no percentage.

function Start-ExoItemProgress {
    param([Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet, [Parameter(Mandatory)][string] $Activity)
    @{ Id = [ExoDelegated.Interop.ProgressIds]::Next(); Activity = $Activity; Count = 0; Cmdlet = $Cmdlet }
}

function Step-ExoItemProgress {
    # -Done: that many mailboxes finished at once (a batched window), the last one being $Item.
    param([Parameter(Mandatory)][hashtable] $Progress, [AllowNull()][object] $Item, [int] $Done = 1)
    $Progress.Count += $Done
    $status = if ($Done -eq 1) { 'Mailbox {0}: {1}' -f $Progress.Count, $Item } else { '{0} mailbox(es) done (last: {1})' -f $Progress.Count, $Item }
    $record = [System.Management.Automation.ProgressRecord]::new($Progress.Id, $Progress.Activity, $status)
    $Progress.Cmdlet.WriteProgress($record)
}

function Complete-ExoItemProgress {
    param([AllowNull()][hashtable] $Progress)
    if ($null -eq $Progress -or $Progress.Count -eq 0) { return }
    $done = [System.Management.Automation.ProgressRecord]::new($Progress.Id, $Progress.Activity, ('{0} mailbox(es) done' -f $Progress.Count))
    $done.RecordType = 'Completed'
    $Progress.Cmdlet.WriteProgress($done)
}
