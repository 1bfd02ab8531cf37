function Get-ExoAllRecord {
    # All records of one Exchange cmdlet, for the module's own lookups (calendar folders):
    # a CallResult whose Value is the records, or whose Error says why it failed.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Connection] $Connection,
        [Parameter(Mandatory)][string] $CmdletName,
        [System.Collections.IDictionary] $Parameters,
        [string[]] $Select
    )
    $call = [ExoDelegated.Interop.Bridge]::TryBuildRequest($CmdletName, $Parameters, $Select, 0, $null)
    if ($call.Failed) { return $call }
    $request = $call.Value
    $call = [ExoDelegated.Interop.Bridge]::TryInvoke($Connection.Handle, $request)
    if ($call.Failed) { return $call }
    $cursor = $call.Value
    $records = [System.Collections.Generic.List[psobject]]::new()
    try {
        do {
            $call = [ExoDelegated.Interop.Bridge]::TryNext($cursor, $null, $Connection, $Cmdlet)
            if ($call.Failed) { return $call }
            $page = $call.Value
            foreach ($retry in $page.Retries) {
                $Cmdlet.WriteVerbose(("{0}: retry {1} after {2}, waited {3} ms (request id {4})" -f
                        $CmdletName, $retry.Attempt, $retry.Reason, $retry.WaitMs, $retry.RequestId))
            }
            $Cmdlet.WriteVerbose(("{0} page {1}: {2} object(s) (request id {3})" -f $CmdletName, $page.Number, $page.Records.Count, $page.RequestId))
            foreach ($warning in $page.Warnings) { $Cmdlet.WriteWarning($warning) }
            $records.AddRange($page.Records)
        } while ($page.More)
        [pscustomobject]@{ Failed = $false; Error = $null; Value = $records.ToArray() }
    }
    finally {
        [ExoDelegated.Interop.Bridge]::Cancel($cursor)
        $cursor.Dispose()
    }
}

function Resolve-ExoCalendarFolder {
    # The folder identity '<mailbox>:\<name>' of a mailbox's default calendar, whatever its
    # localized name (Calendar, Kalender, Calendrier, Agenda, ...): the folder whose FolderType
    # is 'Calendar' in Get-MailboxFolderStatistics -FolderScope Calendar. An identity that
    # already names a folder ('<mailbox>:\<folder>') is returned as is. Writes an error and
    # returns $null when the mailbox or its calendar cannot be found.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Connection] $Connection,
        [Parameter(Mandatory)][string] $Mailbox
    )
    if ($Mailbox.Contains(':\')) { return $Mailbox }
    $call = Get-ExoAllRecord -Cmdlet $Cmdlet -Connection $Connection -CmdletName 'Get-MailboxFolderStatistics' `
        -Parameters ([ordered]@{ Identity = $Mailbox; FolderScope = 'Calendar' }) -Select 'Name', 'FolderType', 'FolderPath'
    if ($call.Failed) {
        Write-ExoFailure -Cmdlet $Cmdlet -Exception $call.Error -Target $Mailbox
        return $null
    }
    foreach ($folder in $call.Value) {
        $type = $folder.PSObject.Properties['FolderType']
        $name = $folder.PSObject.Properties['Name']
        if ($type -and $name -and $type.Value -eq 'Calendar' -and $name.Value) {
            $identity = '{0}:\{1}' -f $Mailbox, $name.Value
            $Cmdlet.WriteVerbose("Default calendar of '$Mailbox' is '$identity'.")
            return $identity
        }
    }
    $Cmdlet.WriteError([ExoDelegated.Interop.ErrorMapper]::Create('CalendarNotFound',
            "The mailbox '$Mailbox' has no default calendar folder (FolderType 'Calendar').", 'ObjectNotFound', $Mailbox,
            'Check that the identity is a user, shared, room or equipment mailbox.'))
    $null
}
