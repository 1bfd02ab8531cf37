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
                $PSCmdlet.WriteVerbose("Disconnected '$($c.Name)'.")
            }
        }
    }
}
