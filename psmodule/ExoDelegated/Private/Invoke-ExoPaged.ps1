function Invoke-ExoPaged {
    # Runs one Exchange cmdlet through the native library and streams its records page by
    # page on behalf of the public command ($Cmdlet): the first page reaches the pipeline
    # before the next one is requested; a downstream Select-Object -First, an error or
    # Ctrl+C ends the enumeration and the cursor is cancelled and freed (finally). Retries
    # and request ids go to -Verbose, @adminapi.warnings to Write-Warning, long enumerations
    # show progress. Failures: see Write-ExoFailure.
    # With -Into (the module's own lookups) the records are added to that list instead of
    # written, and the command outputs $true when every page arrived, $false after a
    # failure it has reported. This is the module's one paging loop.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory)][ExoDelegated.Connection] $Connection,
        [Parameter(Mandatory)][string] $CmdletName,
        [System.Collections.IDictionary] $Parameters,
        [string[]] $Select,
        [string] $TypeName,
        # Most records to emit; 0 = all.
        [long] $ResultSize = 0,
        [AllowNull()][object] $Target,
        [string] $AnchorMailbox,
        # NoteProperties added to every record (e.g. the mailbox of a calendar permission).
        [System.Collections.IDictionary] $AddProperty,
        [System.Collections.Generic.List[psobject]] $Into,
        # The request carries WhatIf = $true (a server-side dry run): a binding error saying the
        # cmdlet has no WhatIf parameter becomes the "cannot be dry-run" warning.
        [switch] $DryRun
    )
    $collect = $null -ne $Into

    $pageSize = 0
    if ($ResultSize -gt 0 -and $ResultSize -lt $Connection.PageSize) { $pageSize = [int]$ResultSize }
    $call = [ExoDelegated.Interop.Bridge]::TryBuildRequest($CmdletName, $Parameters, $Select, $pageSize, $AnchorMailbox)
    if ($call.Failed) { Write-ExoFailure -Cmdlet $Cmdlet -Exception $call.Error -Target $Target; if ($collect) { $false }; return }
    $request = $call.Value
    $parameterNames = if ($Parameters) { @($Parameters.Keys) -join ', ' } else { '' }
    $Cmdlet.WriteDebug("$CmdletName in tenant $($Connection.TenantId) (parameters: $parameterNames; select: $(if ($Select) { $Select.Count } else { 'all' }) properties)")

    $call = [ExoDelegated.Interop.Bridge]::TryInvoke($Connection.Handle, $request)
    if ($call.Failed) {
        if ($DryRun -and (Test-ExoNoWhatIfError $call.Error)) { Write-ExoNoDryRun -Cmdlet $Cmdlet -CmdletName $CmdletName -Target $Target -Sent }
        else { Write-ExoFailure -Cmdlet $Cmdlet -Exception $call.Error -Target $Target }
        if ($collect) { $false }; return
    }
    $cursor = $call.Value

    $emitted = [long]0
    $progressId = 0
    try {
        while ($true) {
            # No try/catch anywhere: the pipeline-stop exceptions that WriteObject throws when a
            # downstream command is done must pass through, and a caught exception would still
            # land in the caller's -ErrorVariable.
            $call = [ExoDelegated.Interop.Bridge]::TryNext($cursor, $TypeName, $Connection, $Cmdlet)
            if ($call.Failed) {
                if ($DryRun -and (Test-ExoNoWhatIfError $call.Error)) { Write-ExoNoDryRun -Cmdlet $Cmdlet -CmdletName $CmdletName -Target $Target -Sent }
                else { Write-ExoFailure -Cmdlet $Cmdlet -Exception $call.Error -Target $Target }
                if ($collect) { $false }; return
            }
            $page = $call.Value

            foreach ($retry in $page.Retries) {
                $Cmdlet.WriteVerbose(("{0}: retry {1} after {2}, waited {3} ms (request id {4})" -f
                        $CmdletName, $retry.Attempt, $retry.Reason, $retry.WaitMs, $retry.RequestId))
            }
            $Cmdlet.WriteVerbose(("{0} page {1}: {2} object(s) from tenant {3} (request id {4})" -f
                    $CmdletName, $page.Number, $page.Records.Count, $Connection.TenantId, $page.RequestId))
            foreach ($warning in $page.Warnings) { $Cmdlet.WriteWarning($warning) }

            $records = $page.Records
            $last = -not $page.More
            if ($ResultSize -gt 0 -and $emitted + $records.Count -ge $ResultSize) {
                # Exchange applies -ResultSize itself (and warns when there is more); this
                # only guards cmdlets that have no ResultSize parameter.
                $take = [int]($ResultSize - $emitted)
                if ($take -le 0) { $records = @() }
                elseif ($take -lt $records.Count) { $records = $records[0..($take - 1)] }
                $last = $true
            }
            if ($AddProperty) {
                foreach ($record in $records) {
                    foreach ($entry in $AddProperty.GetEnumerator()) {
                        $existing = $record.PSObject.Properties[$entry.Key]
                        if ($existing) { $existing.Value = $entry.Value }
                        else { $record.PSObject.Properties.Add([psnoteproperty]::new($entry.Key, $entry.Value)) }
                    }
                }
            }
            $emitted += $records.Count
            if ($collect) { $Into.AddRange([psobject[]]$records) }
            else { $Cmdlet.WriteObject($records, $true) }
            # The records are downstream's now: not held here while the next page is fetched
            # (a collection then finds only the page read ahead alive; GarbageBound).
            $records = $null; $call = $null
            if ($last) { if ($collect) { $true }; break }

            if ($progressId -eq 0) { $progressId = ++$script:ExoProgressId }
            $progress = [System.Management.Automation.ProgressRecord]::new($progressId, "$CmdletName ($($Connection.Name))",
                ("{0} object(s) so far, fetching page {1}" -f $emitted, ($page.Number + 1)))
            $Cmdlet.WriteProgress($progress)
            $page = $null
        }
    }
    finally {
        if ($progressId -ne 0) {
            $done = [System.Management.Automation.ProgressRecord]::new($progressId, "$CmdletName ($($Connection.Name))", 'Done')
            $done.RecordType = 'Completed'
            try { $Cmdlet.WriteProgress($done) } catch { $null = $_ }
        }
        # Cancels an unfinished enumeration (a no-op after the last page) and frees the cursor.
        [ExoDelegated.Interop.Bridge]::Cancel($cursor)
        $cursor.Dispose()
    }
}
