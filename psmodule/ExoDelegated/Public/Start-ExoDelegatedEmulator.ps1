function Start-ExoDelegatedEmulator {
    <#
    .SYNOPSIS
    Starts exo-emulator, the local Entra ID + Exchange Online admin API shipped with the module, to test runbooks offline.

    .DESCRIPTION
    Starts the exo-emulator binary that ships in the module's runtimes/<rid>/native/ folder
    (or -Path), listening on a free port of 127.0.0.1. It generates a partner tenant and
    customer tenants with mailboxes, permissions and calendars, and answers the sign-in and
    Exchange admin requests ExoDelegated makes, so a runbook can run end to end without a
    Microsoft 365 tenant: pass the returned url as -AuthorityHost and -ExchangeHost to
    Connect-ExoDelegated.

    Waits at most -TimeoutSec for the emulator's startup line and returns it as an object:
    url, partnerTenantId, applicationId, clientSecret, refreshToken, publicClientId,
    customers (tenantId, domain, mailboxes), and the emulator's process (Process). The
    secrets it holds are fake and valid only for this emulator process.

    The emulator stops with Stop-ExoDelegatedEmulator, when the module is removed
    (Remove-Module), when PowerShell exits, and, because it serves only while its standard
    input is open, when this PowerShell process ends in any other way.

    .PARAMETER Tenants
    Number of customer tenants to generate. Default (the emulator's): 3.

    .PARAMETER Mailboxes
    Mailboxes per customer tenant. Default (the emulator's): 50.

    .PARAMETER Seed
    Seed of the generated tenants and of the injected faults: the same seed gives the same data.

    .PARAMETER LatencyMs
    Latency added to every request, in milliseconds.

    .PARAMETER Faults
    Faults to inject, as kind=probability pairs, e.g. 'throttle=0.05,transient=0.02', to see
    how a runbook copes with throttling and transient failures.

    .PARAMETER TokenLifetime
    Lifetime of the access tokens it issues, in seconds.

    .PARAMETER MaxPageSize
    The largest page of results Exchange returns.

    .PARAMETER NextLinkTtl
    Seconds a paging link stays valid.

    .PARAMETER DeviceCodeInterval
    Polling interval of the device code sign-in, in seconds.

    .PARAMETER Threads
    Worker threads of the emulator.

    .PARAMETER ArgumentList
    More exo-emulator command-line arguments, passed as they are (exo-emulator --help lists them).

    .PARAMETER Path
    The exo-emulator executable to start. Default: the one shipped with the module for this platform.

    .PARAMETER TimeoutSec
    How long to wait for the emulator to start, in seconds. Default: 30.

    .EXAMPLE
    $emu = Start-ExoDelegatedEmulator -Tenants 2 -Mailboxes 20
    $rt = ConvertTo-SecureString $emu.refreshToken -AsPlainText -Force
    $cs = ConvertTo-SecureString $emu.clientSecret -AsPlainText -Force
    Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -RefreshToken $rt -ClientSecret $cs -AuthorityHost $emu.url -ExchangeHost $emu.url
    Get-EXOMailbox -ResultSize 5
    Stop-ExoDelegatedEmulator $emu

    Runs a runbook's first steps against two generated customer tenants, then stops the emulator.

    .EXAMPLE
    $emu = Start-ExoDelegatedEmulator -Faults 'throttle=0.2' -Seed 7
    $emu.customers | Format-Table domain, mailboxes

    Starts an emulator that throttles one request in five, to test retries.

    .INPUTS
    None.

    .OUTPUTS
    ExoDelegated.Emulator
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.Emulator')]
    param(
        [ValidateRange(1, 1000)][int] $Tenants,
        [ValidateRange(0, 1000000)][int] $Mailboxes,
        [int] $Seed,
        [ValidateRange(0, 600000)][int] $LatencyMs,
        [string] $Faults,
        [ValidateRange(1, [int]::MaxValue)][int] $TokenLifetime,
        [ValidateRange(1, [int]::MaxValue)][int] $MaxPageSize,
        [ValidateRange(1, [int]::MaxValue)][int] $NextLinkTtl,
        [ValidateRange(0, 3600)][int] $DeviceCodeInterval,
        [ValidateRange(1, 1024)][int] $Threads,
        [string[]] $ArgumentList = @(),
        [string] $Path,
        [ValidateRange(1, 3600)][int] $TimeoutSec = 30
    )

    if ($Path) {
        # Relative to the current PowerShell location, not the process's working directory.
        $Path = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)
    }
    else {
        # The RID the import loaded the native library for, and the interop's file names for it
        # (NativeRid, the same mapping as Get-ExoNativeRid, which is script compiled at its first call).
        $rid = $script:ExoNative.Rid
        $Path = [System.IO.Path]::Combine($script:ExoModuleRoot, 'runtimes', $rid, 'native', [ExoDelegated.Interop.NativeRid]::EmulatorFile($rid))
        if (-not [System.IO.File]::Exists($Path)) {
            $e = [System.Management.Automation.ErrorRecord]::new(
                [System.IO.FileNotFoundException]::new("exo-emulator for $rid is not in this package: '$Path'.", $Path),
                'ExoDelegated.EmulatorMissing', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $Path)
            $e.ErrorDetails = [System.Management.Automation.ErrorDetails]::new("exo-emulator for $rid is not in this package: '$Path'.")
            $e.ErrorDetails.RecommendedAction = "Install a package built for $rid, build it with 'pwsh ./build.ps1 build', or pass -Path."
            $PSCmdlet.ThrowTerminatingError($e)
        }
    }
    $arguments = ConvertTo-ExoEmulatorArgument $PSBoundParameters $ArgumentList
    try { $emulator = Start-ExoEmulatorProcess -Path $Path -Arguments $arguments -TimeoutSec $TimeoutSec }
    catch {
        $e = [System.Management.Automation.ErrorRecord]::new($_.Exception, 'ExoDelegated.EmulatorStartFailed',
            [System.Management.Automation.ErrorCategory]::OpenError, $Path)
        $e.ErrorDetails = [System.Management.Automation.ErrorDetails]::new("exo-emulator did not start: $($_.Exception.Message)")
        $e.ErrorDetails.RecommendedAction = 'Check the arguments (exo-emulator --help) and that the file is an exo-emulator for this platform.'
        $PSCmdlet.ThrowTerminatingError($e)
    }
    $emulator.PSObject.TypeNames.Insert(0, 'ExoDelegated.Emulator')
    Register-ExoEmulator $emulator
    $emulator
}
