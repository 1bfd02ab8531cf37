function Get-ExoDelegatedVersion {
    <#
    .SYNOPSIS
    Shows the versions of the ExoDelegated module and of its native library.

    .DESCRIPTION
    Returns the module version, the version reported by the loaded exo_bridge
    native library (through the C ABI), the platform (runtime identifier) and
    the library's path. Use it to check an installation, or in a support ticket.

    .EXAMPLE
    Get-ExoDelegatedVersion

    ModuleVersion NativeVersion Platform  NativeLibrary
    ------------- ------------- --------  -------------
    0.1.0         0.1.0         linux-x64 /opt/modules/ExoDelegated/runtimes/linux-x64/native/libexo_bridge.so

    .OUTPUTS
    ExoDelegated.Version
    #>
    [CmdletBinding()]
    [OutputType('ExoDelegated.Version')]
    param()

    [pscustomobject]@{
        PSTypeName    = 'ExoDelegated.Version'
        ModuleVersion = $MyInvocation.MyCommand.Module.Version
        NativeVersion = [ExoDelegated.Interop.Bridge]::NativeVersion()
        Platform      = $script:ExoNative.Rid
        NativeLibrary = $script:ExoNative.LibraryPath
    }
}
