# The installable package: the module staged the way 'build.ps1 package' stages it, made into a
# .nupkg by PSResourceGet (Publish-PSResource to a local folder repository), installed from that
# repository into a fresh folder and used, in a new pwsh, by name, with the emulator it ships.
BeforeAll {
    $script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $script:Pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
    Import-Module (Join-Path $RepoRoot 'tools/Package.psm1') -Force
    . (Join-Path $RepoRoot 'tools/Get-ExoNativeRid.ps1')
    $script:Target = Get-ExoNativeRid
    $script:Staging = New-ExoModuleStaging -ModuleDir (Join-Path $RepoRoot 'psmodule/ExoDelegated') -Destination (Join-Path $TestDrive 'staging')
    $script:Repository = Join-Path $TestDrive 'repo'
    $script:Nupkg = New-ExoModuleNupkg -StagingDir $Staging -Repository $Repository
    $script:Version = (Import-PowerShellDataFile (Join-Path $Staging 'ExoDelegated.psd1')).ModuleVersion
}

Describe 'The .nupkg' {
    It 'is named ExoDelegated.<version>.nupkg and holds the module, interop, native library, emulator and license' {
        $Nupkg.Name | Should -Be "ExoDelegated.$Version.nupkg"
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Nupkg.FullName)
        try { $entries = @($zip.Entries | ForEach-Object FullName) }
        finally { $zip.Dispose() }
        $rid = $Target.Rid
        foreach ($file in 'ExoDelegated.psd1', 'ExoDelegated.psm1', 'ExoDelegated.Merged.ps1', 'ExoDelegated.Format.ps1xml', 'LICENSE',
            'lib/ExoDelegated.Interop.dll', 'en-US/about_ExoDelegated.help.txt',
            "runtimes/$rid/native/$($Target.LibraryFile)", "runtimes/$rid/native/$($Target.EmulatorFile)") {
            $entries | Should -Contain $file
        }
        $entries | Where-Object { $_ -match '(^|/)\.[^/]+\.new$' } | Should -BeNullOrEmpty
        # The merged file replaces the source files.
        $entries | Where-Object { $_ -like 'Private/*' -or $_ -like 'Public/*' } | Should -BeNullOrEmpty
    }

    It 'carries the metadata a gallery needs' {
        $m = Import-PowerShellDataFile (Join-Path $Staging 'ExoDelegated.psd1')
        $m.GUID | Should -Match '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
        $m.PowerShellVersion | Should -Be '7.2'
        $m.CompatiblePSEditions | Should -Be @('Core')
        $m.Description | Should -Not -BeNullOrEmpty
        $m.Author | Should -Not -BeNullOrEmpty
        $psData = $m.PrivateData.PSData
        $psData.ProjectUri | Should -Match '^https://'
        $psData.LicenseUri | Should -Match '^https://.*LICENSE$'
        $psData.ReleaseNotes | Should -Match $Version
        foreach ($tag in 'PSEdition_Core', 'Windows', 'Linux', 'MacOS', 'Exchange', 'GDAP') { $psData.Tags | Should -Contain $tag }
        (Get-Content -Raw (Join-Path $Staging 'LICENSE')) | Should -Match 'MIT License'
    }

    It 'refuses to stage a RID with only half of its native files' {
        $half = Join-Path $TestDrive 'half'
        $null = New-Item -ItemType Directory -Force (Join-Path $half 'osx-arm64')
        Set-Content (Join-Path $half 'osx-arm64/libexo_bridge.dylib') 'x'
        { New-ExoModuleStaging -ModuleDir (Join-Path $RepoRoot 'psmodule/ExoDelegated') -Destination (Join-Path $TestDrive 'staging-half') -RuntimesFrom $half } |
            Should -Throw '*osx-arm64*only one of libexo_bridge.dylib and exo-emulator*'
    }
}

