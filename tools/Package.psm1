# The module package: stages the module folder with every platform's native files and makes the
# .nupkg with PowerShell's own PSResourceGet (Publish-PSResource to a local folder repository).
# Used by 'build.ps1 package' and by tests/pester/Package.Tests.ps1, so what is tested is what ships.
Set-StrictMode -Version 3.0
. (Join-Path $PSScriptRoot 'Get-ExoNativeRid.ps1')

$script:Rids = 'win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64'

function New-ExoModuleStaging {
    <#
    .SYNOPSIS
    Copies the built module folder to <Destination>/ExoDelegated, adds the native files of other RIDs
    from -RuntimesFrom (<dir>/<rid>/<files>, what 'build.ps1 native -Rid' writes) and returns the folder.
    Fails when a RID's library or emulator is incomplete, or when no RID is complete.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $ModuleDir,
        [Parameter(Mandatory)][string] $Destination,
        [string] $RuntimesFrom,
        # The license file shipped in the package (the gallery links LicenseUri; the file travels with it).
        [string] $LicenseFile = (Join-Path $PSScriptRoot '../LICENSE')
    )
    $staging = Join-Path $Destination 'ExoDelegated'
    if (Test-Path $staging) { Remove-Item -Recurse -Force $staging }
    $null = New-Item -ItemType Directory -Force -Path $staging
    # The package ships the merged file (build.ps1's Write-MergedModule) instead of the Private/ and
    # Public/ source files it was made from; it must be newer than all of them, or the module would
    # look for the sources.
    $merged = Join-Path $ModuleDir 'ExoDelegated.Merged.ps1'
    $sources = @(Get-ChildItem -LiteralPath (Join-Path $ModuleDir 'Private'), (Join-Path $ModuleDir 'Public') -Filter '*.ps1')
    if (-not (Test-Path $merged)) { throw "'$merged' is missing: run 'pwsh ./build.ps1 build' first." }
    $stale = @($sources | Where-Object { $_.LastWriteTimeUtc -gt (Get-Item $merged).LastWriteTimeUtc })
    if ($stale) { throw "'$merged' is older than $($stale[0].Name): run 'pwsh ./build.ps1 build' first." }
    # Everything else but hidden files (the build's half-copied '.x.new' files) and editor leftovers.
    Get-ChildItem -LiteralPath $ModuleDir -Recurse -File |
        Where-Object {
            $top = ([System.IO.Path]::GetRelativePath($ModuleDir, $_.FullName) -split '[\\/]')[0]
            $top -notin 'Private', 'Public' -and $_.Name -notlike '.*' -and $_.Name -notlike '*.swp'
        } |
        ForEach-Object {
            $relative = [System.IO.Path]::GetRelativePath($ModuleDir, $_.FullName)
            $target = Join-Path $staging $relative
            $null = New-Item -ItemType Directory -Force -Path (Split-Path $target)
            Copy-Item -LiteralPath $_.FullName -Destination $target
        }
    Copy-Item -LiteralPath $LicenseFile -Destination (Join-Path $staging 'LICENSE')
    if ($RuntimesFrom) {
        foreach ($dir in Get-ChildItem -LiteralPath $RuntimesFrom -Directory) {
            if ($dir.Name -notin $script:Rids) { throw "'$($dir.FullName)' is not named after a supported RID ($($script:Rids -join ', '))." }
            $native = Join-Path $staging "runtimes/$($dir.Name)/native"
            $null = New-Item -ItemType Directory -Force -Path $native
            Copy-Item -Path (Join-Path $dir.FullName '*') -Destination $native -Force
        }
    }
    $complete = foreach ($rid in $script:Rids) {
        $t = Get-ExoNativeRid -Rid $rid
        $native = Join-Path $staging "runtimes/$rid/native"
        $lib = Test-Path (Join-Path $native $t.LibraryFile)
        $emu = Test-Path (Join-Path $native $t.EmulatorFile)
        if ($lib -ne $emu) { throw "runtimes/$rid/native/ holds only one of $($t.LibraryFile) and $($t.EmulatorFile)." }
        if ($lib) { $rid }
    }
    if (-not $complete) { throw "The package has no native library: run 'pwsh ./build.ps1 build' (or 'native -Rid <rid>') first." }
    Write-Verbose "staged $staging for $($complete -join ', ')"
    Get-Item -LiteralPath $staging
}

function New-ExoModuleNupkg {
    <#
    .SYNOPSIS
    Makes <Repository>/ExoDelegated.<version>.nupkg from a staged module folder with Publish-PSResource
    to a local folder repository, registered under a unique name only for this call.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $StagingDir,
        [Parameter(Mandatory)][string] $Repository
    )
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    $null = New-Item -ItemType Directory -Force -Path $Repository
    $version = (Import-PowerShellDataFile (Join-Path $StagingDir 'ExoDelegated.psd1')).ModuleVersion
    $nupkg = Join-Path $Repository "ExoDelegated.$version.nupkg"
    Remove-Item -ErrorAction SilentlyContinue $nupkg
    $name = "ExoDelegatedLocal-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    Register-PSResourceRepository -Name $name -Uri ([System.IO.Path]::GetFullPath($Repository)) -Trusted
    try { Publish-PSResource -Path $StagingDir -Repository $name -ErrorAction Stop }
    finally { Unregister-PSResourceRepository -Name $name -ErrorAction SilentlyContinue }
    if (-not (Test-Path $nupkg)) { throw "Publish-PSResource wrote no '$nupkg'." }
    Get-Item -LiteralPath $nupkg
}

Export-ModuleMember -Function New-ExoModuleStaging, New-ExoModuleNupkg
