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

        [ValidateRange(1, 10)]
        [int] $BatchSize = 10,

        [ValidateRange(1, 64)]
        [int] $ThrottleLimit,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin {
        $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -Activity 'Folder permissions'
        $select = [ExoDelegated.Interop.PropertySets]::Select('MailboxFolderPermission', $null, $Properties)
    }
    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('Identity', 'User', 'GroupMailbox'), $null)
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Get-MailboxFolderPermission' -Parameters $p -Select $select `
            -TypeName 'ExoDelegated.MailboxFolderPermission' -Target $Identity
    }

    end { Complete-ExoBatchQueue $queue }
}
