# Docs that run as written: every code block of about_ExoDelegated and every .EXAMPLE of
# every command's help runs against exo-emulator. The harness provides what a reader's
# session would have: the module, $appId/$refresh/$secret/..., a connection named 'contoso'
# (current) and $fabrikam, an in-memory stand-in for Az Key Vault, and
# $env:EXODELEGATED_EMULATOR_URL so every Connect-ExoDelegated reaches the emulator. The
# example domains and addresses (contoso.onmicrosoft.com, john@contoso.com, ...) are
# mapped to the emulator's (the table below). An example that cannot run offline says so
# in the docs ("is not run offline") and is listed here; none is skipped silently.
BeforeDiscovery {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $examples = [System.Collections.Generic.List[hashtable]]::new()

    # Command help: Get-Help's example code (the lines up to the first empty line).
    foreach ($command in (Get-Command -Module ExoDelegated | Sort-Object Name)) {
        $n = 0
        foreach ($ex in @((Get-Help $command.Name -Full).examples.example)) {
            $n++
            $remarks = (@($ex.remarks) | ForEach-Object Text) -join "`n"
            $examples.Add(@{ Id = "$($command.Name) #$n"; Code = [string]$ex.code; Offline = $remarks -notmatch 'is not run offline'; Why = $remarks })
        }
    }

    # about_ExoDelegated: blocks indented by 6+ spaces after a paragraph ending in ':'.
    $about = Get-Content (Join-Path $ModuleManifest '../en-US/about_ExoDelegated.help.txt')
    $section = ''; $lead = [System.Collections.Generic.List[string]]::new(); $n = 0
    for ($i = 0; $i -lt $about.Count; $i++) {
        $line = $about[$i]
        if ($line -match '^[A-Z][A-Z ,/-]+$') { $section = $line.Trim(); $lead.Clear(); continue }
        if ($line -match '^ {6,}\S' -and $i -gt 0 -and $about[$i - 1] -match '^\s*$' -and $lead.Count -gt 0 -and $lead[-1] -match ':\s*$') {
            # The block: lines indented at least as far as its first one.
            $indent = '^' + (' ' * ($line.Length - $line.TrimStart().Length))
            $block = [System.Collections.Generic.List[string]]::new()
            while ($i -lt $about.Count -and ($about[$i] -match $indent -or ($about[$i] -match '^\s*$' -and $i + 1 -lt $about.Count -and $about[$i + 1] -match $indent))) {
                $block.Add($about[$i]); $i++
            }
            $i--
            $n++
            $text = ($lead -join "`n")
            $examples.Add(@{ Id = "about_ExoDelegated #$n ($section)"; Code = ($block -join "`n"); Offline = $text -notmatch 'is not run offline'; Why = $text })
            $lead.Clear()
            continue
        }
        if ($line -match '^\s*$') { if ($lead.Count -and $lead[-1] -notmatch ':\s*$') { $lead.Clear() } }
        else { $lead.Add($line) }
    }
    $runnable = @($examples | Where-Object Offline)
    $notOffline = @($examples | Where-Object { -not $_.Offline })
}

BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 30
    $env:EXODELEGATED_EMULATOR_URL = $emu.url
    $work = Join-Path ([System.IO.Path]::GetTempPath()) "exo-docs-$PID"
    $null = New-Item -ItemType Directory -Force -Path $work
    # What the about topic's emulator section refers to: ./tools and a runbook of one's own.
    foreach ($dir in 'tools', 'target') {
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $work $dir) -Target (Join-Path $RepoRoot $dir) -Force
    }
    Set-Content -Path (Join-Path $work 'MyRunbook.ps1') -Value 'param($Connection) Get-EXOMailbox -Connection $Connection -ResultSize 2'

    # An in-memory Key Vault with the partner's secrets (the Az module is not needed offline).
    $global:ExoDocsVault = @{
        'msp-vault/ExoRefreshToken' = New-TestSecret $emu.refreshToken
        'msp-vault/ExoAppSecret'    = New-TestSecret $emu.clientSecret
    }
    function global:Get-AzKeyVaultSecret([string] $VaultName, [string] $Name, [switch] $AsPlainText) {
        $value = $global:ExoDocsVault["$VaultName/$Name"]
        if (-not $value) { throw "Secret '$Name' not found in vault '$VaultName'." }
        if ($AsPlainText) { return [System.Net.NetworkCredential]::new('', $value).Password }
        [pscustomobject]@{ VaultName = $VaultName; Name = $Name; SecretValue = $value }
    }
    function global:Set-AzKeyVaultSecret([string] $VaultName, [string] $Name, [securestring] $SecretValue) {
        $global:ExoDocsVault["$VaultName/$Name"] = $SecretValue
        [pscustomobject]@{ VaultName = $VaultName; Name = $Name }
    }

    # The emulator's counterparts of the example names.
    $probe = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'probe' }
    $english = @(Get-EXOMailbox -Connection $probe -RecipientTypeDetails UserMailbox -ResultSize Unlimited | Where-Object {
            (Get-EXOMailboxFolderStatistics -Connection $probe -Identity $_.UserPrincipalName -FolderScope Inbox | Select-Object -First 1).Name -eq 'Inbox'
        })
    $shared = Get-TestMailbox $probe -Type SharedMailbox
    # The estate may have no room mailbox: a shared one stands in for 'room1'.
    $room = Get-TestMailbox $probe -Type RoomMailbox
    if (-not $room) { $room = Get-TestMailbox $probe -Type SharedMailbox -Skip 1 }
    $sharedCalendar = (Get-EXOMailboxFolderStatistics -Connection $probe -Identity $shared.UserPrincipalName -FolderScope Calendar |
            Where-Object FolderType -eq 'Calendar' | Select-Object -First 1).Name
    Disconnect-ExoDelegated -Connection $probe
    $domain = $emu.customers[0].domain
    $map = [ordered]@{
        'contoso.onmicrosoft.com'      = $domain
        'fabrikam.onmicrosoft.com'     = $emu.customers[1].domain
        'info@contoso.com:\Kalender'   = "$($shared.UserPrincipalName):\$sharedCalendar"
        'john@contoso.com'             = $english[0].UserPrincipalName
        'info@contoso.com'             = $shared.UserPrincipalName
        'room1@contoso.com'            = $room.UserPrincipalName
        'assistant@contoso.com'        = $english[1].UserPrincipalName
        'reception@contoso.com'        = $english[2].UserPrincipalName
        'former.assistant@contoso.com' = $english[3].UserPrincipalName
        'contractor@contoso.com'       = $english[4].UserPrincipalName
        '@contoso.com'                 = "@$domain"
    }
    # Entries an example removes must exist first.
    $setup = @{
        'Remove-EXOCalendarPermission #1' = { Add-EXOCalendarPermission -Identity $map['john@contoso.com'] -User $map['former.assistant@contoso.com'] -AccessRights Reviewer -Confirm:$false }
        'Remove-EXOCalendarPermission #2' = { Add-EXOCalendarPermission -Identity $map['john@contoso.com'] -User $map['contractor@contoso.com'] -AccessRights Reviewer -Confirm:$false }
    }

    function ConvertTo-EmulatorExample([string] $Code) {
        # Longest first: 'former.assistant@contoso.com' before 'assistant@contoso.com'.
        foreach ($k in @($map.Keys | Sort-Object Length -Descending)) { $Code = $Code.Replace($k, $map[$k]) }
        $Code
    }

    function Invoke-DocExample([string] $Id, [string] $Code) {
        # A fresh session state per example: the reader's variables and two connections.
        Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
        $env:EXODELEGATED_EMULATOR_URL = $emu.url
        $vars = @{
            appId = $emu.applicationId
            refresh = New-TestSecret $emu.refreshToken; secret = New-TestSecret $emu.clientSecret
            partnerTenantId = $emu.partnerDomain; partnerTenant = $emu.partnerDomain
            tenantA = $emu.customers[0].domain; CustomerDomain = $emu.customers[0].domain
            RefreshToken = $emu.refreshToken; AppSecret = $emu.clientSecret
            customers = @($emu.customers | ForEach-Object { [pscustomobject]@{ Domain = $_.domain } })
            upn = $map['john@contoso.com']
        }
        $vars.fabrikam = Connect-TestTenant $emu -Index 1 -Options @{ Name = 'fabrikam' }
        $vars.a = $vars.c = Connect-TestTenant $emu -Index 0 -Options @{ Name = 'contoso' }
        if ($setup[$Id]) { $null = & $setup[$Id] }
        $emuBefore = $emu
        $code = ConvertTo-EmulatorExample $Code
        Push-Location $work
        try {
            $all = try {
                & {
                    param($vars, $code)
                    foreach ($k in $vars.Keys) { Set-Variable -Name $k -Value $vars[$k] }
                    $ErrorActionPreference = 'Stop'
                    . ([scriptblock]::Create($code))
                    # An example that starts its own emulator leaves it to its reader: stop it here.
                    if ($emu -and $emu.PSObject.Properties['url'] -and $emu.url -ne $vars.emuUrl -and $code -notmatch 'Stop-ExoEmulator') { Stop-ExoEmulator $emu }
                } ($vars + @{ emuUrl = $emuBefore.url }) $code 2>&1 3>$null
            }
            catch { $_ }
            $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $output = $all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] } | Out-String -Width 200
            [pscustomobject]@{ Output = $output; Errors = $errors }
        }
        finally { Pop-Location }
    }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Remove-Item Env:EXODELEGATED_EMULATOR_URL -ErrorAction SilentlyContinue
    Remove-Item function:global:Get-AzKeyVaultSecret, function:global:Set-AzKeyVaultSecret -ErrorAction SilentlyContinue
    Remove-Variable ExoDocsVault -Scope Global -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

