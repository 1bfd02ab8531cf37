function Get-EXOMailboxFolderPermission {
    <#
    .SYNOPSIS
    Gets the permissions on a mailbox folder, like Get-EXOMailboxFolderPermission of ExchangeOnlineManagement v3.

    .DESCRIPTION
    Runs Get-MailboxFolderPermission for each folder given or piped in and streams the
    entries (ExoDelegated.MailboxFolderPermission: FolderName, User, AccessRights,
    SharingPermissionFlags). The folder is named '<mailbox>:\<folder path>', e.g.
    'john@contoso.com:\Calendar'; for a mailbox's default calendar whatever its language,
    use Get-EXOCalendarPermission instead.

    .PARAMETER Identity
    The folder, as '<mailbox>:\<folder path>'. Accepts pipeline input.

    .PARAMETER User
    Only the entry of this user (or Default / Anonymous).

    .PARAMETER GroupMailbox
    The folder is in a Microsoft 365 group mailbox.

    .PARAMETER Properties
    Only these properties are returned. Default: all.

    .PARAMETER Connection
    The connection (tenant) to use. Default: the connection the piped object came from, else
    the current connection.
    A connection object, or the name of an open connection (tab completion lists them).

    .EXAMPLE
    Get-EXOMailboxFolderPermission -Identity 'john@contoso.com:\Inbox'

    Who has access to John's inbox.

    .EXAMPLE
    Get-EXOMailboxFolderPermission 'info@contoso.com:\Kalender' -User Default

    The default sharing level of a German mailbox's calendar.

    .OUTPUTS
    ExoDelegated.MailboxFolderPermission
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.MailboxFolderPermission')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string] $Identity,

        [string] $User,

        [switch] $GroupMailbox,

        [string[]] $Properties,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin {
        $progress = Start-ExoItemProgress -Cmdlet $PSCmdlet -Activity 'Folder permissions'
        $select = Resolve-ExoSelect -Kind MailboxFolderPermission -Properties $Properties
    }
    process {
        $c = Resolve-ExoConnection -Cmdlet $PSCmdlet -Connection $Connection -InputObject $_
        Step-ExoItemProgress $progress $(if ($Identity) { $Identity } else { $c.Name })
        $p = Copy-ExoParameter $PSBoundParameters 'Identity', 'User', 'GroupMailbox'
        Invoke-ExoPaged -Cmdlet $PSCmdlet -Connection $c -CmdletName 'Get-MailboxFolderPermission' -Parameters $p -Select $select `
            -TypeName 'ExoDelegated.MailboxFolderPermission' -Target $Identity
    }

    end { Complete-ExoItemProgress $progress }
}
