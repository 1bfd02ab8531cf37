# GDAP customer discovery through the real path: pwsh -> module -> native library -> Microsoft
# Graph of exo-emulator (relationships paged 3 at a time), compared with what the emulator says
# a client must derive (its startup key graphCustomers); then every customer piped into
# Connect-ExoDelegated, the failing ones as ErrorRecords naming their tenant.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 4 -Mailboxes 3 -ArgumentList '--graph-page-size', '3'
    $partner = @{
        ApplicationId = $emu.applicationId
        RefreshToken  = New-TestSecret $emu.refreshToken
        ClientSecret  = New-TestSecret $emu.clientSecret
        AuthorityHost = $emu.url
    }
    $connect = $partner + @{ ExchangeHost = $emu.url }
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-ExoDelegatedCustomer' {
    It 'lists every customer with an active relationship once, from every page, with its default domain' {
        $null = Invoke-RestMethod -Method Post -Uri "$($emu.url)/_emulator/reset-stats" -NoProxy
        $customers = @(Get-ExoDelegatedCustomer @partner -GraphHost $emu.url)
        $expected = @($emu.graphCustomers)
        $customers.Count | Should -Be $expected.Count
        $customers.TenantId | Should -Be $expected.tenantId
        $customers.DisplayName | Should -Be $expected.displayName
        $customers.DefaultDomainName | Should -Be $expected.defaultDomainName
        $customers.HasExchangeAdminRole | Should -Be $expected.hasExchangeAdminRole
        $customers.HasGlobalAdminRole | Should -Be $expected.hasGlobalAdminRole
        $customers.ActiveRelationships | Should -Be $expected.activeRelationships
        for ($i = 0; $i -lt $expected.Count; $i++) {
            $want = [datetime]::Parse([string]$emu.graphCustomers[$i].relationshipEndsUtc, [cultureinfo]::InvariantCulture, 'AdjustToUniversal, AssumeUniversal')
            $customers[$i].RelationshipEndsUtc | Should -Be $want
        }
        $customers[0].PSObject.TypeNames[0] | Should -Be 'ExoDelegated.Customer'
        $stats = Get-ExoEmulatorStats $emu
        # 4 customers (one with 3 relationships) + 5 special tenants, 3 per page: several pages.
        $stats.graph.relationshipPages | Should -BeGreaterThan 2
        $stats.graph.nextLinksFollowed | Should -Be ($stats.graph.relationshipPages - 1)
        $stats.graph.tenantLookups | Should -Be $expected.Count
        # One Graph token for the whole listing.
        $stats.tokens.issued | Should -Be 1
    }

    It 'leaves out expired and pending relationships, and flags a customer without the Exchange role' {
        $customers = @(Get-ExoDelegatedCustomer @partner -GraphHost $emu.url)
        $customers.TenantId | Should -Not -Contain $emu.unrelatedTenant.tenantId
        $first = $customers | Where-Object TenantId -eq $emu.customers[0].tenantId
        $first.ActiveRelationships | Should -Be 2 -Because 'its expired relationship does not count'
        ($customers | Where-Object TenantId -eq $emu.customers[1].tenantId).HasExchangeAdminRole | Should -BeFalse
        ($customers | Where-Object TenantId -eq $emu.customers[2].tenantId).HasGlobalAdminRole | Should -BeTrue
        ($customers | Where-Object TenantId -eq $emu.customers[3].tenantId).HasExchangeAdminRole | Should -BeTrue
        $inactive = @(Get-ExoDelegatedCustomer @partner -GraphHost $emu.url -IncludeInactive)
        $unrelated = $inactive | Where-Object TenantId -eq $emu.unrelatedTenant.tenantId
        $unrelated | Should -Not -BeNullOrEmpty
        $unrelated.Status | Should -BeIn 'expired', 'approvalPending'
        $unrelated.ActiveRelationships | Should -Be 0
        $inactive.Count | Should -Be ($customers.Count + 1)
    }

    It 'shows the customers in a table with their domain and Exchange role' {
        $text = Get-ExoDelegatedCustomer @partner -GraphHost $emu.url | Format-Table | Out-String -Width 300
        $text | Should -Match 'DefaultDomainName'
        $text | Should -Match 'ExchangeAdmin'
        $text | Should -Match ([regex]::Escape($emu.customers[0].domain))
    }

    It 'takes the secrets as plain strings too, and never shows them' {
        $plain = @{ ApplicationId = $emu.applicationId; RefreshToken = $emu.refreshToken; ClientSecret = $emu.clientSecret; AuthorityHost = $emu.url; GraphHost = $emu.url }
        $out = Get-ExoDelegatedCustomer @plain -Verbose 4>&1 | Out-String -Width 300
        $out | Should -Match ([regex]::Escape($emu.customers[0].tenantId))
        Find-TestSecret $out @($emu.refreshToken, $emu.clientSecret) | Should -BeNullOrEmpty
    }

    It 'retries Graph throttling (429, Retry-After) and still lists every customer' {
        $busy = Start-ExoEmulator -Tenants 2 -Mailboxes 1 -Faults 'throttle=0.3,scope=exchange'
        try {
            $p = @{ ApplicationId = $busy.applicationId; RefreshToken = $busy.refreshToken; ClientSecret = $busy.clientSecret; AuthorityHost = $busy.url; GraphHost = $busy.url }
            $verbose = Get-ExoDelegatedCustomer @p -MaximumRetryCount 20 -Verbose 4>&1
            $customers = @($verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
            $customers.TenantId | Should -Be @($busy.graphCustomers).tenantId
            @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'retry \d+ after Throttled' }).Count | Should -BeGreaterThan 0
            (Get-ExoEmulatorStats $busy).faults.byEndpoint.graph | Should -BeGreaterThan 0
        }
        finally { Stop-ExoEmulator $busy }
    }

    It 'reports a partner without the GDAP roles (Graph 403) as a clear error' {
        $denied = Start-ExoEmulator -Tenants 1 -Mailboxes 1 -ArgumentList '--graph-forbidden'
        try {
            $p = @{ ApplicationId = $denied.applicationId; RefreshToken = $denied.refreshToken; ClientSecret = $denied.clientSecret; AuthorityHost = $denied.url; GraphHost = $denied.url }
            $err = $null
            try { Get-ExoDelegatedCustomer @p; throw 'no error' } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.Forbidden,*'
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            "$err" | Should -Match 'GDAP relationships'
            "$err" | Should -Match 'Authorization_RequestDenied'
            $err.ErrorDetails.RecommendedAction | Should -Match 'DelegatedAdminRelationship.Read.All'
            Find-TestSecret ($err | Out-String) @($denied.refreshToken, $denied.clientSecret) | Should -BeNullOrEmpty
        }
        finally { Stop-ExoEmulator $denied }
    }

    It 'against a Graph that echoes the token: shows it nowhere, and bounds its warnings' {
        # A tiny Graph on 127.0.0.1 (the emulator issues the token): 13 relationships without a
        # customer tenant id whose id is the bearer token (raw, or split by a JSON-escaped bidi
        # control), 2 customers named after it; Graph knows neither tenant (404 quoting it).
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $graph = "http://127.0.0.1:$($listener.LocalEndpoint.Port)"
        $server = Start-ThreadJob -ArgumentList $listener -ScriptBlock {
            param($listener)
            while ($true) {
                try { $client = $listener.AcceptTcpClient() } catch { return }
                try {
                    $stream = $client.GetStream()
                    $stream.ReadTimeout = 5000
                    $head = [System.Text.StringBuilder]::new()
                    while (-not $head.ToString().EndsWith("`r`n`r`n")) {
                        $b = $stream.ReadByte()
                        if ($b -lt 0) { throw 'closed' }
                        $null = $head.Append([char]$b)
                    }
                    $text = $head.ToString()
                    $t = if ($text -match '(?im)^authorization:\s*Bearer\s+(.+?)\r$') { $Matches[1] } else { '' }
                    Write-Output $t
                    $split = $t.Substring(0, 10) + '\u202e' + $t.Substring(10)
                    if ($text -match 'findTenantInformationByTenantId') {
                        $status = 404
                        $body = '{"error":{"code":"Request_ResourceNotFound","message":"no tenant for Bearer ' + $t + '"}}'
                    }
                    else {
                        $status = 200
                        $rels = foreach ($i in 1..13) { '{"id":"' + $(if ($i % 2) { $t } else { $split }) + '","status":"active"}' }
                        $rels += '{"id":"r1","status":"active","customer":{"tenantId":"0000000a-0000-4000-8000-000000000000","displayName":"' + $split + '"}}'
                        $rels += '{"id":"r2","status":"active","customer":{"tenantId":"0000000b-0000-4000-8000-000000000000","displayName":"Org of ' + $t + '"}}'
                        $body = '{"value":[' + ($rels -join ',') + ']}'
                    }
                    $bytes = [System.Text.Encoding]::UTF8.GetBytes($body)
                    $headBytes = [System.Text.Encoding]::ASCII.GetBytes("HTTP/1.1 $status X`r`nContent-Type: application/json`r`nContent-Length: $($bytes.Length)`r`nConnection: close`r`n`r`n")
                    $stream.Write($headBytes, 0, $headBytes.Length)
                    $stream.Write($bytes, 0, $bytes.Length)
                }
                catch { }
                finally { $client.Dispose() }
            }
        }
        try {
            $w = $null
            $out = @(Get-ExoDelegatedCustomer @partner -GraphHost $graph -WarningVariable w -WarningAction SilentlyContinue -Verbose 4>&1)
            $customers = @($out | Where-Object { $_.PSObject.TypeNames -contains 'ExoDelegated.Customer' })
            $customers.Count | Should -Be 2
            $customers[0].DisplayName | Should -Be '<redacted>'
            $customers[1].DisplayName | Should -Be 'Org of <redacted>'
            # Ten skipped relationships, one that counts the other 3, then the 2 unknown tenants.
            @($w).Count | Should -Be 13
            $w[0].Message | Should -Be 'A GDAP relationship without a customer tenant id was skipped (id <redacted>).'
            $w[10].Message | Should -Be '... and 3 more GDAP relationships without a customer tenant id were skipped (13 in all).'
            $w[11].Message | Should -Match '0000000a-0000-4000-8000-000000000000 \(<redacted>\)'
            $w[12].Message | Should -Match '0000000b-0000-4000-8000-000000000000 \(Org of <redacted>\)'
        }
        finally {
            $listener.Stop()
            $sent = @($server | Wait-Job -Timeout 10 | Receive-Job)
            $server | Remove-Job -Force
        }
        # The tokens the emulator issued and Graph got: in no object, warning or verbose line.
        $sent.Count | Should -Be 3
        $all = (ConvertTo-TestText $out) + ($w | Out-String -Width 4096)
        $all | Should -Match '<redacted>'
        Find-TestSecret $all (@($sent) + $emu.refreshToken + $emu.clientSecret) | Should -BeNullOrEmpty
    }

    It 'refuses plain http to a Graph host that is not this machine' {
        { Get-ExoDelegatedCustomer @partner -GraphHost 'http://graph.example.com' } | Should -Throw -ErrorId 'ExoDelegated.InsecureEndpoint,*'
    }
}

