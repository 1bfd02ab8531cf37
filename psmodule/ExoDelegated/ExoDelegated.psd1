@{
    RootModule           = 'ExoDelegated.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0c8a57-3c1e-4f55-9b0e-2f7d6c5e4a11'
    Author               = 'ExoDelegated contributors'
    CompanyName          = 'ExoDelegated'
    Copyright            = '(c) ExoDelegated contributors. MIT License.'
    Description          = 'Exchange Online admin cmdlets in any customer tenant through delegated partner access (GDAP/AOBO, Secure Application Model) with a partner refresh token and an app id/secret: no certificates, no remote PowerShell session.'
    PowerShellVersion    = '7.2'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ExoDelegated.Format.ps1xml')
    FunctionsToExport    = @(
        'Connect-ExoDelegated'
        'Disconnect-ExoDelegated'
        'Get-ExoDelegatedConnection'
        'Get-ExoDelegatedCustomer'
        'Export-ExoDelegatedRefreshToken'
        'Get-ExoDelegatedVersion'
        'Invoke-ExoCommand'
        'Get-EXOMailbox'
        'Get-EXORecipient'
        'Get-EXOMailboxPermission'
        'Get-EXORecipientPermission'
        'Get-EXOMailboxStatistics'
        'Get-EXOMailboxFolderStatistics'
        'Get-EXOMailboxFolderPermission'
        'Get-EXOCasMailbox'
        'Get-EXOMobileDeviceStatistics'
        'Get-EXOCalendarPermission'
        'Set-EXOCalendarPermission'
        'Add-EXOCalendarPermission'
        'Remove-EXOCalendarPermission'
        'Start-ExoDelegatedEmulator'
        'Stop-ExoDelegatedEmulator'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Exchange', 'ExchangeOnline', 'EXO', 'CSP', 'GDAP', 'AOBO', 'Partner', 'MSP', 'AzureAutomation', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/exodelegated/ExoDelegated'
            LicenseUri   = 'https://github.com/exodelegated/ExoDelegated/blob/main/LICENSE'
            ReleaseNotes = @'
0.1.0: first release. Exchange Online admin cmdlets (Get-EXOMailbox, Get-EXORecipient, permissions,
statistics, calendar permissions, Invoke-ExoCommand) in customer tenants through delegated partner
access (refresh token + app id/secret), backed by a native library for win-x64, win-arm64,
linux-x64, linux-arm64, osx-x64 and osx-arm64. Ships exo-emulator (Start-ExoDelegatedEmulator) to
test runbooks offline. Import with -Prefix to use it beside ExchangeOnlineManagement.
'@
        }
    }
}
