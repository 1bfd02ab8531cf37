# ExoDelegated: Exchange Online admin cmdlets over delegated partner access
# (GDAP/AOBO, Secure Application Model), backed by the exo_bridge native library.
Set-StrictMode -Version 3.0

foreach ($file in [System.IO.Directory]::GetFiles((Join-Path $PSScriptRoot 'Private'), '*.ps1')) {
    . $file
}

# Fails the import with a clear message when the platform is unsupported, the
# native library or interop assembly is missing, or their versions disagree.
# Safe to repeat, and in many runspaces of one process: the interop assembly and
# the native library are loaded once per process.
Initialize-ExoNative -ModuleRoot $PSScriptRoot
Initialize-ExoConnectionRegistry

foreach ($file in [System.IO.Directory]::GetFiles((Join-Path $PSScriptRoot 'Public'), '*.ps1')) {
    . $file
}
