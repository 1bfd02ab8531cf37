function Initialize-ExoNative {
    <#
    .SYNOPSIS
    Loads the prebuilt interop assembly and the native library for this platform, and checks they match.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $ModuleRoot)

    $target = Get-ExoNativeRid
    $libraryPath = [System.IO.Path]::Combine($ModuleRoot, 'runtimes', $target.Rid, 'native', $target.LibraryFile)
    if (-not [System.IO.File]::Exists($libraryPath)) {
        throw [System.IO.FileNotFoundException]::new(
            "ExoDelegated's native library for $($target.Rid) is missing: '$libraryPath'. " +
            "Build it with 'pwsh ./build.ps1 build' or install a package built for $($target.Rid).", $libraryPath)
    }

    # The interop assembly (interop/, built by 'build.ps1 build' with dotnet) ships prebuilt in lib/;
    # importing never runs a compiler.
    $loaded = 'ExoDelegated.Interop.Bridge' -as [type]
    if (-not $loaded) {
        $assemblyPath = [System.IO.Path]::Combine($ModuleRoot, 'lib', 'ExoDelegated.Interop.dll')
        if (-not [System.IO.File]::Exists($assemblyPath)) {
            throw [System.IO.FileNotFoundException]::new(
                "ExoDelegated's interop assembly is missing: '$assemblyPath'. Build it with 'pwsh ./build.ps1 build'.", $assemblyPath)
        }
        $null = [System.Reflection.Assembly]::LoadFrom($assemblyPath)
    }

    [ExoDelegated.Interop.NativeLoader]::Initialize($libraryPath)
    $nativeVersion = [ExoDelegated.Interop.Bridge]::NativeVersion()
    $interopVersion = [ExoDelegated.Interop.BuildInfo]::NativeVersion
    if ($nativeVersion -ne $interopVersion) {
        throw [System.InvalidOperationException]::new(
            "ExoDelegated's interop assembly was built for native library $interopVersion, but '$libraryPath' is $nativeVersion. " +
            "Rebuild with 'pwsh ./build.ps1 build', or start a new PowerShell session if another version was loaded earlier.")
    }
    # The interop's per-command code is compiled on an idle core meanwhile (once per process).
    [ExoDelegated.Interop.Warmup]::Start()
    $script:ExoNative = [pscustomobject]@{
        Rid           = $target.Rid
        LibraryPath   = $libraryPath
        NativeVersion = $nativeVersion
    }
}
