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
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Exchange', 'ExchangeOnline', 'CSP', 'GDAP', 'AOBO', 'Partner', 'MSP', 'PSEdition_Core', 'Linux', 'MacOS', 'Windows')
        }
    }
}
