# Many tenants at once: ForEach-Object -Parallel with one connection per tenant. The module
# imports in every runspace; the interop assembly and the native library (with its token
# cache) are shared by the whole process.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 12 -Mailboxes 8 -LatencyMs 40
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'ForEach-Object -Parallel over 12 tenants' {
    It 'connects and queries every tenant from its own runspace' {
        Reset-ExoEmulatorStats $emu
        $results = @($emu.customers | ForEach-Object -ThrottleLimit 6 -Parallel {
                $emu = $using:emu
                Import-Module $using:ModuleManifest
                $secure = { param($t) ConvertTo-SecureString $t -AsPlainText -Force }
                $c = Connect-ExoDelegated -TenantId $_.domain -ApplicationId $emu.applicationId -RefreshToken (& $secure $emu.refreshToken) `
                    -ClientSecret (& $secure $emu.clientSecret) -AuthorityHost $emu.url -ExchangeHost $emu.url -ErrorAction Stop
                $mailboxes = @(Get-EXOMailbox -ResultSize Unlimited)
                $calendars = @($mailboxes | Select-Object -First 2 | Get-EXOCalendarPermission -User Default)
                [pscustomobject]@{
                    Tenant    = $_.domain
                    Connected = $c.TenantId
                    Mailboxes = $mailboxes.Count
                    Domains   = @($mailboxes.PrimarySmtpAddress -replace '^.*@' | Sort-Object -Unique)
                    Calendars = $calendars.Count
                }
                Disconnect-ExoDelegated
            })
        $results.Count | Should -Be 12
        foreach ($r in $results) {
            $r.Connected | Should -Be $r.Tenant
            $r.Mailboxes | Should -Be 8
            $r.Domains | Should -Be @($r.Tenant)
            $r.Calendars | Should -Be 2
        }
        $stats = Get-ExoEmulatorStats $emu
        @($stats.tokens.byTenant.PSObject.Properties).Count | Should -Be 12
        $stats.concurrency.maxInFlight | Should -BeGreaterThan 1 -Because 'the runspaces really ran at the same time'
        $stats.tokenTenantMismatch | Should -Be 0
    }

    It 'uses connections made in the calling runspace, passed with $using:' {
        $byTenant = @{}
        foreach ($t in $emu.customers) { $byTenant[$t.domain] = Connect-TestTenant $emu -TenantId $t.domain }
        $results = @($emu.customers.domain | ForEach-Object -ThrottleLimit 12 -Parallel {
                Import-Module $using:ModuleManifest
                $c = ($using:byTenant)[$_]
                $m = @(Get-EXOMailbox -Connection $c -ResultSize Unlimited | Get-EXOMailboxStatistics)
                [pscustomobject]@{ Tenant = $_; Statistics = $m.Count; Name = $c.Name }
            })
        $results.Count | Should -Be 12
        $results.Statistics | Sort-Object -Unique | Should -Be 8
        foreach ($r in $results) { $r.Name | Should -Be $r.Tenant }
        # The connections still belong to (and work in) the calling runspace.
        @(Get-ExoDelegatedConnection).Count | Should -Be 12
        foreach ($c in $byTenant.Values) { $c.State | Should -Be 'Connected' }
        Disconnect-ExoDelegated -All
    }

    It 'imports the module in many runspaces at once without reloading the native library' {
        $paths = @(1..12 | ForEach-Object -ThrottleLimit 12 -Parallel {
                Import-Module $using:ModuleManifest
                [ExoDelegated.Interop.NativeLoader]::LoadedPath
            })
        $paths | Sort-Object -Unique | Should -Be ([ExoDelegated.Interop.NativeLoader]::LoadedPath)
    }
}

Describe 'No secret leaked in parallel runs' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
