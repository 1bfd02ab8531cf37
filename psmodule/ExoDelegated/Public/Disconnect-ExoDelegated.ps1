function Disconnect-ExoDelegated {
    <#
    .SYNOPSIS
    Closes ExoDelegated connections and frees their native resources.

    .DESCRIPTION
    Signs out of one or more connections: the cached tokens are zeroed and freed in the
    native library, the connection is removed from Get-ExoDelegatedConnection, and any later
    command that uses it fails with ExoDelegated.Disconnected. Without parameters, closes the
    current connection; the most recently opened remaining connection becomes current.
    Unlike Disconnect-ExchangeOnline, the memory is really given back.

    What is guaranteed about secrets in memory once the connection is disconnected (and,
    for the last two points, once no command of it is still running):
    - The native library's copies of the refresh token, client secret and access tokens are
      zeroed: its token cache entry when no other open connection shares it (connections of
      the same credential share the newest refresh token until the last of them closes).
    - Every buffer of the native library, including the HTTP stack's copies of request bodies
      and the Authorization header, is zeroed when it is freed (the library's allocator wipes
      freed memory). Token requests, whose bodies hold the refresh token and client secret,
      never keep their connection, so those buffers are freed when the request ends.
    - When the last connection of the process is closed, the kept-alive connections to
      Exchange are closed too, so no buffer with an Authorization header stays alive.
    What is not guaranteed: while other connections stay open, a kept-alive connection to
    Exchange may still hold the last Authorization header it sent until its next request
    overwrites it (at most 90 seconds idle); copies outside the native library are
    PowerShell's and .NET's own: the SecureStrings you passed in and any exported token
    (dispose them), and plain strings you made (ConvertFrom-SecureString -AsPlainText,
    Get-Credential text) stay in managed memory until the garbage collector reuses it. The
    operating system's socket buffers and swap are outside the process.

    .PARAMETER Connection
    The connection(s) to close, e.g. from Connect-ExoDelegated or Get-ExoDelegatedConnection
    (pipeline input).
    A connection object, or the name of an open connection (tab completion lists them).

    .PARAMETER Name
    The name(s) of the connections to close; wildcards are allowed.

    .PARAMETER All
    Close every connection opened in this session (runspace).

    .EXAMPLE
    Disconnect-ExoDelegated

    Closes the current connection.

    .EXAMPLE
    Get-ExoDelegatedConnection -Name 'contoso*' | Disconnect-ExoDelegated

    Closes the connections whose name starts with contoso.

    .EXAMPLE
    Disconnect-ExoDelegated -All

    Closes every connection, e.g. at the end of a runbook.

    .OUTPUTS
    None
    #>
    [CmdletBinding(DefaultParameterSetName = 'Current', SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Connection', ValueFromPipeline, Position = 0)]
        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection[]] $Connection,

        [Parameter(Mandatory, ParameterSetName = 'Name')]
        [SupportsWildcards()]
        [string[]] $Name,

        [Parameter(Mandatory, ParameterSetName = 'All')]
        [switch] $All
    )

    process {
        $targets = switch ($PSCmdlet.ParameterSetName) {
            'Connection' { $Connection }
            'Name' {
                foreach ($n in $Name) {
                    $found = @((Get-ExoRegisteredConnection) | Where-Object { $_.Name -like $n })
                    if ($found.Count -eq 0 -and -not [WildcardPattern]::ContainsWildcardCharacters($n)) {
                        $PSCmdlet.WriteError([ExoDelegated.Interop.ErrorMapper]::Create('ConnectionNotFound',
                                "There is no connection named '$n'.", 'ObjectNotFound', $n, 'List the open connections with Get-ExoDelegatedConnection.'))
                    }
                    $found
                }
            }
            'All' { Get-ExoRegisteredConnection }
            default { if ($script:ExoCurrentConnection) { $script:ExoCurrentConnection } }
        }
        foreach ($c in $targets) {
            if ($null -eq $c) { continue }
            if ($PSCmdlet.ShouldProcess("$($c.Name) (tenant $($c.TenantId))", 'Disconnect')) {
                $c.Disconnect()
                Unregister-ExoConnection -Connection $c
                [ExoDelegated.Interop.Streams]::Verbose($PSCmdlet, "Disconnected '$($c.Name)'.")
            }
        }
    }
}
