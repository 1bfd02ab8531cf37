# The RID/file-name mapping: tools/Get-ExoNativeRid.ps1 for build.ps1 and tools/ (they run before
# the interop assembly exists), and the interop's NativeRid for the module (its import and
# Start-ExoDelegatedEmulator: script is compiled at its first run). Both are checked here, and
# against each other.
BeforeAll {
    $script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    . (Join-Path $RepoRoot 'tools/Get-ExoNativeRid.ps1')
    # The interop assembly (built into the module's lib/).
    Import-Module (Join-Path $RepoRoot 'psmodule/ExoDelegated/ExoDelegated.psd1') -Force
}

Describe 'Get-ExoNativeRid -Rid <Rid>' -ForEach @(
    @{ Rid = 'win-x64'; Library = 'exo_bridge.dll'; Emulator = 'exo-emulator.exe'; Link = 'exo_bridge.dll.lib'; Triple = 'x86_64-pc-windows-msvc' }
    @{ Rid = 'win-arm64'; Library = 'exo_bridge.dll'; Emulator = 'exo-emulator.exe'; Link = 'exo_bridge.dll.lib'; Triple = 'aarch64-pc-windows-msvc' }
    @{ Rid = 'linux-x64'; Library = 'libexo_bridge.so'; Emulator = 'exo-emulator'; Link = $null; Triple = 'x86_64-unknown-linux-gnu' }
    @{ Rid = 'linux-arm64'; Library = 'libexo_bridge.so'; Emulator = 'exo-emulator'; Link = $null; Triple = 'aarch64-unknown-linux-gnu' }
    @{ Rid = 'osx-x64'; Library = 'libexo_bridge.dylib'; Emulator = 'exo-emulator'; Link = $null; Triple = 'x86_64-apple-darwin' }
    @{ Rid = 'osx-arm64'; Library = 'libexo_bridge.dylib'; Emulator = 'exo-emulator'; Link = $null; Triple = 'aarch64-apple-darwin' }
) {
    It 'names the library <Library>, the emulator <Emulator> and the Rust target <Triple>' {
        $t = Get-ExoNativeRid -Rid $Rid
        $t.Rid | Should -BeExactly $Rid
        $t.LibraryFile | Should -BeExactly $Library
        $t.EmulatorFile | Should -BeExactly $Emulator
        $t.LinkFile | Should -Be $Link
        $t.RustTarget | Should -BeExactly $Triple
        "$($t.OS)-$($t.Architecture)" | Should -BeExactly $Rid
    }

    It "is the interop's mapping too (NativeRid: the module's import loads the library through it)" {
        $t = Get-ExoNativeRid -Rid $Rid
        [ExoDelegated.Interop.NativeRid]::LibraryFile($Rid) | Should -BeExactly $t.LibraryFile
        [ExoDelegated.Interop.NativeRid]::EmulatorFile($Rid) | Should -BeExactly $t.EmulatorFile
    }
}

Describe 'Get-ExoNativeRid' {
    It 'describes this process as one of the six RIDs, with the file names cargo writes here' {
        $t = Get-ExoNativeRid
        $t.Rid | Should -BeIn 'win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64'
        $expectedOs = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
        $t.OS | Should -Be $expectedOs
        Test-Path (Join-Path $RepoRoot "target/release/$($t.LibraryFile)") | Should -BeTrue
        Test-Path (Join-Path $RepoRoot "target/release/$($t.EmulatorFile)") | Should -BeTrue
    }

    It 'rejects an unsupported RID naming the supported ones' -ForEach @(
        @{ Bad = 'linux-x86' }, @{ Bad = 'freebsd-x64' }, @{ Bad = 'WIN-X64' }
    ) {
        { Get-ExoNativeRid -Rid $Bad } | Should -Throw -ExceptionType ([System.PlatformNotSupportedException]) -ExpectedMessage '*Supported: win-x64, win-arm64, linux-x64, linux-arm64, osx-x64, osx-arm64*'
        $script = try { Get-ExoNativeRid -Rid $Bad } catch { $_.Exception.Message }
        $interop = try { [ExoDelegated.Interop.NativeRid]::LibraryFile($Bad) } catch { $_.Exception.InnerException.Message }
        $interop | Should -BeExactly $script
    }

    It "names this process's RID as the interop does, and the module loaded the library it names" {
        [ExoDelegated.Interop.NativeRid]::Current() | Should -BeExactly (Get-ExoNativeRid).Rid
        $version = Get-ExoDelegatedVersion
        $version.Platform | Should -BeExactly (Get-ExoNativeRid).Rid
        Split-Path -Leaf $version.NativeLibrary | Should -BeExactly (Get-ExoNativeRid).LibraryFile
    }

    It 'and NativeRid are the only places that spell the native file names (build.ps1, tools, the import and Start-ExoDelegatedEmulator use them)' {
        $users = 'build.ps1', 'tools/CTest.psm1', 'tools/ExoEmulator.psm1', 'tools/Package.psm1',
            'psmodule/ExoDelegated/Public/Start-ExoDelegatedEmulator.ps1', 'interop/ModuleLoader.cs', 'psmodule/ExoDelegated/ExoDelegated.psm1'
        foreach ($file in $users) {
            $text = Get-Content -Raw (Join-Path $RepoRoot $file)
            $uses = switch -Wildcard ($file) {
                'interop/*' { 'NativeRid\.LibraryFile' }
                '*.psm1' { if ($file -like 'psmodule/*') { 'ModuleLoader' } else { 'Get-ExoNativeRid' } }
                '*Start-ExoDelegatedEmulator*' { 'NativeRid\]::EmulatorFile' }
                default { 'Get-ExoNativeRid' }
            }
            $text | Should -Match $uses -Because "$file resolves names through $uses"
            $text | Should -Not -Match 'libexo_bridge\.|exo_bridge\.dll' -Because "$file must not spell a library file name itself"
        }
    }
}
