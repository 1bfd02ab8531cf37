# The one RID/file-name mapping (Private/Get-ExoNativeRid.ps1): the module's loader, the packaged
# emulator, build.ps1 and tools/CTest.psm1 all resolve file names through it, for all six RIDs.
BeforeAll {
    $script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    . (Join-Path $RepoRoot 'psmodule/ExoDelegated/Private/Get-ExoNativeRid.ps1')
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
    }

    It 'is the only place that spells the native file names (build.ps1, CTest, loader and emulator use it)' {
        $users = 'build.ps1', 'tools/CTest.psm1', 'tools/ExoEmulator.psm1', 'tools/Package.psm1',
            'psmodule/ExoDelegated/Private/Initialize-ExoNative.ps1', 'psmodule/ExoDelegated/Public/Start-ExoDelegatedEmulator.ps1'
        foreach ($file in $users) {
            $text = Get-Content -Raw (Join-Path $RepoRoot $file)
            $text | Should -Match 'Get-ExoNativeRid' -Because "$file resolves names through Get-ExoNativeRid"
            $text | Should -Not -Match 'libexo_bridge\.|exo_bridge\.dll' -Because "$file must not spell a library file name itself"
        }
    }
}
