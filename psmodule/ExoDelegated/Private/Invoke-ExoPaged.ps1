function Invoke-ExoPaged {
    # Runs one Exchange cmdlet through the native library and streams its records page by
    # page on behalf of the public command ($Cmdlet): the first page reaches the pipeline
    # before the next one is requested; a downstream Select-Object -First, an error or
    # Ctrl+C ends the enumeration and the cursor is cancelled and freed (finally). Retries
    # and request ids go to -Verbose, @adminapi.warnings to Write-Warning, long enumerations
    # show progress. Failures: see Write-ExoFailure.
    # With -Into (the module's own lookups) the records are added to that list instead of
    # written, and the command outputs $true when every page arrived, $false after a
    # failure it has reported. The loop itself is compiled (interop/PagedCommand.cs): it runs
    # on every command's first call, where compiling script code is most of the cost.
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
    $complete = [ExoDelegated.Interop.PagedCommand]::Run($Cmdlet, $Connection, $CmdletName, $Parameters, $Select, $TypeName,
        $ResultSize, $Target, $AnchorMailbox, $AddProperty, $Into, $DryRun.IsPresent)
    if ($null -ne $Into) { $complete }
}
