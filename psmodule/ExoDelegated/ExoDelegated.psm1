# ExoDelegated: Exchange Online admin cmdlets over delegated partner access
# (GDAP/AOBO, Secure Application Model), backed by the exo_bridge native library.
Set-StrictMode -Version 3.0

# The functions come from Private/ and Public/. `pwsh ./build.ps1 build` merges those files
# into ExoDelegated.Merged.ps1 (git-ignored; the package ships only it): one file to read
# and parse instead of one per function makes the import faster. A source tree without a current merged
# file (never built, or a source file changed since) dot-sources the source files instead.
$load = & {
    $merged = [System.IO.Path]::Combine($PSScriptRoot, 'ExoDelegated.Merged.ps1')
    $sources = @(foreach ($dir in 'Private', 'Public') {
            $path = [System.IO.Path]::Combine($PSScriptRoot, $dir)
            if ([System.IO.Directory]::Exists($path)) { [System.IO.Directory]::GetFiles($path, '*.ps1') }
        })
    if (-not [System.IO.File]::Exists($merged)) { return $sources }
    $builtUtc = [System.IO.File]::GetLastWriteTimeUtc($merged)
    foreach ($file in $sources) {
        if ([System.IO.File]::GetLastWriteTimeUtc($file) -gt $builtUtc) { return $sources }
    }
    $merged
}
# The interop assembly is loaded before the functions are parsed: PowerShell resolves the type
# names a script uses ([ExoDelegated.Interop.Bridge], ...) while parsing it, and a type not loaded
# yet is searched for in every loaded assembly, at each use (a tenth of a second per import).
# Initialize-ExoNative checks it (and says what is missing) below.
$interop = [System.IO.Path]::Combine($PSScriptRoot, 'lib', 'ExoDelegated.Interop.dll')
if (-not ('ExoDelegated.Interop.Bridge' -as [type]) -and [System.IO.File]::Exists($interop)) {
    $null = [System.Reflection.Assembly]::LoadFrom($interop)
}
foreach ($file in $load) { . $file }

# Fails the import with a clear message when the platform is unsupported, the
# native library or interop assembly is missing, or their versions disagree.
# Safe to repeat, and in many runspaces of one process: the interop assembly and
# the native library are loaded once per process.
Initialize-ExoNative -ModuleRoot $PSScriptRoot
Initialize-ExoConnectionRegistry
# Emulators started by Start-ExoDelegatedEmulator stop with the module and with PowerShell.
Initialize-ExoEmulatorRegistry -ModuleRoot $PSScriptRoot
