using System;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>The tenant's default accepted domain (Get-AcceptedDomain) for a connection made by
    /// GUID: the token carries only the tenant GUID. The default domain, else the initial one; null
    /// when neither is listed. In the interop rather than in script: it runs inside the first
    /// Connect-ExoDelegated of a session, where every line of script is compiled first.</summary>
    public static class TenantDomainLookup
    {
        private static readonly string[] Select = { "DomainName", "Default", "InitialDomain" };

        /// <summary>Value: the domain or null. Error: why it could not be read (no permission to
        /// read accepted domains, ...). Ctrl+C in stopSignal cancels it.</summary>
        public static CallResult TryFind(ConnectionHandle conn, Cmdlet stopSignal)
        {
            return CallResult.Run(() => Find(conn, stopSignal), "connection");
        }

        /// <summary>The lookup on a worker thread, for a connection that should not wait one more
        /// round trip for it (Connection.LookUpTenantDomain): its result is null when the domain
        /// could not be read (best effort, as TryFind). Cancel() stops it (Disconnect).</summary>
        internal sealed class Background
        {
            private readonly object gate = new object();
            private CursorHandle cursor;
            private bool cancelled;

            internal Background(ConnectionHandle conn)
            {
                Result = System.Threading.Tasks.Task.Run(() =>
                {
                    try { return Find(conn, null, this); }
                    catch (Exception) { return null; }
                });
            }

            internal System.Threading.Tasks.Task<string> Result { get; private set; }

            internal void Cancel()
            {
                lock (gate)
                {
                    cancelled = true;
                    CancelCursor();
                }
            }

            internal void Track(CursorHandle c)
            {
                lock (gate)
                {
                    cursor = c;
                    if (cancelled) CancelCursor();
                }
            }

            internal void Untrack()
            {
                lock (gate) { cursor = null; }
            }

            private void CancelCursor()
            {
                if (cursor == null || cursor.IsClosed) return;
                try { Bridge.Cancel(cursor); }
                catch (ObjectDisposedException) { /* already freed: nothing left to cancel */ }
            }
        }

        private static string Find(ConnectionHandle conn, Cmdlet stopSignal, Background owner = null)
        {
            CursorHandle cursor = Bridge.Invoke(conn, RequestWriter.Build("Get-AcceptedDomain", null, Select, 0, null));
            if (owner != null) owner.Track(cursor);
            try
            {
                string initial = null;
                while (true)
                {
                    Page page = Bridge.Next(cursor, null, null, stopSignal);
                    foreach (PSObject domain in page.Records)
                    {
                        string name = Text(domain, "DomainName");
                        if (string.IsNullOrEmpty(name)) continue;
                        if (IsTrue(domain, "Default")) return name;
                        if (initial == null && IsTrue(domain, "InitialDomain")) initial = name;
                    }
                    if (!page.More) return initial;
                }
            }
            finally
            {
                if (owner != null) owner.Untrack();
                Bridge.Cancel(cursor);
                cursor.Dispose();
            }
        }

        private static string Text(PSObject record, string property)
        {
            object value = record.Properties[property]?.Value;
            return value == null ? null : Convert.ToString(value is PSObject p ? p.BaseObject : value, System.Globalization.CultureInfo.InvariantCulture);
        }

        // A Boolean, or its text (a row without type annotations).
        private static bool IsTrue(PSObject record, string property)
        {
            object value = record.Properties[property]?.Value;
            if (value is PSObject p) value = p.BaseObject;
            return value is bool b ? b : value is string s && string.Equals(s, "True", StringComparison.OrdinalIgnoreCase);
        }
    }
}
