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

    Many invocations can be piped in: objects with Name and Parameters properties, or
    parameter hashtables with -Name. They are sent through $batch, up to -BatchSize (default
    10) per request and -ThrottleLimit requests at once, and their results come out in input
    order; each output object and each error carries its invocation (ExoInvocation: Index,
    Name, Parameters). One invocation's failure is a non-terminating error and the others go
    on. A write that may have run when a connection broke is reported ("may or may not have
    been applied") and never sent again. Writes ask ShouldProcess (and honour -WhatIf) per
    invocation.

    .PARAMETER Name
    The Exchange cmdlet to run, e.g. Get-Mailbox or Set-MailboxFolderPermission. Tab
    completion lists the Exchange Online cmdlets of the module's list
    (Data/ExchangeOnlineCmdlets.txt); any other cmdlet name is accepted too.

    .PARAMETER Parameters
    The cmdlet's parameters, as a hashtable: @{ Identity = 'john@contoso.com'; ResultSize = 'Unlimited' }.
    Accepts pipeline input (one invocation per hashtable), and the Parameters property of
    piped objects.

    .PARAMETER BatchSize
    Piped invocations are sent up to this many per $batch request (1-10, default 10). 1 sends
    one request per invocation.

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
    With one connection and piped invocations: how many $batch requests are in flight at once
    (default: the connection's request window, Connect-ExoDelegated -ThrottleLimit, 4 unless
    set; the window also caps this).

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

    .EXAMPLE
    Get-EXOMailbox -ResultSize 25 | ForEach-Object { @{ Identity = $_.UserPrincipalName } } |
        Invoke-ExoCommand -Name Get-CASMailbox -Properties Identity, OWAEnabled

    Twenty-five Get-CASMailbox invocations in three $batch requests; the results come out in
    the mailboxes' order, each with its ExoInvocation.

    .EXAMPLE
    $changes = @(
        [pscustomobject]@{ Name = 'Set-Mailbox'; Parameters = @{ Identity = 'john@contoso.com'; CustomAttribute1 = 'Sales' } }
        [pscustomobject]@{ Name = 'Set-CASMailbox'; Parameters = @{ Identity = 'john@contoso.com'; PopEnabled = $false } }
    )
    $changes | Invoke-ExoCommand -WhatIf

    Two different cmdlets in one $batch request, each dry-run by Exchange.

    .OUTPUTS
    System.Management.Automation.PSObject
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([psobject])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidatePattern('^[A-Za-z]+-[A-Za-z0-9]+$', ErrorMessage = "'{0}' is not a cmdlet name (Verb-Noun).")]
        [ArgumentCompleter([ExoDelegated.Interop.ExchangeCmdletCompleter])]
        [Alias('CmdletName', 'Command')]
        [string] $Name,

        [Parameter(Position = 1, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [AllowNull()]
        [System.Collections.IDictionary] $Parameters = @{},

        [string[]] $Properties,

        [ExoDelegated.Interop.ValidateResultSize()]
        [ArgumentCompleter({ 'Unlimited' })]
        [string] $ResultSize = 'Unlimited',

        [ValidateNotNullOrEmpty()]
        [string] $AnchorMailbox,

        [string] $TypeName,

        [ValidateRange(1, 10)]
        [int] $BatchSize = 10,

        [ValidateRange(1, 256)]
        [int] $ThrottleLimit,

        [ExoDelegated.Interop.ConnectionTransformation()]
        [ArgumentCompleter([ExoDelegated.Interop.ConnectionNameCompleter])]
        [ExoDelegated.Connection[]] $Connection
    )

    begin {
        # -ThrottleLimit: over several connections, tenants at once (default 16); over one,
        # batches in flight (default: the connection's request window, at most 64).
        $throttleGiven = $PSBoundParameters.ContainsKey('ThrottleLimit')
        $queue = New-ExoBatchQueue -Cmdlet $PSCmdlet -BatchSize $BatchSize -ThrottleLimit $(if ($throttleGiven) { [Math]::Min($ThrottleLimit, 64) } else { 0 })
        $tenantsAtOnce = if ($throttleGiven) { $ThrottleLimit } else { 16 }
        $typeGiven = $PSBoundParameters.ContainsKey('TypeName')
        $index = 0
    }

    process {
        if ($null -eq $Parameters) { $Parameters = @{} }
        $type = if ($typeGiven) { $TypeName } else { 'ExoDelegated.' + $Name.Split('-', 2)[1] }
        $identity = if (@($Parameters.Keys) -contains 'Identity') { $Parameters['Identity'] } else { $null }
        $target = if ($null -ne $identity) { $identity } else { $Name }
        if (@($Connection).Count -gt 1) {
            # Several tenants: the native fan-out, one ShouldProcess for all of them.
            $c = [ExoDelegated.Interop.ConnectionResolver]::ResolveSet($PSCmdlet, $Connection, $null, $script:ExoCurrentConnection)
            $decision = Confirm-ExoWrite -Cmdlet $PSCmdlet -CmdletName $Name -Parameters $Parameters -Identity $identity -Where "$($c.Count) tenants"
            if ($decision -eq 'Skip') { return }
            $dryRun = $decision -eq 'DryRun'
            $send = if ($dryRun) { Add-ExoWhatIf $Parameters } else { $Parameters }
            [ExoDelegated.Interop.TenantCommand]::Run($PSCmdlet, $c, $Name, $send, $Properties, $type,
                [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit($ResultSize), $target, $AnchorMailbox, $tenantsAtOnce, $dryRun)
            return
        }
        $one = if ($Connection) { $Connection[0] } else { $null }
        $c = [ExoDelegated.Interop.ConnectionResolver]::Resolve($PSCmdlet, $one, $_, $script:ExoCurrentConnection)
        $tag = $null
        if ($MyInvocation.ExpectingInput) {
            # Piped invocations: every record and error says which one it belongs to.
            $invocation = [pscustomobject]@{ PSTypeName = 'ExoDelegated.Invocation'; Index = $index; Name = $Name; Parameters = $Parameters }
            $invocation | Add-Member -MemberType ScriptMethod -Name ToString -Force -Value {
                $id = if (@($this.Parameters.Keys) -contains 'Identity') { " $($this.Parameters['Identity'])" } else { '' }
                "#$($this.Index) $($this.Name)$id"
            }
            $target = $invocation
            $tag = @{ ExoInvocation = $invocation }
        }
        $index++
        # A dry run is queued with -DryRun: the batch queue adds Exchange's WhatIf itself.
        $decision = Confirm-ExoWrite -Cmdlet $PSCmdlet -CmdletName $Name -Parameters $Parameters -Identity $identity -Where "tenant $($c.TenantId)"
        if ($decision -eq 'Skip') { return }
        $dryRun = $decision -eq 'DryRun'
        Add-ExoBatchItem $queue -Connection $c -CmdletName $Name -Parameters $Parameters -Select $Properties -TypeName $type `
            -ResultSize ([ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit($ResultSize)) -Target $target -AnchorMailbox $AnchorMailbox -AddProperty $tag -DryRun:$dryRun
    }

    end { Complete-ExoBatchQueue $queue }
}
