function Set-EXOCalendarPermission {
    <#
    .SYNOPSIS
    Changes a user's permission on the default calendar of mailboxes, whatever the calendar's localized name.

    .DESCRIPTION
    For each mailbox given or piped in, finds its default calendar folder (the folder whose
    FolderType is 'Calendar', e.g. Kalender or Calendrier) and runs Set-MailboxFolderPermission
    on it for -User. The user must already have an entry on the calendar (Default and
    Anonymous always do); use Add-EXOCalendarPermission for a new one.

    -WhatIf is a dry run that Exchange checks: the change is sent with Exchange's own WhatIf
    switch, so Exchange validates the user, the rights and the folder, changes nothing, and
    answers "What if: ..." (shown as a warning); what would fail for real fails the dry run
    too. A write is never sent without WhatIf while -WhatIf is in force. -Confirm asks for
    each mailbox. On a long pipeline, progress shows the mailbox being worked on.

    .PARAMETER Identity
    The mailbox: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name; or a
    folder identity '<mailbox>:\<folder>' used as is. Accepts pipeline input, e.g. from
    Get-EXOMailbox or Get-EXOCalendarPermission.

    .PARAMETER User
    The user or group whose permission changes, or Default / Anonymous. Accepts pipeline
    input by property name (the User of a calendar permission).

    .PARAMETER AccessRights
    The new permission: a role (Owner, PublishingEditor, Editor, PublishingAuthor, Author,
    NonEditingAuthor, Reviewer, Contributor, AvailabilityOnly, LimitedDetails, None) or
    individual rights.

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
    Set-EXOCalendarPermission -Identity john@contoso.com -User Default -AccessRights Reviewer

    Everyone in the organization can see the details of John's appointments.

    .EXAMPLE
    Get-EXOMailbox -RecipientTypeDetails UserMailbox -ResultSize Unlimited | Set-EXOCalendarPermission -User Default -AccessRights LimitedDetails -WhatIf

    Exchange checks, for every user mailbox, that Default can get LimitedDetails on its
    calendar, and changes nothing.

    .OUTPUTS
    ExoDelegated.CalendarPermission
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('ExoDelegated.CalendarPermission')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId', 'Mailbox')]
        [string] $Identity,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [string] $User,

        [Parameter(Mandatory)]
        [ArgumentCompleter({ 'Owner', 'PublishingEditor', 'Editor', 'PublishingAuthor', 'Author', 'NonEditingAuthor', 'Reviewer', 'Contributor', 'AvailabilityOnly', 'LimitedDetails', 'None' })]
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

    begin { $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -Activity 'Setting calendar permissions' }

    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        # -WhatIf: Exchange checks the change (its own WhatIf switch) and changes nothing.
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('User', 'AccessRights', 'SharingPermissionFlags', 'SendNotificationToUser'), $null)
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Set-MailboxFolderPermission' -Parameters $p `
            -TypeName 'ExoDelegated.CalendarPermission' -CalendarOf $Identity -DryRun:([bool]$WhatIfPreference) `
            -ShouldProcessAction "Set calendar permission of '$User' to $($AccessRights -join ', ')"
    }

    end { Complete-ExoBatchQueue $queue }
}
