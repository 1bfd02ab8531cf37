using System;
using System.Collections.Concurrent;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>
    /// Which connection a record came from, so piping records from tenant A into another
    /// command stays in tenant A. The record carries a type name "ExoDelegated.Origin#&lt;id&gt;"
    /// at the end of its TypeNames (cheap: no per-record table entry for the GC to track),
    /// and a process-wide map resolves the id while the connection is alive.
    /// </summary>
    public static class RecordOrigin
    {
        private const string Prefix = "ExoDelegated.Origin#";
        private static readonly ConcurrentDictionary<string, WeakReference<ExoDelegated.Connection>> Live =
            new ConcurrentDictionary<string, WeakReference<ExoDelegated.Connection>>();

        internal static string TagOf(ExoDelegated.Connection connection)
        {
            string tag = Prefix + connection.Id.ToString("N");
            WeakReference<ExoDelegated.Connection> existing;
            ExoDelegated.Connection alive;
            if (!Live.TryGetValue(tag, out existing) || !existing.TryGetTarget(out alive))
            {
                Live[tag] = new WeakReference<ExoDelegated.Connection>(connection);
            }
            return tag;
        }

        /// <summary>The connection a pipeline object came from, or null.</summary>
        public static ExoDelegated.Connection Get(object record)
        {
            var p = record as PSObject;
            if (p == null) return null;
            var names = p.TypeNames;
            for (int i = names.Count - 1; i >= 0; i--)
            {
                string name = names[i];
                if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
                WeakReference<ExoDelegated.Connection> weak;
                ExoDelegated.Connection c;
                return Live.TryGetValue(name, out weak) && weak.TryGetTarget(out c) ? c : null;
            }
            return null;
        }
    }
}
