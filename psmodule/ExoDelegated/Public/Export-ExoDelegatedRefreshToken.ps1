function Export-ExoDelegatedRefreshToken {
    <#
    .SYNOPSIS
    Returns the newest refresh token of a connection as a SecureString, to store it again.

    .DESCRIPTION
    The identity platform returns a new refresh token every time one is redeemed, and a
    refresh token that is not used for 90 days expires. Runbooks that keep the partner's
    refresh token in Key Vault should therefore write the newest one back at the end of each
    run; the connection's RefreshTokenRotated property says whether it changed.

    Every redemption, at any customer, rotates the partner's refresh token, and each
    connection keeps the newest one it received. Without -Connection, this command returns
    the newest refresh token of the current connection's credential across all open
    connections of the process (every tenant, every runspace, including connections closed
    while another connection of the same credential stayed open): the one to store after a
    run over many tenants. With -Connection, it returns that connection's newest token.

    The token goes from native memory straight into a read-only SecureString; it never
    exists as a managed string inside the module. Only connections made with -RefreshToken
    or -DeviceCode have a refresh token.

    .PARAMETER Connection
    The connection to read (pipeline input): its own newest token. Default: the newest token
    of the current connection's credential across all open connections.
    A connection object, or the name of an open connection (tab completion lists them).

    .EXAMPLE
    Set-AzKeyVaultSecret -VaultName 'msp-vault' -Name 'ExoRefreshToken' -SecretValue (Export-ExoDelegatedRefreshToken)

    After a run over many tenants: writes the newest refresh token of the partner's
    credential (whichever connection received it last) back to Key Vault.

    .EXAMPLE
    $c = Get-ExoDelegatedConnection -Name contoso
    if ($c.RefreshTokenRotated) { $new = $c | Export-ExoDelegatedRefreshToken }

    Exports the token of a named connection only when it has rotated.

    .OUTPUTS
    System.Security.SecureString
    #>
    [CmdletBinding()]
    [OutputType([securestring])]
    param(
        [Parameter(ValueFromPipeline, Position = 0)]
        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection] $Connection
    )

    process {
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $Connection, $null, $script:ExoCurrentConnection)
        # No -Connection: the newest token of this credential across all open connections.
        $call = if ($Connection) { [ExoDelegated.Interop.Bridge]::TryExportRefreshToken($c.Handle) }
                else { [ExoDelegated.Interop.Bridge]::TryExportNewestRefreshToken($c.Handle) }
        if ($call.Failed) { Write-ExoFailure -Cmdlet $PSCmdlet -Exception $call.Error -Target $c.Name -Terminating }
        $token = $call.Value
        $c.Refresh()
        [ExoDelegated.Interop.Streams]::Verbose($PSCmdlet, "Exported the refresh token of '$($c.Name)' (rotated: $($c.RefreshTokenRotated)).")
        $token
    }
}
