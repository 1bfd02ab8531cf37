# -Debug in a non-interactive session (Azure Automation, pwsh -NonInteractive, scheduled jobs).
# PowerShell gives a command run with -Debug (and without -Verbose / -WarningAction) Inquire for
# its own WriteVerbose / WriteWarning: a prompt, which throws where nobody can answer. The
# module's verbose and warning lines follow Write-Verbose / Write-Warning instead (interop/Streams.cs).
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $script:Pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
    $script:Emulator = Start-ExoEmulator -Tenants 2 -Mailboxes 6

    function Invoke-NonInteractive([string] $Script) {
        # A fresh pwsh -NonInteractive; each output line is "<stream>: <text>".
        $prelude = @"
`$ErrorActionPreference = 'Stop'
`$emu = '$(($Emulator | Select-Object url, applicationId, refreshToken, clientSecret, customers | ConvertTo-Json -Depth 4 -Compress) -replace "'", "''")' | ConvertFrom-Json
Import-Module '$ModuleManifest'
function Get-EmuParameters([int] `$Index) {
    @{ TenantId = `$emu.customers[`$Index].tenantId; ApplicationId = `$emu.applicationId; AuthorityHost = `$emu.url; ExchangeHost = `$emu.url
       RefreshToken = (ConvertTo-SecureString `$emu.refreshToken -AsPlainText -Force); ClientSecret = (ConvertTo-SecureString `$emu.clientSecret -AsPlainText -Force) }
}
function Show([object[]] `$Items) {
    foreach (`$i in `$Items) {
        switch (`$i) {
            { `$_ -is [System.Management.Automation.VerboseRecord] } { 'verbose: ' + `$_.Message; break }
            { `$_ -is [System.Management.Automation.WarningRecord] } { 'warning: ' + `$_.Message; break }
            { `$_ -is [System.Management.Automation.DebugRecord] } { 'debug: ' + `$_.Message; break }
            { `$_ -is [System.Management.Automation.ErrorRecord] } { 'error: ' + `$_.FullyQualifiedErrorId + ': ' + `$_; break }
            default { 'output: ' + `$_ }
        }
    }
}
try {
"@
        $epilogue = @"

}
catch { 'failed: ' + `$_.FullyQualifiedErrorId + ': ' + `$_ }
"@
        & $Pwsh -NoProfile -NonInteractive -Command ($prelude + $Script + $epilogue)
    }
}

AfterAll {
    Stop-ExoEmulator $Emulator
}

Describe 'A command given -Debug in a non-interactive session' {
    It 'connects (by GUID), replaces a connection with a warning, lists, fans out and disconnects without asking' {
        $out = Invoke-NonInteractive @'
$p0 = Get-EmuParameters 0; $p1 = Get-EmuParameters 1
Show (Connect-ExoDelegated @p0 -Name one -PageSize 2 -Debug 3>&1 4>&1 5>&1 | ForEach-Object { if ($_ -is [ExoDelegated.Connection]) { 'connected' } else { $_ } })
Show (Connect-ExoDelegated @p0 -Name one -PageSize 2 -Debug 3>&1 4>&1 5>&1 | ForEach-Object { if ($_ -is [ExoDelegated.Connection]) { 'connected again' } else { $_ } })
$null = Connect-ExoDelegated @p1 -Name two
Show ('mailboxes: ' + @(Get-EXOMailbox -Connection one -ResultSize Unlimited -Debug).Count)
Show ('all tenants: ' + @(Get-EXOMailbox -Connection (Get-ExoDelegatedConnection) -ResultSize Unlimited -Debug).Count)
Show (Get-EXOMailbox -Connection one -ResultSize 1 -Debug -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $_ } })
$m = (Get-Module ExoDelegated).Path; $one = Get-ExoDelegatedConnection one
Show ('parallel: ' + (1..3 | ForEach-Object -ThrottleLimit 3 -Parallel { Import-Module $using:m; @(Get-EXOMailbox -Connection $using:one -ResultSize Unlimited -Debug).Count } | Measure-Object -Sum).Sum)
Show ('permissions: ' + @(Get-EXOMailbox -Connection one -ResultSize 2 | Get-EXOMailboxPermission -Debug).Count)
Show (Disconnect-ExoDelegated -All -Debug 3>&1 4>&1)
'ended'
'@
        $out | Should -Not -Match '^failed: '
        $out | Should -Not -Match 'NonInteractive'
        $out | Should -Contain 'output: connected'
        $out | Should -Contain 'output: connected again'
        @($out -like "warning: A connection named 'one'*").Count | Should -Be 1 -Because 'the replaced connection is still announced'
        @($out -like 'debug: exo_connect options: *').Count | Should -Be 2
        $out | Should -Contain 'output: mailboxes: 6'
        $out | Should -Contain 'output: all tenants: 12'
        # -Debug alone shows no verbose lines (as Write-Verbose in a script would not);
        # -Debug -Verbose shows them.
        @($out -like 'verbose: Connect*').Count | Should -Be 0
        @($out -like 'verbose: Get-Mailbox page 1:*').Count | Should -Be 1
        $out | Should -Contain 'output: parallel: 18' -Because 'runspaces of one process write their verbose lines each in their own'
        @($out -like 'output: permissions: *').Count | Should -Be 1 -Because 'the batching queue writes its verbose lines the same way'
        $out | Should -Contain 'ended'
    }

    It 'still honours -WarningAction SilentlyContinue and -Verbose given beside -Debug' {
        $out = Invoke-NonInteractive @'
$p0 = Get-EmuParameters 0
$null = Connect-ExoDelegated @p0 -Name one
Show (Connect-ExoDelegated @p0 -Name one -Debug -WarningAction SilentlyContinue 3>&1 | Where-Object { $_ -isnot [ExoDelegated.Connection] })
Show (Connect-ExoDelegated @p0 -Name one -Debug -Verbose 3>&1 4>&1 | Where-Object { $_ -isnot [ExoDelegated.Connection] })
'ended'
'@
        $out | Should -Not -Match '^failed: '
        @($out -like 'warning: *').Count | Should -Be 1 -Because 'only the second reconnect writes its warning'
        @($out -like "verbose: Connecting to tenant*").Count | Should -Be 1
        $out | Should -Contain 'ended'
    }
}
