function Copy-ExoParameter {
    # The Exchange cmdlet parameters from the bound parameters of a command:
    # only the names listed, switches as booleans.
    param(
        [Parameter(Mandatory)][System.Collections.Generic.Dictionary[string, object]] $BoundParameters,
        [Parameter(Mandatory)][string[]] $Name,
        [System.Collections.IDictionary] $Into = [ordered]@{}
    )
    foreach ($n in $Name) {
        if ($BoundParameters.ContainsKey($n)) {
            $value = $BoundParameters[$n]
            if ($value -is [System.Management.Automation.SwitchParameter]) { $value = $value.IsPresent }
            $Into[$n] = $value
        }
    }
    $Into
}

function ConvertTo-ExoResultSize {
    # 'Unlimited' -> 0 (no limit); a number -> that number.
    param([Parameter(Mandatory)][string] $Value)
    if ($Value -eq 'Unlimited') { return [long]0 }
    [long]$Value
}

function Get-ExoReadVerb {
    # Cmdlets whose verb is Get or Test only read (docs/ABI.md); every other verb may change state.
    param([Parameter(Mandatory)][string] $CmdletName)
    $verb = $CmdletName.Split('-', 2)[0]
    $verb -in 'Get', 'Test'
}
