# The demo: the forum thread's job end to end on the built-in emulator.
# Run through `pwsh ./build.ps1 demo`, which builds first.
param([Parameter(Mandatory)][string] $Root)
$ErrorActionPreference = 'Stop'

Import-Module (Join-Path $Root 'psmodule/ExoDelegated/ExoDelegated.psd1') -Force
Write-Host '--- ExoDelegated version (module -> C ABI -> native library)'
Get-ExoDelegatedVersion | Format-List | Out-Host
