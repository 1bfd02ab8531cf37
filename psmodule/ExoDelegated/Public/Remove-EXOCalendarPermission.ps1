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

    .PARAMETER BatchSize
    Mailboxes piped in are sent up to this many per $batch request (1-10, default 10): one
    request answers ten mailboxes. 1 sends one request per mailbox, as without batching.
    Results come out in input order, one window (BatchSize x ThrottleLimit mailboxes) at a time;
    a mailbox that fails gives its own non-terminating error naming it.

    .PARAMETER ThrottleLimit
    How many $batch requests are in flight at once (default: the connection's request window,
    Connect-ExoDelegated -ThrottleLimit, 4 unless set; the window also caps this).

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

        [ValidateRange(1, 10)]
        [int] $BatchSize = 10,

        [ValidateRange(1, 64)]
        [int] $ThrottleLimit,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin { $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -Activity 'Removing calendar permissions' }

    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        # -WhatIf: Exchange checks the change (its own WhatIf switch) and changes nothing.
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Remove-MailboxFolderPermission' -Parameters ([ordered]@{ User = $User }) `
            -TypeName 'ExoDelegated.CalendarPermission' -CalendarOf $Identity -DryRun:([bool]$WhatIfPreference) `
            -ShouldProcessAction "Remove the calendar permission of '$User'"
    }

    end { Complete-ExoBatchQueue $queue }
}
