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

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin { $progress = Start-ExoItemProgress -Cmdlet $PSCmdlet -Activity 'Setting calendar permissions' }

    process {
        $c = Resolve-ExoConnection -Cmdlet $PSCmdlet -Connection $Connection -InputObject $_
        Step-ExoItemProgress $progress $(if ($Identity) { $Identity } else { $c.Name })
        $folder = Resolve-ExoCalendarFolder -Cmdlet $PSCmdlet -Connection $c -Mailbox $Identity
        if (-not $folder) { return }
        # -WhatIf: Exchange checks the change (its own WhatIf switch) and changes nothing.
        $dryRun = [bool]$WhatIfPreference
        if (-not $dryRun -and -not $PSCmdlet.ShouldProcess("$folder (tenant $($c.TenantId))", "Set calendar permission of '$User' to $($AccessRights -join ', ')")) { return }
        $p = Copy-ExoParameter $PSBoundParameters 'User', 'AccessRights', 'SharingPermissionFlags', 'SendNotificationToUser' -Into ([ordered]@{ Identity = $folder })
        if ($dryRun) { $p = Add-ExoWhatIf $p }
        Invoke-ExoPaged -Cmdlet $PSCmdlet -Connection $c -CmdletName 'Set-MailboxFolderPermission' -Parameters $p `
            -TypeName 'ExoDelegated.CalendarPermission' -Target $folder -AddProperty @{ Mailbox = ($folder -split ':\\', 2)[0] } -DryRun:$dryRun
    }

    end { Complete-ExoItemProgress $progress }
}
