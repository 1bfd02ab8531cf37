function Get-ExoNativeRid {
    <#
    .SYNOPSIS
    The runtime identifier (RID) of this process, e.g. linux-x64, with the file names of the native
    library and of exo-emulator for it.

    .DESCRIPTION
    The RID/file-name mapping of build.ps1 and tools/ (they dot-source this file: they run before
    the interop assembly exists). The module itself (its import, Start-ExoDelegatedEmulator) uses
    the interop's copy of it (interop/NativeRid.cs: no script compiled at first use); change both
    together, tests/pester/NativeRid.Tests.ps1 checks that they agree for all six RIDs.
    With -Rid, describes that RID instead of this process (for building and packaging other platforms).
    Throws PlatformNotSupportedException for anything but the six supported RIDs.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Process')]
    [OutputType([pscustomobject])]
    param(
        # A RID to describe instead of this process's: win-x64, win-arm64, linux-x64, linux-arm64, osx-x64, osx-arm64.
        [Parameter(ParameterSetName = 'Rid', Mandatory)][string] $Rid
    )

    $supported = 'win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64'
    if ($PSCmdlet.ParameterSetName -eq 'Process') {
        $ri = [System.Runtime.InteropServices.RuntimeInformation]
        $os = if ($ri::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Windows)) { 'win' }
              elseif ($ri::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Linux)) { 'linux' }
              elseif ($ri::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::OSX)) { 'osx' }
              else { $null }
        $arch = switch ($ri::ProcessArchitecture) {
            'X64' { 'x64' }
            'Arm64' { 'arm64' }
            default { $null }
        }
        $Rid = if ($os -and $arch) { "$os-$arch" } else { '' }
        $platform = '{0} ({1})' -f $ri::OSDescription, $ri::ProcessArchitecture
    }
    else { $platform = "RID '$Rid'" }
    if ($Rid -cnotin $supported) {
        throw [System.PlatformNotSupportedException]::new(
            "ExoDelegated does not support this platform: $platform. Supported: $($supported -join ', ').")
    }
    $os, $arch = $Rid.Split('-')
    $triple = @{
        'win-x64' = 'x86_64-pc-windows-msvc'; 'win-arm64' = 'aarch64-pc-windows-msvc'
        'linux-x64' = 'x86_64-unknown-linux-gnu'; 'linux-arm64' = 'aarch64-unknown-linux-gnu'
        'osx-x64' = 'x86_64-apple-darwin'; 'osx-arm64' = 'aarch64-apple-darwin'
    }[$Rid]
    [pscustomobject]@{
        Rid          = $Rid
        OS           = $os
        Architecture = $arch
        # The file cargo writes for the cdylib and the emulator binary on that OS.
        LibraryFile  = switch ($os) { 'win' { 'exo_bridge.dll' } 'osx' { 'libexo_bridge.dylib' } default { 'libexo_bridge.so' } }
        EmulatorFile = if ($os -eq 'win') { 'exo-emulator.exe' } else { 'exo-emulator' }
        # What a C program links against: the import library on Windows, the library itself elsewhere.
        LinkFile     = if ($os -eq 'win') { 'exo_bridge.dll.lib' } else { $null }
        RustTarget   = $triple
    }
}
