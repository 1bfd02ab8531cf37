# ExoDelegated: Exchange Online admin cmdlets over delegated partner access
# (GDAP/AOBO, Secure Application Model), backed by the exo_bridge native library.
Set-StrictMode -Version 3.0

foreach ($folder in 'Private', 'Public') {
    foreach ($file in [System.IO.Directory]::GetFiles((Join-Path $PSScriptRoot $folder), '*.ps1')) {
        . $file
    }
}

# Fails the import with a clear message when the platform is unsupported, the
# native library or interop assembly is missing, or their versions disagree.
Initialize-ExoNative -ModuleRoot $PSScriptRoot
