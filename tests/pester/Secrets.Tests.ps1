# The canary: a known secret string is given to every command that takes a secret (and the
# emulator's real secrets to the ones that succeed); none of them may appear in any of the
# six streams, in $Error, or in a transcript, across failed and successful connects,
# commands, verbose/debug output, device code sign-in and refresh token export.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 2 -Mailboxes 10 -DeviceCodeInterval 1
    $canary = 'CANARY-' + [guid]::NewGuid().ToString('N')
    $canarySecure = New-TestSecret $canary
    $transcript = Join-Path ([System.IO.Path]::GetTempPath()) "exo-canary-$PID-$([guid]::NewGuid().ToString('N')).txt"
    $exported = [System.Collections.Generic.List[string]]::new()
    $hosts = @{ AuthorityHost = $emu.url; ExchangeHost = $emu.url }
    $tenant = $emu.customers[0].domain

    $null = Start-Transcript -Path $transcript -Force
    $captured = & {
        $VerbosePreference = 'Continue'
        $DebugPreference = 'Continue'
        $InformationPreference = 'Continue'
        $WarningPreference = 'Continue'
        $common = @{ Verbose = $true; Debug = $true; InformationAction = 'Continue'; WarningAction = 'Continue' }

        # Failed connects with the canary as client secret, refresh token and access token.
        try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken (New-TestSecret $emu.refreshToken) -ClientSecret $canarySecure @hosts @common } catch { $_ }
        try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken $canarySecure -ClientSecret (New-TestSecret $emu.clientSecret) @hosts @common } catch { $_ }
        try { Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -ClientSecret $canarySecure @hosts @common } catch { $_ }
        try { Connect-ExoDelegated -TenantId $emu.specialTenants.mfaRequired.domain -ApplicationId $emu.applicationId -RefreshToken $canarySecure -ClientSecret $canarySecure @hosts @common } catch { $_ }
        $bad = Connect-ExoDelegated -TenantId $tenant -AccessToken $canarySecure @hosts -Name canary-token @common
        $bad
        try { Get-EXOMailbox -Connection $bad -ResultSize 2 @common } catch { $_ }
        Disconnect-ExoDelegated -Connection $bad @common

        # A working connection used by every command, with everything written out.
        $c = Connect-ExoDelegated -TenantId $tenant -ApplicationId $emu.applicationId -RefreshToken (New-TestSecret $emu.refreshToken) -ClientSecret (New-TestSecret $emu.clientSecret) @hosts @common
        $c | Format-List * | Out-String
        $c | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue
        $m = @(Get-EXOMailbox -ResultSize 3 @common)
        $m
        $m | Get-EXOMailboxPermission @common
        $m | Get-EXORecipientPermission @common
        $m | Get-EXOMailboxStatistics @common
        $m | Get-EXOCasMailbox @common
        $m | Get-EXOMobileDeviceStatistics @common
        $m | Select-Object -First 1 | Get-EXOMailboxFolderStatistics -FolderScope Calendar @common
        Get-EXORecipient -ResultSize 2 @common
        $cal = @($m | Get-EXOCalendarPermission @common)
        $cal
        Get-EXOMailboxFolderPermission -Identity $cal[0].Identity @common
        $m | Set-EXOCalendarPermission -User Default -AccessRights Reviewer -WhatIf @common
        $m[0] | Set-EXOCalendarPermission -User Default -AccessRights LimitedDetails -Confirm:$false @common
        $m[0] | Add-EXOCalendarPermission -User $m[1].UserPrincipalName -AccessRights Reviewer -Confirm:$false @common
        $m[0] | Remove-EXOCalendarPermission -User $m[1].UserPrincipalName -Confirm:$false @common
        Get-EXOMailbox -Identity 'nobody@nowhere.example' -ErrorAction Continue @common
        Invoke-ExoCommand Set-Mailbox @{ Identity = $m[0].UserPrincipalName; CustomAttribute1 = 'canary test' } -Confirm:$false @common
        # The emulator does not serve New-Mailbox: each call ends in an error whose text must not
        # carry the canary either (the dry run is sent to the server too, with Exchange's WhatIf).
        try { Invoke-ExoCommand New-Mailbox @{ Name = 'x'; Password = $canarySecure } -WhatIf @common } catch { $_ | Out-String }
        try { Invoke-ExoCommand New-Mailbox @{ Name = 'x'; Password = $canarySecure } -Confirm:$false -ErrorAction Continue @common } catch { $_ | Out-String }
        Get-ExoDelegatedConnection @common | Format-List * | Out-String
        $token = Export-ExoDelegatedRefreshToken -Connection $c @common
        $exported.Add((ConvertFrom-TestSecret $token))
        "exported a SecureString of length $($token.Length)"

        # Device code sign-in, its message, and the refresh token it yields.
        $d = Connect-ExoDelegated -TenantId $emu.partnerDomain -ApplicationId $emu.publicClientId -DeviceCode @hosts -Name device @common
        $exported.Add((ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken -Connection $d)))
        Disconnect-ExoDelegated -All @common
    } *>&1
    $captured | Out-Host
    $null = Stop-Transcript
    $secrets = @($canary) + @(Get-TestSecretString $emu) + @($exported)
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
    Remove-Item -LiteralPath $transcript -ErrorAction SilentlyContinue
}

Describe 'The canary secret' {
    It 'reached the service (so the check below means something)' {
        $stats = Get-ExoEmulatorStats $emu
        $stats.tokens.errorsByCode.'7000215' | Should -BeGreaterOrEqual 1 -Because 'the canary was sent as a client secret'
        $stats.tokens.errorsByCode.'70000' | Should -BeGreaterOrEqual 1 -Because 'the canary was sent as a refresh token'
        $stats.auth.unauthorized | Should -BeGreaterOrEqual 1 -Because 'the canary was sent as an access token'
        $exported.Count | Should -Be 2
    }

    It 'captured all six streams' {
        $kinds = $captured | ForEach-Object { $_.GetType().Name } | Sort-Object -Unique
        foreach ($k in 'ErrorRecord', 'WarningRecord', 'VerboseRecord', 'DebugRecord', 'InformationRecord', 'PSCustomObject') { $kinds | Should -Contain $k }
    }

    It 'appears in none of the six streams' {
        Find-TestSecret -Text (ConvertTo-TestText $captured) -Secret $secrets | Should -BeNullOrEmpty
    }

    It 'appears nowhere in $Error' {
        $global:Error.Count | Should -BeGreaterThan 0
        Find-TestSecret -Text (ConvertTo-TestText @($global:Error)) -Secret $secrets | Should -BeNullOrEmpty
    }

    It 'appears nowhere in the transcript' {
        $text = Get-Content -Raw -LiteralPath $transcript
        $text | Should -Match 'AADSTS7000215' -Because 'the failed connects are in the transcript'
        Find-TestSecret -Text $text -Secret $secrets | Should -BeNullOrEmpty
    }
}
