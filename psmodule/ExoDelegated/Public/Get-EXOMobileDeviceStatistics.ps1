function Get-EXOMobileDeviceStatistics {
    <#
    .SYNOPSIS
    Gets the mobile devices of a mailbox with their sync statistics, like Get-EXOMobileDeviceStatistics of ExchangeOnlineManagement v3.

    .DESCRIPTION
    Runs Get-MobileDeviceStatistics -Mailbox for each mailbox given or piped in and streams
    one ExoDelegated.MobileDeviceStatistics object per device (DeviceModel, DeviceType,
    DeviceOS, LastSuccessSync, Status, ...). A mailbox without devices returns nothing.

    .PARAMETER Identity
    The mailbox whose devices to list: UPN, email address, GUID, ExternalDirectoryObjectId,
    alias or name. Accepts pipeline input, e.g. from Get-EXOMailbox. Alias: -Mailbox.

    .PARAMETER ActiveSync
    Only Exchange ActiveSync devices.

    .PARAMETER OWAforDevices
    Only devices using Outlook on the web for devices.

    .PARAMETER RestApi
    Only REST API devices.

    .PARAMETER UniversalOutlook
    Only Mail and Calendar app devices.

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
    Get-EXOMobileDeviceStatistics -Identity john@contoso.com

    John's phones and tablets.

    .EXAMPLE
    Get-EXOMailbox -ResultSize Unlimited | Get-EXOMobileDeviceStatistics | Where-Object LastSuccessSync -lt (Get-Date).AddDays(-90)

    Devices that have not synced for 90 days.

    .OUTPUTS
    ExoDelegated.MobileDeviceStatistics
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.MobileDeviceStatistics')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('UserPrincipalName', 'PrimarySmtpAddress', 'ExternalDirectoryObjectId', 'Mailbox')]
        [string] $Identity,

        [switch] $ActiveSync,

        [switch] $OWAforDevices,

        [switch] $RestApi,

        [switch] $UniversalOutlook,

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
        $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $ThrottleLimit -Activity 'Mailboxes'
        $select = [ExoDelegated.Interop.PropertySets]::Select('MobileDeviceStatistics', $null, $Properties)
    }
    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $_, $script:ExoCurrentConnection)
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($PSBoundParameters, [string[]]('ActiveSync', 'OWAforDevices', 'RestApi', 'UniversalOutlook'), [ordered]@{ Mailbox = $Identity })
        Add-ExoBatchItem $queue -Connection $c -CmdletName 'Get-MobileDeviceStatistics' -Parameters $p -Select $select `
            -TypeName 'ExoDelegated.MobileDeviceStatistics' -Target $Identity
    }

    end { Complete-ExoBatchQueue $queue }
}
