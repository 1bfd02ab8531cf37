# Get-EXOMobileDeviceStatistics: devices per mailbox (-Identity / -Mailbox / pipeline), filters.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1
    $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 20
    $c = Connect-TestTenant $emu -Options @{ Name = 'main' }
    $users = @(Get-EXOMailbox -RecipientTypeDetails UserMailbox -ResultSize Unlimited)
    $withDevices = $users | Where-Object { @(Get-EXOMobileDeviceStatistics -Identity $_.UserPrincipalName).Count -gt 0 } | Select-Object -First 1
}

AfterAll {
    Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
    Stop-ExoEmulator $emu
}

Describe 'Get-EXOMobileDeviceStatistics' {
    It 'lists the devices of a mailbox as ExoDelegated.MobileDeviceStatistics' {
        $d = @(Get-EXOMobileDeviceStatistics -Identity $withDevices.UserPrincipalName)
        $d.Count | Should -BeGreaterThan 0
        (Get-TestRecordType $d[0]) | Should -Be 'ExoDelegated.MobileDeviceStatistics'
        $d[0].DeviceModel | Should -Not -BeNullOrEmpty
        ($d | Out-String -Width 200) | Should -Match 'Mailbox\s+DeviceFriendlyName\s+DeviceType\s+DeviceOS\s+LastSuccessSync\s+Status'
        @(Get-EXOMobileDeviceStatistics -Mailbox $withDevices.UserPrincipalName).Count | Should -Be $d.Count
    }

    It 'takes mailboxes from the pipeline; mailboxes without devices return nothing' {
        $all = @($users | Get-EXOMobileDeviceStatistics)
        $all.Count | Should -BeGreaterThan 0
        @($all.Identity | Where-Object { $_ -notlike '*\ExchangeActiveSyncDevices\*' }).Count | Should -Be 0
        $rooms = @(Get-EXOMailbox -RecipientTypeDetails RoomMailbox -ResultSize 1)
        @($rooms | Get-EXOMobileDeviceStatistics).Count | Should -Be 0
    }

    It 'passes the filter switches and -Properties' {
        { Get-EXOMobileDeviceStatistics $withDevices.UserPrincipalName -ActiveSync -ErrorAction Stop } | Should -Not -Throw
        { Get-EXOMobileDeviceStatistics $withDevices.UserPrincipalName -OWAforDevices -RestApi -UniversalOutlook -ErrorAction Stop } | Should -Not -Throw
        $p = Get-EXOMobileDeviceStatistics $withDevices.UserPrincipalName -Properties DeviceModel | Select-Object -First 1
        $p.PSObject.Properties.Name | Should -Be @('DeviceModel', 'ExoTenant')
    }

    It 'writes ExoDelegated.NotFound for an unknown mailbox' {
        $null = Get-EXOMobileDeviceStatistics -Identity 'nobody@nowhere.example' -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound,Get-EXOMobileDeviceStatistics'
    }
}

Describe 'No secret leaked by Get-EXOMobileDeviceStatistics' {
    It 'leaves no secret in $Error' { Find-TestSecretInError $emu | Should -BeNullOrEmpty }
}
