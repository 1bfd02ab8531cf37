using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>
    /// The module's one paging loop: runs one Exchange cmdlet through the native library on
    /// behalf of a public command and streams its records page by page. The first page reaches
    /// the pipeline while the next ones are fetched (Bridge.TryNext's prefetcher); a downstream
    /// Select-Object -First, an error or Ctrl+C ends the enumeration, and the cursor is cancelled
    /// and freed. Retries and request ids go to -Verbose, @adminapi.warnings to warnings, long
    /// enumerations show progress; failures are reported as ErrorMapper.Report does.
    /// Compiled rather than script: it runs on every command's first call, where PowerShell's
    /// compiling of script code is most of the cost.
    /// </summary>
    public static class PagedCommand
    {
        /// <summary>Runs cmdletName with parameters in connection's tenant. select: the $select
        /// list (null: all); typeName: the records' type name; resultSize: most records to emit
        /// (0: all); target: the ErrorRecords' target; addProperty: note properties added to every
        /// record (e.g. the mailbox of a calendar permission); into: when given, the records are
        /// added to it instead of written (the module's own lookups); dryRun: the request carries
        /// WhatIf = $true, so Exchange's "no WhatIf parameter" binding error becomes a warning.
        /// Returns true when every page arrived, false after a failure it has reported.</summary>
        public static bool Run(PSCmdlet cmdlet, ExoDelegated.Connection connection, string cmdletName, IDictionary parameters,
            string[] select, string typeName, long resultSize, object target, string anchorMailbox,
            IDictionary addProperty, List<PSObject> into, bool dryRun)
        {
            // As the script parameters it replaces ([string] turns $null into '').
            typeName = typeName ?? "";
            int pageSize = resultSize > 0 && resultSize < connection.PageSize ? (int)resultSize : 0;
            var call = Bridge.TryBuildRequest(cmdletName, parameters, select, pageSize, anchorMailbox);
            if (call.Failed) { ErrorMapper.Report(cmdlet, call.Error, target, false); return false; }
            string request = (string)call.Value;
            string parameterNames = parameters == null ? "" : JoinKeys(parameters);
            cmdlet.WriteDebug(string.Format(CultureInfo.InvariantCulture, "{0} in tenant {1} (parameters: {2}; select: {3} properties)",
                cmdletName, connection.TenantId, parameterNames, select == null || select.Length == 0 ? "all" : select.Length.ToString(CultureInfo.InvariantCulture)));

            call = Bridge.TryInvoke(connection.Handle, request);
            if (call.Failed) { Fail(cmdlet, call.Error, cmdletName, target, dryRun); return false; }
            var cursor = (CursorHandle)call.Value;

            long emitted = 0;
            int progressId = 0;
            string activity = null;
            try
            {
                while (true)
                {
                    // No catch: the pipeline-stop exceptions that WriteObject throws when a downstream
                    // command is done must pass through.
                    call = Bridge.TryNext(cursor, typeName, connection, cmdlet);
                    if (call.Failed) { Fail(cmdlet, call.Error, cmdletName, target, dryRun); return false; }
                    var page = (Page)call.Value;
                    if (connection.Handle.IsClosed)
                    {
                        // Disconnected while the enumeration ran (downstream, or another runspace):
                        // it ends here, even when the next pages were already read ahead.
                        cmdlet.ThrowTerminatingError(ErrorMapper.Create("Disconnected",
                            "The connection '" + connection.Name + "' was disconnected while " + cmdletName + " was running.",
                            ErrorCategory.ConnectionError, connection.Name, "Connect again with Connect-ExoDelegated."));
                    }

                    if (page.Retries != null)
                    {
                        foreach (var retry in page.Retries)
                        {
                            Streams.Verbose(cmdlet, string.Format(CultureInfo.CurrentCulture, "{0}: retry {1} after {2}, waited {3} ms (request id {4})",
                                cmdletName, retry.Attempt, retry.Reason, retry.WaitMs, retry.RequestId));
                        }
                    }
                    PSObject[] records = page.Records ?? new PSObject[0];
                    Streams.Verbose(cmdlet, string.Format(CultureInfo.CurrentCulture, "{0} page {1}: {2} object(s) from tenant {3} (request id {4})",
                        cmdletName, page.Number, records.Length, connection.TenantId, page.RequestId));
                    if (page.Warnings != null) { foreach (string warning in page.Warnings) Streams.Warning(cmdlet, warning); }

                    bool last = !page.More;
                    if (resultSize > 0 && emitted + records.Length >= resultSize)
                    {
                        // Exchange applies -ResultSize itself (and warns when there is more); this
                        // only guards cmdlets that have no ResultSize parameter.
                        long take = resultSize - emitted;
                        if (take <= 0) records = new PSObject[0];
                        else if (take < records.Length) System.Array.Resize(ref records, (int)take);
                        last = true;
                    }
                    if (addProperty != null && addProperty.Count > 0) AddProperties(records, addProperty);
                    emitted += records.Length;
                    if (into != null) into.AddRange(records);
                    else cmdlet.WriteObject(records, true);
                    // The records are downstream's now: not held here while the next page is fetched
                    // (a collection then finds only the page read ahead alive; GarbageBound).
                    // Explicit, as code not yet optimized keeps every local alive to the end.
                    records = null;
                    call = null;
                    if (last) return true;

                    if (progressId == 0)
                    {
                        progressId = ProgressIds.Next();
                        activity = cmdletName + " (" + connection.Name + ")";
                    }
                    cmdlet.WriteProgress(new ProgressRecord(progressId, activity,
                        string.Format(CultureInfo.CurrentCulture, "{0} object(s) so far, fetching page {1}", emitted, page.Number + 1)));
                    page = null;
                }
            }
            finally
            {
                if (progressId != 0)
                {
                    var done = new ProgressRecord(progressId, activity, "Done") { RecordType = ProgressRecordType.Completed };
                    try { cmdlet.WriteProgress(done); }
                    catch (System.Exception) { /* the pipeline is stopping: nothing left to show */ }
                }
                // Cancels an unfinished enumeration (a no-op after the last page) and frees the cursor.
                Bridge.Cancel(cursor);
                cursor.Dispose();
            }
        }

        private static void Fail(PSCmdlet cmdlet, ExoNativeException error, string cmdletName, object target, bool dryRun)
        {
            if (dryRun && DryRun.IsNoWhatIfError(error)) Streams.Warning(cmdlet, DryRun.NoDryRunWarning(cmdletName, target, true));
            else ErrorMapper.Report(cmdlet, error, target, false);
        }

        private static void AddProperties(PSObject[] records, IDictionary addProperty)
        {
            foreach (var record in records)
            {
                foreach (DictionaryEntry entry in addProperty)
                {
                    string name = (string)LanguagePrimitives.ConvertTo(entry.Key, typeof(string), CultureInfo.InvariantCulture);
                    var existing = record.Properties[name];
                    if (existing != null) existing.Value = entry.Value;
                    else record.Properties.Add(new PSNoteProperty(name, entry.Value));
                }
            }
        }

        private static string JoinKeys(IDictionary parameters)
        {
            var names = new List<string>(parameters.Count);
            foreach (object key in parameters.Keys) names.Add(LanguagePrimitives.ConvertTo<string>(key));
            return string.Join(", ", names);
        }
    }
}
