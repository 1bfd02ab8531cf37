function Get-ExoDelegatedConnection {
    <#
    .SYNOPSIS
    Lists the open ExoDelegated connections.

    .DESCRIPTION
    Returns the connections opened with Connect-ExoDelegated in this session (runspace),
    oldest first, with fresh token details read from the native library: tenant, cloud,
    signed-in user or application, token expiry, whether the refresh token has rotated
    (RefreshTokenRotated: store the new one with Export-ExoDelegatedRefreshToken) and
    state. Connection objects never contain a token or secret.

    .PARAMETER Name
    Only the connections whose name matches; wildcards are allowed.

    .PARAMETER Current
    Only the current connection (the one commands use when -Connection is not given).

    .EXAMPLE
    Get-ExoDelegatedConnection

    Name                     TenantId                  Environment User                 TokenExpiresUtc     State
    ----                     --------                  ----------- ----                 ---------------     -----
    contoso.onmicrosoft.com  contoso.onmicrosoft.com   O365Default admin@partner.com    05/01/2025 10:12:03 Connected

    .EXAMPLE
    Get-ExoDelegatedConnection -Current | Format-List *

    Shows every property of the current connection.

    .OUTPUTS
    ExoDelegated.Connection
    #>
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    [OutputType('ExoDelegated.Connection')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)]
        [SupportsWildcards()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [string[]] $Name = '*',

        [Parameter(Mandatory, ParameterSetName = 'Current')]
        [switch] $Current
    )

    $list = if ($Current) { if ($script:ExoCurrentConnection) { $script:ExoCurrentConnection } }
            else { (Get-ExoRegisteredConnection) | Where-Object { $c = $_; @($Name | Where-Object { $c.Name -like $_ }).Count -gt 0 } }
    foreach ($c in $list) {
        $c.Refresh()
        $c
    }
}
