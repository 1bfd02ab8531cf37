function Export-ExoDelegatedRefreshToken {
    <#
    .SYNOPSIS
    Returns the newest refresh token of a connection as a SecureString, to store it again.

    .DESCRIPTION
    The identity platform returns a new refresh token every time one is redeemed, and a
    refresh token that is not used for 90 days expires. Runbooks that keep the partner's
    refresh token in Key Vault should therefore write the newest one back at the end of each
    run; the connection's RefreshTokenRotated property says whether it changed.

    The token goes from native memory straight into a read-only SecureString; it never
    exists as a managed string inside the module. Only connections made with -RefreshToken
    or -DeviceCode have a refresh token.

    .PARAMETER Connection
    The connection to read (pipeline input). Default: the current connection.
    A connection object, or the name of an open connection (tab completion lists them).

    .EXAMPLE
    Set-AzKeyVaultSecret -VaultName 'msp-vault' -Name 'ExoRefreshToken' -SecretValue (Export-ExoDelegatedRefreshToken)

    Writes the rotated refresh token of the current connection back to Key Vault.

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
        $c = Resolve-ExoConnection -Cmdlet $PSCmdlet -Connection $Connection
        $call = [ExoDelegated.Interop.Bridge]::TryExportRefreshToken($c.Handle)
        if ($call.Failed) { Write-ExoFailure -Cmdlet $PSCmdlet -Exception $call.Error -Target $c.Name -Terminating }
        $token = $call.Value
        $c.Refresh()
        $PSCmdlet.WriteVerbose("Exported the refresh token of '$($c.Name)' (rotated: $($c.RefreshTokenRotated)).")
        $token
    }
}
