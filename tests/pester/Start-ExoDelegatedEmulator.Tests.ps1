# Start-ExoDelegatedEmulator: starts the exo-emulator shipped in the module's runtimes/<rid>/native/.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $script:Pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
}

Describe 'Start-ExoDelegatedEmulator' {
    It 'starts the emulator shipped with the module and returns its startup information' {
        $emu = Start-ExoDelegatedEmulator -Tenants 2 -Mailboxes 7 -Seed 11
        try {
            $emu.PSObject.TypeNames[0] | Should -Be 'ExoDelegated.Emulator'
            $emu.url | Should -Match '^http://127\.0\.0\.1:\d+$'
            @($emu.customers).Count | Should -Be 2
            $emu.customers[0].mailboxes | Should -Be 7
            $emu.applicationId | Should -Not -BeNullOrEmpty
            $emu.Process.HasExited | Should -BeFalse
            $emu.pid | Should -Be $emu.Process.Id
            $rid = (Get-ExoDelegatedVersion).Platform
            $emu.Process.MainModule.FileName | Should -BeLike "*runtimes*$rid*native*exo-emulator*"
            $emu.Arguments | Should -Be @('--listen', '127.0.0.1:0', '--tenants', '2', '--mailboxes', '7', '--seed', '11')
        }
        finally { Stop-ExoDelegatedEmulator $emu }
    }

    It 'serves a runbook end to end: Connect-ExoDelegated and Get-EXOMailbox against it' {
        $emu = Start-ExoDelegatedEmulator -Tenants 1 -Mailboxes 5
        try {
            $c = Connect-TestTenant -Emulator $emu
            @(Get-EXOMailbox -Connection $c -ResultSize Unlimited).Count | Should -Be 5
            Disconnect-ExoDelegated -Connection $c
        }
        finally { Stop-ExoDelegatedEmulator $emu }
    }

    It 'shows a table view' {
        $emu = Start-ExoDelegatedEmulator -Tenants 1 -Mailboxes 1
        try { ($emu | Out-String -Width 300) | Should -Match 'Url\s+ProcessId\s+Customers\s+ApplicationId\s+Running' }
        finally { Stop-ExoDelegatedEmulator $emu }
    }

    It 'fails with ExoDelegated.EmulatorStartFailed on arguments the emulator rejects' {
        $err = $null
        try { Start-ExoDelegatedEmulator -ArgumentList '--no-such-option' -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.EmulatorStartFailed*'
        $err.ErrorDetails.Message | Should -BeLike '*exo-emulator did not start*'
    }

    It 'fails with ExoDelegated.EmulatorStartFailed when -Path does not exist' {
        $err = $null
        try { Start-ExoDelegatedEmulator -Path (Join-Path $TestDrive 'nothing-here') -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.EmulatorStartFailed*'
        $err.Exception | Should -BeOfType ([System.IO.FileNotFoundException])
    }

    It 'fails with ExoDelegated.EmulatorMissing when the package holds no emulator for this platform' {
        $copy = Join-Path $TestDrive 'ExoDelegated'
        Copy-Item -Recurse (Split-Path $ModuleManifest) $copy
        $rid = (Get-ExoDelegatedVersion).Platform
        Get-ChildItem (Join-Path $copy "runtimes/$rid/native") -Filter 'exo-emulator*' | Remove-Item
        $out = & $Pwsh -NoProfile -NonInteractive -Command "
            Import-Module '$copy/ExoDelegated.psd1'
            try { Start-ExoDelegatedEmulator -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.ErrorDetails.RecommendedAction }"
        $out[0] | Should -BeLike 'ExoDelegated.EmulatorMissing*'
        $out[1] | Should -BeLike "*package built for $rid*"
    }

    It 'resolves a relative -Path against the current PowerShell location' {
        $rid = (Get-ExoDelegatedVersion).Platform
        $file = if ($IsWindows) { 'exo-emulator.exe' } else { 'exo-emulator' }
        Push-Location (Join-Path (Split-Path $ModuleManifest) "runtimes/$rid/native")
        try { $emu = Start-ExoDelegatedEmulator -Path "./$file" -Tenants 1 -Mailboxes 1 }
        finally { Pop-Location }
        try { $emu.Process.HasExited | Should -BeFalse }
        finally { Stop-ExoDelegatedEmulator $emu }
    }

    It 'restores the execute permission a package (zip) drops' -Skip:$IsWindows {
        $copy = Join-Path $TestDrive 'exo-emulator'
        Copy-Item (Join-Path (Split-Path $ModuleManifest) "runtimes/$((Get-ExoDelegatedVersion).Platform)/native/exo-emulator") $copy
        & chmod a-x $copy
        $emu = Start-ExoDelegatedEmulator -Path $copy -Tenants 1 -Mailboxes 1
        try { $emu.Process.HasExited | Should -BeFalse }
        finally { Stop-ExoDelegatedEmulator $emu }
    }
}
