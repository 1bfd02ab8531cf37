# Helpers to run exo-emulator (a local Entra ID + Exchange Online admin API) from PowerShell:
# used by the Pester tests, the demo and the benchmarks, and by users testing runbooks.
#
#   $emu = Start-ExoEmulator -Tenants 3 -Mailboxes 50
#   ... Connect-ExoDelegated -AuthorityHost $emu.url -ExchangeHost $emu.url ...
#   Get-ExoEmulatorStats $emu
#   Stop-ExoEmulator $emu
#
# A thin wrapper for the repository's own scripts (it runs the emulator cargo built in
# target/release): the start/stop logic is the module's (Private/ExoEmulatorProcess.ps1), the one
# behind Start-ExoDelegatedEmulator, which runs the emulator shipped in the package.
Set-StrictMode -Version 3.0
. (Join-Path $PSScriptRoot 'Get-ExoNativeRid.ps1')
. (Join-Path $PSScriptRoot '../psmodule/ExoDelegated/Private/ExoEmulatorProcess.ps1')

function Get-ExoEmulatorDefaultPath {
    [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot "../target/release/$((Get-ExoNativeRid).EmulatorFile)"))
}

function Start-ExoEmulator {
    <#
    .SYNOPSIS
    Starts exo-emulator and returns its startup information (url, tenants, secrets) and process.

    .DESCRIPTION
    Starts the emulator with the given options, reads the one JSON line it prints on startup
    (waiting at most -TimeoutSec), and returns it as an object with two more properties:
    Process (the System.Diagnostics.Process) and Arguments. Stop it with Stop-ExoEmulator.
    The returned object holds the emulator's test secrets (refreshToken, clientSecret, ...) as
    plain strings: they are fake, valid only for this emulator process.

    .PARAMETER Path
    The emulator executable. Default: target/release/exo-emulator of this repository.

    .PARAMETER Tenants
    Number of customer tenants (--tenants).

    .PARAMETER Mailboxes
    Mailboxes per tenant (--mailboxes).

    .PARAMETER Seed
    Seed of the generated estate and of the faults (--seed).

    .PARAMETER LatencyMs
    Added latency per request (--latency-ms).

    .PARAMETER Faults
    Fault injection, e.g. 'throttle=1.0' or 'throttle=0.05,transient=0.02' (--faults).

    .PARAMETER TokenLifetime
    Access token lifetime in seconds (--token-lifetime).

    .PARAMETER MaxPageSize
    Largest page Exchange returns (--max-page-size).

    .PARAMETER NextLinkTtl
    Seconds a nextLink stays valid (--next-link-ttl).

    .PARAMETER DeviceCodeInterval
    Device code polling interval in seconds (--device-code-interval).

    .PARAMETER Threads
    Worker threads (--threads).

    .PARAMETER ArgumentList
    More command-line arguments, passed as they are.

    .PARAMETER TimeoutSec
    How long to wait for the startup line. Default: 30.

    .EXAMPLE
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 20
    $emu.url; $emu.customers.domain
    Stop-ExoEmulator $emu
    #>
    [CmdletBinding()]
    param(
        [string] $Path = (Get-ExoEmulatorDefaultPath),
        [int] $Tenants,
        [int] $Mailboxes,
        [int] $Seed,
        [int] $LatencyMs,
        [string] $Faults,
        [int] $TokenLifetime,
        [int] $MaxPageSize,
        [int] $NextLinkTtl,
        [int] $DeviceCodeInterval,
        [int] $Threads,
        [string[]] $ArgumentList = @(),
        [int] $TimeoutSec = 30
    )

    if (-not (Test-Path -LiteralPath $Path)) {
        throw "exo-emulator not found at '$Path': build it with 'pwsh ./build.ps1 build'."
    }
    Start-ExoEmulatorProcess -Path $Path -Arguments (ConvertTo-ExoEmulatorArgument $PSBoundParameters $ArgumentList) -TimeoutSec $TimeoutSec
}

function Stop-ExoEmulator {
    <#
    .SYNOPSIS
    Stops an emulator started by Start-ExoEmulator: closes its stdin, then kills it if it is still running.

    .PARAMETER Emulator
    The object Start-ExoEmulator returned (pipeline input).

    .PARAMETER TimeoutSec
    How long to wait for a clean exit after stdin is closed. Default: 5.

    .EXAMPLE
    Stop-ExoEmulator $emu
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)][AllowNull()] $Emulator,
        [int] $TimeoutSec = 5
    )
    process { Stop-ExoEmulatorProcess -Emulator $Emulator -TimeoutSec $TimeoutSec }
}

function Get-ExoEmulatorStats {
    <#
    .SYNOPSIS
    Reads the emulator's counters (GET {url}/_emulator/stats).

    .PARAMETER Emulator
    The object Start-ExoEmulator returned (pipeline input).

    .EXAMPLE
    (Get-ExoEmulatorStats $emu).invokeCommand
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Emulator)
    process { Invoke-RestMethod -Method Get -Uri "$($Emulator.url)/_emulator/stats" -NoProxy }
}

function Reset-ExoEmulatorStats {
    <#
    .SYNOPSIS
    Sets the emulator's counters back to zero (POST {url}/_emulator/reset-stats).

    .PARAMETER Emulator
    The object Start-ExoEmulator returned (pipeline input).

    .EXAMPLE
    Reset-ExoEmulatorStats $emu
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Emulator)
    process { $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.url)/_emulator/reset-stats" -NoProxy }
}

function Revoke-ExoEmulatorRefreshToken {
    <#
    .SYNOPSIS
    Revokes every refresh token the emulator issued so far (POST {url}/_emulator/revoke).

    .DESCRIPTION
    Later redemptions of those tokens fail with AADSTS70000 (invalid_grant), as after a
    password reset or a revoked consent. Access tokens already issued keep working until they
    expire; refresh tokens issued after the call work.

    .PARAMETER Emulator
    The object Start-ExoEmulator returned (pipeline input).

    .EXAMPLE
    Revoke-ExoEmulatorRefreshToken $emu
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Emulator)
    process { $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.url)/_emulator/revoke" -NoProxy }
}

Export-ModuleMember -Function Start-ExoEmulator, Stop-ExoEmulator, Get-ExoEmulatorStats, Reset-ExoEmulatorStats, Revoke-ExoEmulatorRefreshToken
