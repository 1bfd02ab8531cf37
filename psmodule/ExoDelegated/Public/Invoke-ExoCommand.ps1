function Invoke-ExoCommand {
    <#
    .SYNOPSIS
    Runs any Exchange Online cmdlet in the connected tenant.

    .DESCRIPTION
    Sends an Exchange Online cmdlet with its parameters to the admin API (InvokeCommand)
    of the connection's tenant and streams the resulting objects page by page. It replaces
    the cmdlets an imported remote PowerShell session provided: Set-Mailbox, Add-MailboxPermission,
    New-DistributionGroup, Get-TransportRule, and so on.

    Parameter values are sent as JSON: strings, numbers, booleans (switches: $true), arrays,
    and hashtables for multi-valued changes, e.g. @{ Add = 'a@contoso.com'; Remove = 'b@contoso.com' }.
    Cmdlets whose verb is Get or Test only read. Every other cmdlet changes the tenant and
    asks ShouldProcess first (-Confirm asks); writes are never retried blindly.

    -WhatIf is a dry run that Exchange itself checks: the cmdlet is sent with Exchange's own
    WhatIf switch (WhatIf = $true added to -Parameters), so Exchange binds and validates the
    parameters and finds the objects, changes nothing, and answers with its "What if: ..."
    text, shown as a warning. An unknown cmdlet, a misspelled parameter, a wrong value or a
    missing mailbox therefore fail the dry run as they would fail the real run. A write is
    never sent without WhatIf while -WhatIf is in force. Cmdlets that have no -WhatIf in
    Exchange cannot be dry-run on the server: those listed as such in the module's cmdlet
    list (Data/ExchangeOnlineCmdlets.txt, "-NoWhatIf") are not sent at all, and for any
    other the server's answer that it has no WhatIf parameter (a binding error, so nothing
    ran) is reported; either way a warning says "cannot be dry-run on the server" and
    nothing was validated.

    Output objects get the type name ExoDelegated.<Noun> (ExoDelegated.Mailbox for
    Get-Mailbox, ...) unless -TypeName says otherwise, so the module's table views apply.

    .PARAMETER Name
    The Exchange cmdlet to run, e.g. Get-Mailbox or Set-MailboxFolderPermission. Tab
    completion lists the Exchange Online cmdlets of the module's list
    (Data/ExchangeOnlineCmdlets.txt); any other cmdlet name is accepted too.

    .PARAMETER Parameters
    The cmdlet's parameters, as a hashtable: @{ Identity = 'john@contoso.com'; ResultSize = 'Unlimited' }.

    .PARAMETER Properties
    Only these properties are returned (the request's $select). Default: all properties.

    .PARAMETER ResultSize
    The most objects to return, or 'Unlimited' (default).

    .PARAMETER AnchorMailbox
    The X-AnchorMailbox routing value for this request, instead of the connection's.

    .PARAMETER TypeName
    The PSTypeName given to the output objects. Default: ExoDelegated.<Noun of the cmdlet>.

    .PARAMETER Connection
    The connection (tenant) to use. Default: the current connection.
    A connection object, or the name of an open connection (tab completion lists them), or
    several of them: the cmdlet then runs in every one of those tenants at once.

    .PARAMETER ThrottleLimit
    With several connections (-Connection $all): how many tenants run the cmdlet at once
    (default 16), in the native core. Each tenant's failure is one error naming the tenant;
    the others go on. A write asks ShouldProcess once for all the tenants.

    .EXAMPLE
    Invoke-ExoCommand -Name Get-Mailbox -Parameters @{ RecipientTypeDetails = 'SharedMailbox'; ResultSize = 'Unlimited' }

    Lists the shared mailboxes of the current tenant.

    .EXAMPLE
    Invoke-ExoCommand Set-Mailbox @{ Identity = 'john@contoso.com'; HiddenFromAddressListsEnabled = $true } -WhatIf

    A dry run checked by Exchange: it validates the parameters and the mailbox, changes
    nothing, and its answer ("What if: Setting mailbox ...") is shown as a warning.

    .EXAMPLE
    Invoke-ExoCommand Set-Mailbox @{ Identity = 'info@contoso.com'; EmailAddresses = @{ Add = 'smtp:hello@contoso.com' } } -Confirm:$false

    Adds a proxy address without asking for confirmation.

    .OUTPUTS
    System.Management.Automation.PSObject
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([psobject])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidatePattern('^[A-Za-z]+-[A-Za-z0-9]+$', ErrorMessage = "'{0}' is not a cmdlet name (Verb-Noun).")]
        [ArgumentCompleter([ExoDelegated.Interop.ExchangeCmdletCompleter])]
        [Alias('CmdletName', 'Command')]
        [string] $Name,

        [Parameter(Position = 1)]
        [System.Collections.IDictionary] $Parameters = @{},

        [string[]] $Properties,

        [ValidatePattern('^(?i:unlimited|[1-9]\d*)$', ErrorMessage = "ResultSize must be a positive number or 'Unlimited'.")]
        [ArgumentCompleter({ 'Unlimited' })]
        [string] $ResultSize = 'Unlimited',

        [ValidateNotNullOrEmpty()]
        [string] $AnchorMailbox,

        [string] $TypeName,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection[]] $Connection,

        [ValidateRange(1, 256)]
        [int] $ThrottleLimit = 16
    )

    $c = Resolve-ExoConnectionSet -Cmdlet $PSCmdlet -Connection $Connection
    $tenants = if ($c.Count -eq 1) { "tenant $($c[0].TenantId)" } else { "$($c.Count) tenants" }
    if (-not $PSBoundParameters.ContainsKey('TypeName')) { $TypeName = 'ExoDelegated.' + ($Name -split '-', 2)[1] }
    $identity = if (@($Parameters.Keys) -contains 'Identity') { $Parameters['Identity'] } else { $null }
    $target = if ($null -ne $identity) { $identity } else { $Name }
    $send = $Parameters
    $dryRun = $false
    if (-not (Get-ExoReadVerb $Name)) {
        $summary = (@($Parameters.Keys) | Where-Object { $_ -ne 'Identity' }) -join ', '
        $action = if ($summary) { "$Name ($summary)" } else { $Name }
        $what = if ($null -ne $identity) { "$identity in $tenants" } else { $tenants }
        if ($WhatIfPreference) {
            # A dry run that Exchange checks (see the help): never the write itself.
            if ((Test-ExoServerWhatIf -Cmdlet $PSCmdlet -CmdletName $Name -Target $what) -eq $false) { return }
            $send = Add-ExoWhatIf $Parameters
            $dryRun = $true
        }
        elseif (-not $PSCmdlet.ShouldProcess($what, $action)) { return }
    }
    Invoke-ExoTenantCommand -Cmdlet $PSCmdlet -Connection $c -CmdletName $Name -Parameters $send -Select $Properties `
        -TypeName $TypeName -ResultSize (ConvertTo-ExoResultSize $ResultSize) -Target $target -AnchorMailbox $AnchorMailbox `
        -DryRun:$dryRun -ThrottleLimit $ThrottleLimit
}