Describe 'Documentation examples' {
    It 'finds the examples of every command and of about_ExoDelegated' {
        $runnable.Count + $notOffline.Count | Should -BeGreaterThan 50
        @($runnable | Where-Object { $_.Id -like 'about_*' }).Count | Should -BeGreaterThan 8
    } -ForEach @{ runnable = $runnable; notOffline = $notOffline }

    It 'lists, explicitly, the examples that cannot run offline' {
        # Marked in the docs with "is not run offline"; any change to this list is deliberate.
        ($notOffline.Id | Sort-Object) | Should -Be @(
            'about_ExoDelegated #1 (MIGRATING A REMOTE POWERSHELL RUNBOOK)',
            'about_ExoDelegated #15 (INSTALLING)',
            'about_ExoDelegated #16 (USING IT BESIDE EXCHANGEONLINEMANAGEMENT)',
            'about_ExoDelegated #18 (AZURE AUTOMATION)',
            'about_ExoDelegated #19 (AZURE AUTOMATION)',
            'about_ExoDelegated #21 (AZURE AUTOMATION)',
            'Connect-ExoDelegated #3'
        )
    } -ForEach @{ notOffline = $notOffline }

    It 'runs as written: <Id>' -ForEach $runnable {
        $r = Invoke-DocExample -Id $Id -Code $Code
        $r.Errors | ForEach-Object { "$_" } | Should -BeNullOrEmpty -Because "$Id`n$($r.Output)"
        (ConvertTo-EmulatorExample $Code) | Should -Not -Match 'contoso\.com|contoso\.onmicrosoft|fabrikam\.onmicrosoft' -Because 'every example name must be mapped to the emulator'
    }
}

Describe 'Help shows the real defaults' {
    It 'gives -PageSize, -TimeoutSec, -ConnectTimeoutSec and the retry limits the native library''s defaults' {
        $rust = Get-Content -Raw (Join-Path $RepoRoot 'src/options.rs')
        $native = @{}
        foreach ($m in [regex]::Matches($rust, 'const DEFAULT_(\w+): \w+ = ([\d_]+);')) { $native[$m.Groups[1].Value] = [long]($m.Groups[2].Value -replace '_') }
        $expected = [ordered]@{
            PageSize            = $native.PAGE_SIZE
            ConnectTimeoutSec   = $native.CONNECT_TIMEOUT_MS / 1000
            TimeoutSec          = $native.READ_TIMEOUT_MS / 1000
            MaximumRetryCount   = $native.MAX_RETRIES
            MaximumRetryWaitSec = $native.MAX_RETRY_WAIT_MS / 1000
        }
        foreach ($p in $expected.Keys) {
            $expected[$p] | Should -BeGreaterThan 0 -Because "src/options.rs defines the default of $p"
            (Get-Help Connect-ExoDelegated -Parameter $p).defaultValue | Should -Be ([string]$expected[$p]) -Because $p
        }
        $c = Connect-TestTenant $emu -Options @{ Name = 'defaults' }
        $c.PageSize | Should -Be $expected.PageSize
        Disconnect-ExoDelegated -Connection $c
    }
}

Describe 'EXODELEGATED_EMULATOR_URL' {
    It 'sends connections without -AuthorityHost/-ExchangeHost to the emulator, with a warning' {
        $env:EXODELEGATED_EMULATOR_URL = $emu.url
        $c = Connect-ExoDelegated -TenantId $emu.customers[0].domain -ApplicationId $emu.applicationId -RefreshToken $emu.refreshToken `
            -ClientSecret $emu.clientSecret -Name viaenv -WarningVariable w -WarningAction SilentlyContinue
        $c.ExchangeHost | Should -Be $emu.url
        $c.AuthorityHost | Should -Be $emu.url
        "$w" | Should -Match 'exo-emulator'
        Disconnect-ExoDelegated -Connection $c
    }

    It 'refuses a URL that is not on this machine' {
        $env:EXODELEGATED_EMULATOR_URL = 'https://login.example.com'
        try {
            { Connect-ExoDelegated -TenantId contoso.onmicrosoft.com -AccessToken 'x' -Name bad } | Should -Throw -ErrorId 'ExoDelegated.InsecureEndpoint*'
        }
        finally { $env:EXODELEGATED_EMULATOR_URL = $emu.url }
    }
}
