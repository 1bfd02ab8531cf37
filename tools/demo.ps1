# The demo: the forum thread's job end to end on the built-in emulator, with ExoDelegated
# instead of New-PartnerAccessToken + New-PSSession + Import-PSSession.
#   partner refresh token -> two customer tenants -> mailboxes and their calendar permissions
#   -> one permission changed -> rotated refresh token exported (for Key Vault).
# Run through `pwsh ./build.ps1 demo`, which builds first.
param([Parameter(Mandatory)][string] $Root)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function Write-Section([string] $Title) {
    Write-Host ''
    Write-Host ('=== {0} ' -f $Title).PadRight(100, '=') -ForegroundColor Cyan
}

function Show([object[]] $InputObject, [object[]] $Property) {
    $InputObject | Format-Table -Property $Property -AutoSize | Out-String -Width 200 | Write-Host
}

$rights = @{ Name = 'AccessRights'; Expression = { $_.AccessRights -join ', ' } }

Import-Module (Join-Path $Root 'tools/ExoEmulator.psm1') -Force
Import-Module (Join-Path $Root 'psmodule/ExoDelegated/ExoDelegated.psd1') -Force

Write-Section 'ExoDelegated (module -> C ABI -> native library)'
Get-ExoDelegatedVersion | Format-List | Out-String | Write-Host

Write-Section '1. Start exo-emulator (a local Entra ID + Exchange Online admin API)'
$emu = Start-ExoEmulator -Tenants 3 -Mailboxes 25
try {
    Write-Host "Listening on $($emu.url); partner tenant $($emu.partnerDomain); $($emu.customers.Count) customer tenants."
    Show $emu.customers 'domain', 'tenantId', 'mailboxes'

    Write-Section '2. The partner''s secrets, as a runbook reads them from Key Vault'
    # In Azure Automation: (Get-AzKeyVaultSecret -VaultName $vault -Name ExoRefreshToken).SecretValue
    $refreshToken = ConvertTo-SecureString $emu.refreshToken -AsPlainText -Force
    $appSecret = ConvertTo-SecureString $emu.clientSecret -AsPlainText -Force
    $emu.refreshToken = $null; $emu.clientSecret = $null   # from here on they exist only as SecureStrings
    Write-Host "Refresh token: a $($refreshToken.GetType().Name) of $($refreshToken.Length) characters (issued to application $($emu.applicationId))."
    Write-Host "Client secret: a $($appSecret.GetType().Name) of $($appSecret.Length) characters."

    Write-Section '3. Connect-ExoDelegated to two customer tenants (no certificate, no remote PowerShell session)'
    $connections = foreach ($customer in $emu.customers | Select-Object -First 2) {
        Connect-ExoDelegated -TenantId $customer.domain -ApplicationId $emu.applicationId -RefreshToken $refreshToken `
            -ClientSecret $appSecret -AuthorityHost $emu.url -ExchangeHost $emu.url -Name ($customer.domain -replace '\..*$')
    }
    Get-ExoDelegatedConnection | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

    Write-Section '4. Mailboxes and the permissions on their calendars (whatever the calendar is called)'
    $calendars = foreach ($c in $connections) {
        Write-Host "Tenant $($c.TenantId):"
        # -ResultSize 6 keeps the demo short (Exchange would warn that there are more).
        $mailboxes = @(Get-EXOMailbox -Connection $c -ResultSize 6 -WarningAction SilentlyContinue)
        Show $mailboxes 'DisplayName', 'PrimarySmtpAddress', 'RecipientTypeDetails'
        # The mailboxes remember their connection: no -Connection needed down the pipeline.
        $perms = @($mailboxes | Get-EXOCalendarPermission)
        Show $perms 'Mailbox', 'FolderName', 'User', $rights
        $perms
    }

    Write-Section '5. Change one permission (shown before, as -WhatIf, and after)'
    $target = @($calendars | Where-Object { $_.User -eq 'Default' -and $_.FolderName -ne 'Calendar' } | Select-Object -First 1)
    if (-not $target) { $target = @($calendars | Where-Object User -eq 'Default' | Select-Object -First 1) }
    $target = $target[0]
    $owner = $connections | Where-Object { $target.Mailbox -like "*@$($_.TenantId)" }
    Write-Host "Before:"
    Show (Get-EXOCalendarPermission -Identity $target.Mailbox -User Default -Connection $owner) 'Mailbox', 'FolderName', 'User', $rights
    Set-EXOCalendarPermission -Identity $target.Mailbox -User Default -AccessRights Reviewer -Connection $owner -WhatIf
    Set-EXOCalendarPermission -Identity $target.Mailbox -User Default -AccessRights Reviewer -Connection $owner
    Write-Host "After:"
    Show (Get-EXOCalendarPermission -Identity $target.Mailbox -User Default -Connection $owner) 'Mailbox', 'FolderName', 'User', $rights

    Write-Section '6. Store the rotated refresh token again (the Key Vault rotation pattern)'
    $first = $connections[0]
    $first.Refresh()
    Write-Host "RefreshTokenRotated on '$($first.Name)': $($first.RefreshTokenRotated)"
    $rotated = Export-ExoDelegatedRefreshToken -Connection $first
    Write-Host "Exported: a $($rotated.GetType().Name) of $($rotated.Length) characters, read-only: $($rotated.IsReadOnly())."
    Write-Host "In a runbook: Set-AzKeyVaultSecret -VaultName `$vault -Name ExoRefreshToken -SecretValue `$rotated"

    Write-Section '7. Disconnect and stop the emulator'
    Disconnect-ExoDelegated -All
    $stats = Get-ExoEmulatorStats $emu
    Write-Host ("The emulator served {0} requests: {1} tokens issued, {2} InvokeCommand calls, {3} write applied." -f
        $stats.requests.total, $stats.tokens.issued, $stats.requests.byEndpoint.invokeCommand, $stats.writes.applied)
}
finally {
    Stop-ExoEmulator $emu
}
Write-Host ''
Write-Host 'Demo finished.' -ForegroundColor Green
