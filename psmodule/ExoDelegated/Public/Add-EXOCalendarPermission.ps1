function Add-EXOCalendarPermission {
    <#
    .SYNOPSIS
    Grants a user a permission on the default calendar of mailboxes, whatever the calendar's localized name.

    .DESCRIPTION
    For each mailbox given or piped in, finds its default calendar folder (the folder whose
    FolderType is 'Calendar', e.g. Kalender or Calendrier) and runs Add-MailboxFolderPermission
    on it for -User. Fails for a mailbox where the user already has an entry (use
    Set-EXOCalendarPermission to change it).

    -WhatIf is a dry run that Exchange checks: the change is sent with Exchange's own WhatIf
    switch, so Exchange validates the user, the rights and the folder, changes nothing, and
    answers "What if: ..." (shown as a warning); what would fail for real fails the dry run
    too. A write is never sent without WhatIf while -WhatIf is in force. -Confirm asks for
    each mailbox. On a long pipeline, progress shows the mailbox being worked on.

    .PARAMETER Identity
    The mailbox: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name; or a
    folder identity '<mailbox>:\<folder>' used as is. Accepts pipeline input, e.g. from Get-EXOMailbox.

    .PARAMETER User
    The user or group to grant the permission to.

    .PARAMETER AccessRights
    The permission: a role (Owner, PublishingEditor, Editor, PublishingAuthor, Author,
    NonEditingAuthor, Reviewer, Contributor, AvailabilityOnly, LimitedDetails) or individual rights.

    .PARAMETER SharingPermissionFlags
    Delegate flags for Editor: None, Delegate, CanViewPrivateItems.

    .PARAMETER SendNotificationToUser
    Send the user a sharing invitation.

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
    Add-EXOCalendarPermission -Identity room1@contoso.com -User assistant@contoso.com -AccessRights Editor

    Lets the assistant manage the room's bookings.

    .EXAMPLE
    Get-EXOMailbox -RecipientTypeDetails RoomMailbox | Add-EXOCalendarPermission -User reception@contoso.com -AccessRights Reviewer -Confirm:$false

    Gives reception read access to every room calendar, without asking.

    .OUTPUTS
    ExoDelegated.CalendarPermission
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('ExoDelegated.CalendarPermission')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId', 'Mailbox')]
        [string] $Identity,

        [Parameter(Mandatory)]
        [string] $User,

        [Parameter(Mandatory)]
        [ArgumentCompleter({ 'Owner', 'PublishingEditor', 'Editor', 'PublishingAuthor', 'Author', 'NonEditingAuthor', 'Reviewer', 'Contributor', 'AvailabilityOnly', 'LimitedDetails' })]
        [string[]] $AccessRights,

        [ArgumentCompleter({ 'None', 'Delegate', 'CanViewPrivateItems' })]
        [string[]] $SharingPermissionFlags,

        [switch] $SendNotificationToUser,

        [ValidateRange(1, 10)]
        [int] $BatchSize = 10,

        [ValidateRange(1, 64)]
        [int] $ThrottleLimit,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin { $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -Activity 'Adding calendar permissions' }

    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        # -WhatIf: Exchange checks the change (its own WhatIf switch) and changes nothing.
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('User', 'AccessRights', 'SharingPermissionFlags', 'SendNotificationToUser'), $null)
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Add-MailboxFolderPermission' -Parameters $p `
            -TypeName 'ExoDelegated.CalendarPermission' -CalendarOf $Identity -DryRun:([bool]$WhatIfPreference) `
            -ShouldProcessAction "Grant '$User' $($AccessRights -join ', ') on the calendar"
    }

    end { Complete-ExoBatchQueue $queue }
}
