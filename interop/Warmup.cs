using System;
using System.Collections;
using System.Text;
using System.Threading;

namespace ExoDelegated.Interop
{
    /// <summary>Runs the interop's per-command code once on a thread-pool thread right after the
    /// import, so that its just-in-time compilation happens on an idle core while PowerShell goes
    /// on with the import and the first Connect-ExoDelegated, instead of inside the first command
    /// (docs/BENCHMARKS.md, cold start). Touches no native handle and no network; its results are
    /// dropped. Not on a single core, where it would only compete with the import.</summary>
    public static class Warmup
    {
        private static int started;

        // A page as the native library hands it out, with the annotations Exchange writes.
        private const string SamplePage =
            "{\"value\":[{\"Name\":\"a\",\"Count@odata.type\":\"#Int64\",\"Count\":1,\"Guid@odata.type\":\"#Guid\"," +
            "\"Guid\":\"00000000-0000-0000-0000-000000000000\",\"When@odata.type\":\"#DateTime\",\"When\":\"2026-01-01T00:00:00Z\"," +
            "\"Addresses@odata.type\":\"#Collection(String)\",\"Addresses\":[\"SMTP:a@b\"],\"Flag\":true,\"Nested\":{\"X\":1}}]," +
            "\"warnings\":[\"w\"],\"retries\":[],\"requestId\":\"r\",\"page\":1,\"more\":false}";

        public static void Start()
        {
            if (Environment.ProcessorCount < 2 || Interlocked.Exchange(ref started, 1) != 0) return;
            ThreadPool.UnsafeQueueUserWorkItem(_ => Run(), null);
        }

        private static void Run()
        {
            try
            {
                RequestWriter.Options(new Hashtable { { "tenantId", "t" }, { "pageSize", 1 }, { "flag", true } });
                RequestWriter.Build("Get-Mailbox", new Hashtable { { "ResultSize", "Unlimited" }, { "Identity", "a" } }, new[] { "Name" }, 0, null);
                var page = Encoding.UTF8.GetBytes(SamplePage);
                PageReader.Read(page, "ExoDelegated.Warmup", "ExoDelegated.Origin#warmup", "t", true);
            }
            catch (Exception)
            {
                // Nothing depends on it: the first command compiles whatever was not warmed.
            }
        }
    }
}
