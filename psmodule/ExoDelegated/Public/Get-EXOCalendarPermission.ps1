function Get-EXOCalendarPermission {
    <#
    .SYNOPSIS
    Gets the permissions on the default calendar of mailboxes, whatever the calendar's localized name.

    .DESCRIPTION
    For each mailbox given or piped in, finds its default calendar folder through
    Get-MailboxFolderStatistics -FolderScope Calendar (the folder whose FolderType is
    'Calendar': Calendar, Kalender, Calendrier, Agenda, ...) and returns its permission
    entries (ExoDelegated.CalendarPermission: Mailbox, FolderName, User, AccessRights,
    SharingPermissionFlags, and ExoTenant, the tenant it came from). Scripts that build '<user>:\Calendar' by hand fail on every
    mailbox whose language is not English; this command does not.

    A mailbox that cannot be found, or has no calendar, gives a non-terminating error
    (ExoDelegated.NotFound, ExoDelegated.CalendarNotFound) and the next one is processed.

    .PARAMETER Identity
    The mailbox: UPN, email address, GUID, ExternalDirectoryObjectId, alias or name; or a
    folder identity '<mailbox>:\<folder>' used as is. Accepts pipeline input, e.g. from Get-EXOMailbox.

    .PARAMETER User
    Only the entry of this user (or Default / Anonymous).

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
    Get-EXOCalendarPermission -Identity john@contoso.com

    Who can see John's calendar, and how much.

    .EXAMPLE
    Get-EXOMailbox -RecipientTypeDetails RoomMailbox -ResultSize Unlimited | Get-EXOCalendarPermission -User Default

    The default sharing level of every room's calendar.

    .EXAMPLE
    Get-EXOMailbox -ResultSize Unlimited | Get-EXOCalendarPermission |
        Select-Object ExoTenant, Mailbox, User, @{ n = 'AccessRights'; e = { $_.AccessRights -join ',' } } |
        Export-Csv -NoTypeInformation -Path calendar-permissions.csv

    One CSV row per permission entry. Every object carries its tenant (ExoTenant), and
    AccessRights stays an array on the object: -join makes it one cell for the CSV.

    .OUTPUTS
    ExoDelegated.CalendarPermission
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.CalendarPermission')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId', 'Mailbox')]
        [string] $Identity,

        [string] $User,

        [ValidateRange(1, 10)]
        [int] $BatchSize = 10,

        [ValidateRange(1, 64)]
        [int] $ThrottleLimit,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    begin { $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -Activity 'Calendar permissions' }

    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('User'), $null)
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Get-MailboxFolderPermission' -Parameters $p `
            -TypeName 'ExoDelegated.CalendarPermission' -CalendarOf $Identity
    }

    end { Complete-ExoBatchQueue $queue }
}
