# Beside ExchangeOnlineManagement: both export Get-EXOMailbox and friends. The last module
# imported wins the plain name; -Prefix and module-qualified names reach ExoDelegated for sure.
# A fake minimal ExchangeOnlineManagement (one function) stands in for the real one.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $script:Pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
    $fake = Join-Path $TestDrive 'modules/ExchangeOnlineManagement'
    $null = New-Item -ItemType Directory -Force $fake
    Set-Content (Join-Path $fake 'ExchangeOnlineManagement.psm1') @'
function Get-EXOMailbox { [CmdletBinding()] param([int] $ResultSize) 'from-ExchangeOnlineManagement' }
Export-ModuleMember -Function Get-EXOMailbox
'@
    New-ModuleManifest -Path (Join-Path $fake 'ExchangeOnlineManagement.psd1') -RootModule 'ExchangeOnlineManagement.psm1' -ModuleVersion '3.9.9' -FunctionsToExport 'Get-EXOMailbox'
    $script:FakeModulePath = Join-Path $TestDrive 'modules'
    $script:Emulator = Start-ExoDelegatedEmulator -Tenants 1 -Mailboxes 4

    function Invoke-Child([string] $Script) {
        # A clean pwsh that finds the fake module by name; $emu is the test emulator's startup object.
        $prelude = @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$FakeModulePath' + [IO.Path]::PathSeparator + `$env:PSModulePath
`$emu = '$(($Emulator | Select-Object url, applicationId, refreshToken, clientSecret, customers | ConvertTo-Json -Depth 4 -Compress) -replace "'", "''")' | ConvertFrom-Json
function Connect-Emu([string] `$Command = 'Connect-ExoDelegated') {
    `$p = @{ TenantId = `$emu.customers[0].domain; ApplicationId = `$emu.applicationId; AuthorityHost = `$emu.url; ExchangeHost = `$emu.url
        RefreshToken = (ConvertTo-SecureString `$emu.refreshToken -AsPlainText -Force); ClientSecret = (ConvertTo-SecureString `$emu.clientSecret -AsPlainText -Force) }
    `$null = & `$Command @p
}
"@
        & $Pwsh -NoProfile -NonInteractive -Command ($prelude + $Script)
    }
}

AfterAll {
    Stop-ExoDelegatedEmulator $Emulator
}

Describe 'Beside ExchangeOnlineManagement' {
    It 'the module imported last wins the plain name (ExoDelegated imported last)' {
        $out = Invoke-Child @"
Import-Module ExchangeOnlineManagement
Import-Module '$ModuleManifest'
(Get-Command Get-EXOMailbox).Source
Connect-Emu
@(Get-EXOMailbox -ResultSize 10).Count
"@
        $out | Should -Be @('ExoDelegated', '4')
    }

    It 'the module imported last wins the plain name (ExchangeOnlineManagement imported last)' {
        $out = Invoke-Child @"
Import-Module '$ModuleManifest'
Import-Module ExchangeOnlineManagement
(Get-Command Get-EXOMailbox).Source
Get-EXOMailbox -ResultSize 10
"@
        $out | Should -Be @('ExchangeOnlineManagement', 'from-ExchangeOnlineManagement')
    }

    It 'Import-Module ExoDelegated -Prefix Dlg gives Get-DlgEXOMailbox and leaves Get-EXOMailbox to ExchangeOnlineManagement' {
        $out = Invoke-Child @"
Import-Module ExchangeOnlineManagement
Import-Module '$ModuleManifest' -Prefix Dlg
(Get-Command Get-EXOMailbox).Source
(Get-Command Get-DlgEXOMailbox).Source
(Get-Command Connect-DlgExoDelegated).Source
[bool](Get-Command Start-DlgExoDelegatedEmulator -ErrorAction SilentlyContinue)
Connect-Emu Connect-DlgExoDelegated
@(Get-DlgEXOMailbox -ResultSize 10).Count
Get-EXOMailbox
"@
        $out | Should -Be @('ExchangeOnlineManagement', 'ExoDelegated', 'ExoDelegated', 'True', '4', 'from-ExchangeOnlineManagement')
    }

    It 'module-qualified names reach each module whatever the import order' {
        $out = Invoke-Child @"
Import-Module '$ModuleManifest'
Import-Module ExchangeOnlineManagement
ExoDelegated\Connect-ExoDelegated -TenantId `$emu.customers[0].domain -ApplicationId `$emu.applicationId -AuthorityHost `$emu.url -ExchangeHost `$emu.url -RefreshToken (ConvertTo-SecureString `$emu.refreshToken -AsPlainText -Force) -ClientSecret (ConvertTo-SecureString `$emu.clientSecret -AsPlainText -Force) | Out-Null
@(ExoDelegated\Get-EXOMailbox -ResultSize 10).Count
ExchangeOnlineManagement\Get-EXOMailbox
"@
        $out | Should -Be @('4', 'from-ExchangeOnlineManagement')
    }
}