Describe 'Installed from a local repository into a fresh folder' {
    BeforeAll {
        # Install-PSResource -Scope CurrentUser installs into the user's module folder: a child pwsh
        # with HOME (and XDG_DATA_HOME) pointing at a fresh folder makes that folder the user's, and
        # keeps the repository registration out of the real user's settings. Windows has no such
        # variable for the Documents folder: there Save-PSResource writes the same layout to -Path.
        $script:Home2 = Join-Path $TestDrive 'home'
        $null = New-Item -ItemType Directory -Force $Home2
        $script:Modules = if ($IsWindows) { Join-Path $Home2 'Modules' } else { Join-Path $Home2 '.local/share/powershell/Modules' }
        $install = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ExoLocal -Uri '$Repository' -Trusted
if (`$IsWindows) { Save-PSResource -Name ExoDelegated -Repository ExoLocal -Path '$Modules' -IncludeXml -TrustRepository }
else { Install-PSResource -Name ExoDelegated -Repository ExoLocal -Scope CurrentUser -TrustRepository }
(Get-PSResourceRepository -Name ExoLocal).Uri.LocalPath
"@
        $saved = @{ HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; XDG_CACHE_HOME = $env:XDG_CACHE_HOME }
        try {
            if (-not $IsWindows) {
                # .NET reports a special folder that does not exist as '' (PSResourceGet would then
                # write its settings relative to the working directory): create them first.
                foreach ($d in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Force (Join-Path $Home2 $d) }
                $env:HOME = $Home2
                $env:XDG_DATA_HOME = Join-Path $Home2 '.local/share'
                $env:XDG_CONFIG_HOME = Join-Path $Home2 '.config'
                $env:XDG_CACHE_HOME = Join-Path $Home2 '.cache'
            }
            Push-Location $Home2
            $script:InstallOutput = & $Pwsh -NoProfile -NonInteractive -Command $install 2>&1 | ForEach-Object { "$_" }
            $script:InstallExit = $LASTEXITCODE
        }
        finally {
            Pop-Location
            foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
        }
    }

    It 'installs with PSResourceGet into the fresh module folder, registering the repository only there' {
        $InstallExit | Should -Be 0 -Because ($InstallOutput -join "`n")
        if (-not $IsWindows) {
            Test-Path (Join-Path $Home2 '.local/share/PSResourceGet/PSResourceRepository.xml') | Should -BeTrue
            Test-Path (Join-Path $Home2 'PSResourceGet') | Should -BeFalse
        }
        Test-Path (Join-Path $Modules "ExoDelegated/$Version/ExoDelegated.psd1") | Should -BeTrue
        Test-Path (Join-Path $Modules "ExoDelegated/$Version/runtimes/$($Target.Rid)/native/$($Target.EmulatorFile)") | Should -BeTrue
    }

    It 'imports by name in a new pwsh and runs the demo through the packaged emulator' {
        $demo = @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$Modules' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module ExoDelegated
`$m = Get-Module ExoDelegated
`$emu = Start-ExoDelegatedEmulator -Tenants 1 -Mailboxes 6
try {
    `$rt = ConvertTo-SecureString `$emu.refreshToken -AsPlainText -Force
    `$cs = ConvertTo-SecureString `$emu.clientSecret -AsPlainText -Force
    `$c = Connect-ExoDelegated -TenantId `$emu.customers[0].domain -ApplicationId `$emu.applicationId -RefreshToken `$rt -ClientSecret `$cs -AuthorityHost `$emu.url -ExchangeHost `$emu.url
    `$boxes = @(Get-EXOMailbox -ResultSize Unlimited)
    [pscustomobject]@{
        ModuleBase = `$m.ModuleBase; Version = `$m.Version.ToString(); Emulator = `$emu.Process.MainModule.FileName
        Mailboxes = `$boxes.Count; First = `$boxes[0].UserPrincipalName; Native = (Get-ExoDelegatedVersion).NativeLibrary
    } | ConvertTo-Json -Compress
}
finally { Stop-ExoDelegatedEmulator `$emu }
"@
        $out = & $Pwsh -NoProfile -NonInteractive -Command $demo 2>&1 | ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $r = ($out | Select-Object -Last 1) | ConvertFrom-Json
        $installed = [System.IO.Path]::GetFullPath((Join-Path $Modules "ExoDelegated/$Version"))
        [System.IO.Path]::GetFullPath($r.ModuleBase) | Should -Be $installed
        $r.Version | Should -Be $Version
        $r.Emulator | Should -BeLike "$installed*$($Target.EmulatorFile)"
        $r.Native | Should -BeLike "$installed*$($Target.LibraryFile)"
        $r.Mailboxes | Should -Be 6
        $r.First | Should -Match '@'
    }
}