Describe 'Get-ExoDelegatedCustomer | Connect-ExoDelegated' {
    It 'returns one connection per customer; a customer that cannot be connected is an error naming it' {
        $failed = $null
        $all = @(Get-ExoDelegatedCustomer @partner -GraphHost $emu.url |
                Connect-ExoDelegated @connect -ErrorAction SilentlyContinue -ErrorVariable failed)
        $all.TenantId | Should -Be @($emu.customers.tenantId)
        # The domain came from the pipeline (no lookup in Exchange).
        $all.TenantDomain | Should -Be @($emu.customers.domain)
        $all.State | Sort-Object -Unique | Should -Be 'Connected'
        $special = $emu.specialTenants
        @($failed).Count | Should -Be 5
        @($failed.TargetObject | Sort-Object) | Should -Be @($special.PSObject.Properties.Value.tenantId | Sort-Object)
        $consent = $failed | Where-Object TargetObject -eq $special.consentMissing.tenantId
        "$consent" | Should -Match ("^Tenant " + [regex]::Escape($special.consentMissing.tenantId) + ' \(' + [regex]::Escape($special.consentMissing.domain) + '\): ')
        "$consent" | Should -Match 'AADSTS65001'
        $consent.FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.ReconsentRequired,*'
        Disconnect-ExoDelegated -Connection $all
    }

    It 'reports a refused partner credential once per tenant, naming each, and opens nothing' {
        Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
        $bad = $connect.Clone(); $bad.ClientSecret = New-TestSecret 'wrong-secret'
        $customers = @(Get-ExoDelegatedCustomer @partner -GraphHost $emu.url | Select-Object -First 3)
        $errs = $null
        $made = @($customers | Connect-ExoDelegated @bad -ErrorAction SilentlyContinue -ErrorVariable errs)
        $made.Count | Should -Be 0
        @($errs).Count | Should -Be 3
        for ($i = 0; $i -lt 3; $i++) {
            $errs[$i].FullyQualifiedErrorId | Should -BeLike 'ExoDelegated.SecretInvalid,*'
            "$($errs[$i])" | Should -Match ('^Tenant ' + [regex]::Escape($customers[$i].TenantId))
            $errs[$i].Exception.Scope | Should -Be 'Credential'
        }
        @(Get-ExoDelegatedConnection).Count | Should -Be 0
    }
}
