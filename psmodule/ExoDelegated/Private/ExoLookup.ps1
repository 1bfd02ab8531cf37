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
    $folders = [System.Collections.Generic.List[psobject]]::new()
    $complete = Invoke-ExoPaged -Cmdlet $Cmdlet -Connection $Connection -CmdletName 'Get-MailboxFolderStatistics' `
        -Parameters ([ordered]@{ Identity = $Mailbox; FolderScope = 'Calendar' }) -Select 'Name', 'FolderType', 'FolderPath' `
        -Target $Mailbox -Into $folders
    if (-not $complete) { return $null }
    $folder = Select-ExoCalendarFolder -Cmdlet $Cmdlet -Mailbox $Mailbox -Folders $folders
    if ($folder -is [System.Management.Automation.ErrorRecord]) { $Cmdlet.WriteError($folder); return $null }
    $folder
}

function Select-ExoCalendarFolder {
    # The default calendar's folder identity among a mailbox's calendar folders (the records of
    # Get-MailboxFolderStatistics -FolderScope Calendar), or the CalendarNotFound ErrorRecord.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][string] $Mailbox,
        [AllowNull()][AllowEmptyCollection()][object[]] $Folders
    )
    foreach ($folder in $Folders) {
        $type = $folder.PSObject.Properties['FolderType']
        $name = $folder.PSObject.Properties['Name']
        if ($type -and $name -and $type.Value -eq 'Calendar' -and $name.Value) {
            $identity = '{0}:\{1}' -f $Mailbox, $name.Value
            [ExoDelegated.Interop.Streams]::Verbose($Cmdlet, "Default calendar of '$Mailbox' is '$identity'.")
            return $identity
        }
    }
    [ExoDelegated.Interop.ErrorMapper]::Create('CalendarNotFound',
        "The mailbox '$Mailbox' has no default calendar folder (FolderType 'Calendar').", 'ObjectNotFound', $Mailbox,
        'Check that the identity is a user, shared, room or equipment mailbox.')
}
