# Stop-ExoDelegatedEmulator, and emulators stopping with the module and with PowerShell.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $script:Pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source

    function Test-ProcessGone([int] $Id, [int] $TimeoutSec = 10) {
        # True once no process has the id (bounded wait).
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        do {
            $p = Get-Process -Id $Id -ErrorAction SilentlyContinue
            if (-not $p -or $p.HasExited) { return $true }
            Start-Sleep -Milliseconds 100
        } while ([DateTime]::UtcNow -lt $deadline)
        $false
    }
}

Describe 'Stop-ExoDelegatedEmulator' {
    It 'stops the given emulator (pipeline input) and is safe to repeat' {
        $emu = Start-ExoDelegatedEmulator -Tenants 1 -Mailboxes 1
        $id = $emu.Process.Id
        $emu | Stop-ExoDelegatedEmulator
        $emu.Process.HasExited | Should -BeTrue
        Test-ProcessGone $id | Should -BeTrue
        { Stop-ExoDelegatedEmulator $emu -ErrorAction Stop } | Should -Not -Throw
    }

    It 'stops every emulator this session started when given none' {
        $a = Start-ExoDelegatedEmulator -Tenants 1 -Mailboxes 1
        $b = Start-ExoDelegatedEmulator -Tenants 1 -Mailboxes 1
        Stop-ExoDelegatedEmulator
        $a.Process.HasExited | Should -BeTrue
        $b.Process.HasExited | Should -BeTrue
        Test-ProcessGone $a.Process.Id | Should -BeTrue
        Test-ProcessGone $b.Process.Id | Should -BeTrue
    }

    It 'reports ExoDelegated.NotAnEmulator for another object' {
        Stop-ExoDelegatedEmulator -Emulator ([pscustomobject]@{ url = 'x' }) -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.NotAnEmulator*'
    }

    It 'stops the emulators when the module is removed' {
        $out = & $Pwsh -NoProfile -NonInteractive -Command "
            Import-Module '$ModuleManifest'
            `$emu = Start-ExoDelegatedEmulator -Tenants 1 -Mailboxes 1
            `$emu.Process.Id
            Remove-Module ExoDelegated
            `$emu.Process.HasExited"
        $out | Should -HaveCount 2
        $out[1] | Should -Be 'True'
        Test-ProcessGone ([int]$out[0]) | Should -BeTrue
    }

    It 'stops the emulators when PowerShell exits' {
        $id = & $Pwsh -NoProfile -NonInteractive -Command "
            Import-Module '$ModuleManifest'
            (Start-ExoDelegatedEmulator -Tenants 1 -Mailboxes 1).Process.Id
            exit 0"
        Test-ProcessGone ([int]$id) | Should -BeTrue
    }
}
