function Remove-EXOCalendarPermission {
    <#
    .SYNOPSIS
    Removes a user's permission from the default calendar of mailboxes, whatever the calendar's localized name.

    .DESCRIPTION
    For each mailbox given or piped in, finds its default calendar folder (the folder whose
    FolderType is 'Calendar', e.g. Kalender or Calendrier) and runs
    Remove-MailboxFolderPermission on it for -User.

    Asks for confirmation by default (ConfirmImpact High, as Remove-MailboxFolderPermission
    does): pass -Confirm:$false in runbooks. -WhatIf is a dry run that Exchange checks: the
    removal is sent with Exchange's own WhatIf switch, so a missing entry or mailbox fails it
    as it would fail the real run, and nothing changes.

    .PARAMETER Identity
    The mailbox: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name; or a
    folder identity '<mailbox>:\<folder>' used as is. Accepts pipeline input, e.g. from
    Get-EXOMailbox or Get-EXOCalendarPermission.

    .PARAMETER User
    The user or group whose entry is removed. Accepts pipeline input by property name
    (the User of a calendar permission).

    .PARAMETER Connection
    The connection (tenant) to use. Default: the connection the piped object came from, else
    the current connection.
    A connection object, or the name of an open connection (tab completion lists them).

    .EXAMPLE
    Remove-EXOCalendarPermission -Identity john@contoso.com -User former.assistant@contoso.com -Confirm:$false

    Removes the former assistant's access to John's calendar.

    .EXAMPLE
    Get-EXOCalendarPermission -Identity john@contoso.com -User contractor@contoso.com | Remove-EXOCalendarPermission -WhatIf

    A dry run that Exchange checks: the entry piped in would be removed; nothing changes.

    .OUTPUTS
    None
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId', 'Mailbox')]
        [string] $Identity,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [string] $User,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin { $progress = Start-ExoItemProgress -Cmdlet $PSCmdlet -Activity 'Removing calendar permissions' }

    process {
        $c = Resolve-ExoConnection -Cmdlet $PSCmdlet -Connection $Connection -InputObject $_
        Step-ExoItemProgress $progress $(if ($Identity) { $Identity } else { $c.Name })
        $folder = Resolve-ExoCalendarFolder -Cmdlet $PSCmdlet -Connection $c -Mailbox $Identity
        if (-not $folder) { return }
        # -WhatIf: Exchange checks the change (its own WhatIf switch) and changes nothing.
        $dryRun = [bool]$WhatIfPreference
        if (-not $dryRun -and -not $PSCmdlet.ShouldProcess("$folder (tenant $($c.TenantId))", "Remove the calendar permission of '$User'")) { return }
        $p = [ordered]@{ Identity = $folder; User = $User }
        if ($dryRun) { $p = Add-ExoWhatIf $p }
        Invoke-ExoPaged -Cmdlet $PSCmdlet -Connection $c -CmdletName 'Remove-MailboxFolderPermission' -Parameters $p `
            -TypeName 'ExoDelegated.CalendarPermission' -Target $folder -DryRun:$dryRun
    }

    end { Complete-ExoItemProgress $progress }
}
