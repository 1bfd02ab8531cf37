using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>
    /// Runs one Exchange cmdlet in many tenants at once through the native fan-out (exo_fanout)
    /// on behalf of a public command: throttleLimit tenants at a time, each within its own
    /// request window, in the calling runspace. Records stream as their pages arrive, tagged
    /// with their tenant (ExoTenant) and connection (so they pipe on into the right tenant). A
    /// tenant that fails is one non-terminating ErrorRecord naming the tenant, and the others go
    /// on. Progress: tenants done of total. Ctrl+C: the short waits let PowerShell stop the
    /// pipeline, and the fan-out is cancelled on the way out.
    /// </summary>
    public static class FanoutCommand
    {
        /// <summary>resultSize: most records per tenant (0: all); the other arguments as PagedCommand.Run.</summary>
        public static void Run(PSCmdlet cmdlet, ExoDelegated.Connection[] connections, string cmdletName, IDictionary parameters,
            string[] select, string typeName, long resultSize, string anchorMailbox, int throttleLimit)
        {
            typeName = typeName ?? "";
            int pageSize = resultSize > 0 && resultSize < 1000 ? (int)resultSize : 0;
            var call = Bridge.TryBuildRequest(cmdletName, parameters, select, pageSize, anchorMailbox);
            if (call.Failed) { ErrorMapper.Report(cmdlet, call.Error, cmdletName, false); return; }
            string request = (string)call.Value;
            int total = connections.Length;
            Streams.Verbose(cmdlet, string.Format(CultureInfo.InvariantCulture, "{0} in {1} tenants, {2} at once.", cmdletName, total, throttleLimit));

            call = Fanout.TryStart(connections, request, throttleLimit);
            if (call.Failed) { ErrorMapper.Report(cmdlet, call.Error, cmdletName, false); return; }
            var fanout = (FanoutHandle)call.Value;

            var emitted = new long[total];
            int done = 0, failed = 0;
            int progressId = ProgressIds.Next();
            string activity = string.Format(CultureInfo.InvariantCulture, "{0} in {1} tenants", cmdletName, total);
            var sinceProgress = Stopwatch.StartNew();
            try
            {
                while (true)
                {
                    call = Fanout.TryNext(fanout, 250, typeName, connections);
                    if (call.Failed) { ErrorMapper.Report(cmdlet, call.Error, cmdletName, false); return; }
                    var item = (FanoutItem)call.Value;
                    if (item == null) continue;
                    if (item.Finished) break;
                    var c = item.Connection;
                    if (item.Error != null)
                    {
                        done++;
                        failed++;
                        if (item.Error.Code == ResultCode.Cancelled && cmdlet.Stopping) throw new PipelineStoppedException();
                        // Never terminating: whatever one tenant's failure is, the others go on.
                        cmdlet.WriteError(ErrorMapper.ToErrorRecord(item.Error, c.TenantId));
                    }
                    else
                    {
                        var page = item.Page;
                        if (page.Retries != null)
                        {
                            foreach (var retry in page.Retries)
                            {
                                Streams.Verbose(cmdlet, string.Format(CultureInfo.CurrentCulture, "{0} in tenant {1}: retry {2} after {3}, waited {4} ms (request id {5})",
                                    cmdletName, c.TenantId, retry.Attempt, retry.Reason, retry.WaitMs, retry.RequestId));
                            }
                        }
                        if (page.Warnings != null) { foreach (string warning in page.Warnings) Streams.Warning(cmdlet, "Tenant " + c.TenantId + ": " + warning); }
                        PSObject[] records = page.Records ?? new PSObject[0];
                        int i = item.Index;
                        if (resultSize > 0 && emitted[i] + records.Length > resultSize)
                        {
                            long take = resultSize - emitted[i];
                            if (take <= 0) records = new PSObject[0];
                            else System.Array.Resize(ref records, (int)take);
                        }
                        emitted[i] += records.Length;
                        if (records.Length > 0) cmdlet.WriteObject(records, true);
                        if (!page.More) done++;
                    }
                    // At most every 200 ms: a progress record per page would cost more than the page.
                    if (sinceProgress.ElapsedMilliseconds >= 200)
                    {
                        sinceProgress.Restart();
                        var progress = new ProgressRecord(progressId, activity, string.Format(CultureInfo.CurrentCulture, "{0} of {1} tenants done{2}",
                            done, total, failed > 0 ? ", " + failed.ToString(CultureInfo.InvariantCulture) + " failed" : ""));
                        progress.PercentComplete = (int)System.Math.Round(100.0 * done / total);
                        cmdlet.WriteProgress(progress);
                    }
                }
                long sum = 0;
                foreach (long n in emitted) sum += n;
                Streams.Verbose(cmdlet, string.Format(CultureInfo.CurrentCulture, "{0}: {1} tenants done, {2} failed, {3} object(s).", cmdletName, done, failed, sum));
            }
            finally
            {
                var complete = new ProgressRecord(progressId, activity, "Done") { RecordType = ProgressRecordType.Completed };
                try { cmdlet.WriteProgress(complete); }
                catch (System.Exception) { /* the pipeline is stopping: nothing left to show */ }
                Fanout.Cancel(fanout);
                fanout.Dispose();
            }
        }
    }
}
