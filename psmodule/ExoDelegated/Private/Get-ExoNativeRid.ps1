function Get-ExoNativeRid {
    <#
    .SYNOPSIS
    The runtime identifier (RID) of this process, e.g. linux-x64, and the native library's file name.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param()

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
    $supported = 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64'
    $rid = if ($os -and $arch) { "$os-$arch" } else { $null }
    if (-not $rid -or $rid -notin $supported) {
        $platform = '{0} ({1})' -f $ri::OSDescription, $ri::ProcessArchitecture
        throw [System.PlatformNotSupportedException]::new(
            "ExoDelegated does not support this platform: $platform. Supported: $($supported -join ', ').")
    }
    $file = switch ($os) {
        'win' { 'exo_bridge.dll' }
        'osx' { 'libexo_bridge.dylib' }
        default { 'libexo_bridge.so' }
    }
    [pscustomobject]@{ Rid = $rid; LibraryFile = $file }
}
