# Dry runs that Exchange checks: under -WhatIf a write cmdlet is sent with Exchange's own
# WhatIf switch (Exchange validates, changes nothing, answers "What if: ..."), never without it.

function Test-ExoServerWhatIf {
    # $false (after saying so) when the module's cmdlet list marks the cmdlet as having no
    # -WhatIf: it is then not sent at all. $true otherwise (listed with -WhatIf, or not listed:
    # sent with WhatIf, and a binding error about WhatIf is reported by Invoke-ExoPaged -DryRun).
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][string] $CmdletName,
        [AllowNull()][object] $Target
    )
    if ([ExoDelegated.Interop.ExchangeCmdletCatalog]::SupportsWhatIf($CmdletName) -eq $false) {
        Write-ExoNoDryRun -Cmdlet $Cmdlet -CmdletName $CmdletName -Target $Target
        return $false
    }
    $true
}

function Confirm-ExoWrite {
    # Invoke-ExoCommand's decision for one invocation: 'Send' (a read, or ShouldProcess said yes),
    # 'DryRun' (-WhatIf: sent with Exchange's own WhatIf, never as the write itself) or 'Skip'
    # (declined, or a cmdlet with no -WhatIf under -WhatIf). $Where names the tenant(s).
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][string] $CmdletName,
        [System.Collections.IDictionary] $Parameters,
        [AllowNull()][object] $Identity,
        [Parameter(Mandatory)][string] $Where
    )
    if (Get-ExoReadVerb $CmdletName) { return 'Send' }
    $summary = (@($Parameters.Keys) | Where-Object { $_ -ne 'Identity' }) -join ', '
    $action = if ($summary) { "$CmdletName ($summary)" } else { $CmdletName }
    $what = if ($null -ne $Identity) { "$Identity in $Where" } else { $Where }
    # The caller's -WhatIf (its $WhatIfPreference, seen here through the call's scope).
    if ($WhatIfPreference) {
        if ((Test-ExoServerWhatIf -Cmdlet $Cmdlet -CmdletName $CmdletName -Target $what) -eq $false) { return 'Skip' }
        return 'DryRun'
    }
    if ($Cmdlet.ShouldProcess($what, $action)) { 'Send' } else { 'Skip' }
}

function Add-ExoWhatIf {
    # A copy of the parameters with WhatIf = $true (whatever the caller put there).
    param([System.Collections.IDictionary] $Parameters)
    $copy = [ordered]@{}
    if ($Parameters) {
        foreach ($key in @($Parameters.Keys)) {
            if ("$key" -ne 'WhatIf') { $copy[$key] = $Parameters[$key] }
        }
    }
    $copy['WhatIf'] = $true
    $copy
}

function Test-ExoNoWhatIfError {
    # Exchange's binding error for a cmdlet without a WhatIf parameter: nothing ran.
    param([Parameter(Mandatory)][System.Exception] $Exception)
    [ExoDelegated.Interop.DryRun]::IsNoWhatIfError($Exception)
}

function Write-ExoNoDryRun {
    # Says clearly that the cmdlet cannot be dry-run on the server; nothing was changed.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][string] $CmdletName,
        [AllowNull()][object] $Target,
        # Sent with WhatIf and refused by Exchange (rather than known from the module's list).
        [switch] $Sent
    )
    [ExoDelegated.Interop.Streams]::Warning($Cmdlet, [ExoDelegated.Interop.DryRun]::NoDryRunWarning($CmdletName, $Target, $Sent.IsPresent))
}
