function Resolve-ExoEmulatorUrl {
    # $env:EXODELEGATED_EMULATOR_URL: every Connect-ExoDelegated without -AuthorityHost and
    # -ExchangeHost goes to exo-emulator, so runbooks (and the documentation's examples) run
    # offline unchanged. Loopback only, and said with a warning: a variable must never send
    # a partner's refresh token anywhere but this machine.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][string] $Url
    )
    $uri = $null
    if (-not [uri]::TryCreate($Url.Trim(), [System.UriKind]::Absolute, [ref]$uri) -or $uri.Scheme -notin 'http', 'https' -or -not $uri.IsLoopback) {
        $Cmdlet.ThrowTerminatingError([ExoDelegated.Interop.ErrorMapper]::Create('InsecureEndpoint',
                'EXODELEGATED_EMULATOR_URL must be an http(s) URL of this machine (127.0.0.1, ::1 or localhost).', 'SecurityError', $null,
                'Set it to the url of exo-emulator, or remove it: Remove-Item Env:EXODELEGATED_EMULATOR_URL.'))
    }
    $text = $uri.GetLeftPart([System.UriPartial]::Authority)
    [ExoDelegated.Interop.Streams]::Warning($Cmdlet, "Connecting to exo-emulator at $text (EXODELEGATED_EMULATOR_URL is set), not to Microsoft's cloud.")
    $text
}
