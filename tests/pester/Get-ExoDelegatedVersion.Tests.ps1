# Get-ExoDelegatedVersion: module and native versions through the C ABI.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
}

Describe 'Get-ExoDelegatedVersion' {
    It 'returns the module version, the native version, the platform and the library path' {
        $v = Get-ExoDelegatedVersion
        (Get-TestRecordType $v) | Should -Be 'ExoDelegated.Version'
        $v.ModuleVersion | Should -Be (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
        $v.NativeVersion | Should -Be ([ExoDelegated.Interop.Bridge]::NativeVersion())
        $v.Platform | Should -Match '^(linux|osx|win)-(x64|arm64)$'
        Test-Path $v.NativeLibrary | Should -BeTrue
    }

    It 'shows a table view' {
        (Get-ExoDelegatedVersion | Out-String -Width 300) | Should -Match 'ModuleVersion\s+NativeVersion\s+Platform\s+NativeLibrary'
    }
}
