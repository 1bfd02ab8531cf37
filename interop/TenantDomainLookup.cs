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

        private static string Find(ConnectionHandle conn, Cmdlet stopSignal)
        {
            CursorHandle cursor = Bridge.Invoke(conn, RequestWriter.Build("Get-AcceptedDomain", null, Select, 0, null));
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
