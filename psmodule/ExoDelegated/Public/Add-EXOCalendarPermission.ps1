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

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin { $progress = Start-ExoItemProgress -Cmdlet $PSCmdlet -Activity 'Adding calendar permissions' }

    process {
        $c = Resolve-ExoConnection -Cmdlet $PSCmdlet -Connection $Connection -InputObject $_
        Step-ExoItemProgress $progress $(if ($Identity) { $Identity } else { $c.Name })
        $folder = Resolve-ExoCalendarFolder -Cmdlet $PSCmdlet -Connection $c -Mailbox $Identity
        if (-not $folder) { return }
        # -WhatIf: Exchange checks the change (its own WhatIf switch) and changes nothing.
        $dryRun = [bool]$WhatIfPreference
        if (-not $dryRun -and -not $PSCmdlet.ShouldProcess("$folder (tenant $($c.TenantId))", "Grant '$User' $($AccessRights -join ', ') on the calendar")) { return }
        $p = Copy-ExoParameter $PSBoundParameters 'User', 'AccessRights', 'SharingPermissionFlags', 'SendNotificationToUser' -Into ([ordered]@{ Identity = $folder })
        if ($dryRun) { $p = Add-ExoWhatIf $p }
        Invoke-ExoPaged -Cmdlet $PSCmdlet -Connection $c -CmdletName 'Add-MailboxFolderPermission' -Parameters $p `
            -TypeName 'ExoDelegated.CalendarPermission' -Target $folder -AddProperty @{ Mailbox = ($folder -split ':\\', 2)[0] } -DryRun:$dryRun
    }

    end { Complete-ExoItemProgress $progress }
}
