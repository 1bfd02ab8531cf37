#Requires -Version 7.2
<#
.SYNOPSIS
Offboards a leaving user's mailbox in one customer tenant.

.DESCRIPTION
The eight steps of a typical MSP offboarding, each one Exchange Online cmdlet run through
Invoke-ExoCommand:

  1. Get-User                           find the user's manager (or take -Delegate)
  2. Set-Mailbox -ForwardingAddress     forward new mail to the manager, keeping a copy
  3. Set-Mailbox -Type Shared           convert to a shared mailbox (frees the licence)
  4. Set-Mailbox -HiddenFromAddressListsEnabled   hide it from the address lists
  5. Add-MailboxPermission FullAccess   give the manager the mailbox (AutoMapping: it
                                        appears in the manager's Outlook)
  6. Set-MailboxAutoReplyConfiguration  tell senders whom to contact instead
  7. Set-CASMailbox                     switch off ActiveSync, OWA, POP, IMAP, MAPI, EWS

With -WhatIf every change is a dry run that Exchange itself checks (Invoke-ExoCommand sends
Exchange's own WhatIf switch): parameters, values and objects are validated, nothing
changes, and Exchange's "What if:" answer is reported per step. A step that would fail for
real fails the dry run too.

Every step is reported as one object (Step, Cmdlet, Status, Detail); a failed step does not
stop the later ones (they are independent), and the script ends with a non-terminating
error naming the failed steps, so a scheduler sees the run failed.

.PARAMETER Identity
The leaving user's mailbox (UPN, email address, alias).

.PARAMETER Delegate
Who gets the forwarded mail and FullAccess. Default: the user's manager (Get-User).

.PARAMETER AutoReplyMessage
The automatic reply. Default: a short note naming the delegate.

.PARAMETER Connection
The connection (tenant): a connection object or the name of an open connection. Default:
the current connection.

.EXAMPLE
./examples/Offboarding.ps1 -Identity anna@contoso.com -Connection contoso -WhatIf

Dry run: Exchange validates all seven changes and changes nothing.

.EXAMPLE
./examples/Offboarding.ps1 -Identity anna@contoso.com -Connection contoso -Confirm:$false |
    Format-Table Step, Cmdlet, Status, Detail -Wrap

The real run, without asking per step.
#>
[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
param(
    [Parameter(Mandatory)]
    [string] $Identity,

    [string] $Delegate,

    [string] $AutoReplyMessage,

    [object] $Connection
)

# Every call that must stop the run says -ErrorAction Stop; the summary error at the end
# follows the caller's -ErrorAction.
$on = @{}
if ($Connection) { $on.Connection = $Connection }
$results = [System.Collections.Generic.List[object]]::new()

function Invoke-Step {
    # One step: the cmdlet through Invoke-ExoCommand; Exchange's warnings (under -WhatIf its
    # "What if:" answer) and any error become the step's report.
    param([int] $Number, [string] $Step, [string] $Cmdlet, [hashtable] $Parameters)
    $warnings = $null
    try {
        # -WhatIf and -ErrorAction passed on explicitly: a module's commands do not see a
        # script's preference variables.
        $output = Invoke-ExoCommand -Name $Cmdlet -Parameters $Parameters @on -Confirm:$false -WhatIf:$WhatIfPreference `
            -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue
        $status = if ($WhatIfPreference -and $Cmdlet -notlike 'Get-*') { 'Validated' } else { 'Done' }
        $detail = (@($warnings) | ForEach-Object { "$_" }) -join ' '
        if ($status -eq 'Validated' -and $detail -match 'cannot be dry-run') { $status = 'NotValidated' }
    }
    catch {
        $output = $null
        $status = 'Failed'
        $detail = $_.Exception.Message
    }
    $results.Add([pscustomobject]@{ PSTypeName = 'ExoDelegated.OffboardingStep'; Step = $Number; Action = $Step; Cmdlet = $Cmdlet; Status = $status; Detail = $detail })
    $output
}

# 1. Who takes over: the manager, unless -Delegate says otherwise. A read: runs under -WhatIf too.
$user = Invoke-Step 1 'Find the manager' 'Get-User' @{ Identity = $Identity }
if (-not $Delegate) {
    $Delegate = if ($user -and $user.PSObject.Properties['Manager']) { $user.Manager } else { $null }
    if (-not $Delegate) {
        $results[0].Status = 'Failed'
        $results[0].Detail = "'$Identity' has no manager in the directory: pass -Delegate."
        $results
        Write-Error "Offboarding of '$Identity' stopped: no manager to hand the mailbox to (pass -Delegate)."
        return
    }
}
$delegateMailbox = Get-EXOMailbox -Identity $Delegate @on -ErrorAction Stop
$delegateAddress = $delegateMailbox.PrimarySmtpAddress
if (-not $AutoReplyMessage) {
    $AutoReplyMessage = "I have left the company. Please contact $($delegateMailbox.DisplayName) ($delegateAddress) instead."
}

# Asked once for the whole run (-Confirm:$false skips it); a dry run goes straight to Exchange.
if ($WhatIfPreference -or $PSCmdlet.ShouldProcess($Identity, "Offboard (forward to and share with $delegateAddress)")) {
    $null = Invoke-Step 2 'Forward to the delegate' 'Set-Mailbox' @{
        Identity = $Identity; ForwardingAddress = $delegateAddress; DeliverToMailboxAndForward = $true
    }
    $null = Invoke-Step 3 'Convert to shared' 'Set-Mailbox' @{ Identity = $Identity; Type = 'Shared' }
    $null = Invoke-Step 4 'Hide from address lists' 'Set-Mailbox' @{ Identity = $Identity; HiddenFromAddressListsEnabled = $true }
    $null = Invoke-Step 5 'FullAccess for the delegate' 'Add-MailboxPermission' @{
        Identity = $Identity; User = $delegateAddress; AccessRights = @('FullAccess'); AutoMapping = $true
    }
    $null = Invoke-Step 6 'Automatic reply' 'Set-MailboxAutoReplyConfiguration' @{
        Identity = $Identity; AutoReplyState = 'Enabled'; ExternalAudience = 'All'
        InternalMessage = $AutoReplyMessage; ExternalMessage = $AutoReplyMessage
    }
    $null = Invoke-Step 7 'Disable client protocols' 'Set-CASMailbox' @{
        Identity = $Identity; ActiveSyncEnabled = $false; OWAEnabled = $false; PopEnabled = $false
        ImapEnabled = $false; MAPIEnabled = $false; EwsEnabled = $false
    }
}

$results
$failed = @($results | Where-Object Status -eq 'Failed')
if ($failed) {
    Write-Error ("Offboarding of '{0}': {1} of {2} step(s) failed: {3}" -f $Identity, $failed.Count, $results.Count,
        (($failed | ForEach-Object { "$($_.Step) $($_.Action)" }) -join '; '))
}
