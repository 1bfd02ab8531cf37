using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Text.Json;

namespace ExoDelegated.Interop
{
    /// <summary>Writes the request JSON of exo_invoke from PowerShell values.</summary>
    public static class RequestWriter
    {
        private const int MaxDepth = 32;

        public static string Build(string cmdlet, IDictionary parameters, string[] select, int pageSize, string anchorMailbox)
        {
            if (string.IsNullOrWhiteSpace(cmdlet)) throw new ArgumentException("a cmdlet name is required", "cmdlet");
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    w.WriteString("cmdlet", cmdlet);
                    w.WritePropertyName("parameters");
                    w.WriteStartObject();
                    if (parameters != null)
                    {
                        foreach (DictionaryEntry e in parameters)
                        {
                            w.WritePropertyName(Convert.ToString(e.Key, CultureInfo.InvariantCulture));
                            WriteValue(w, e.Value, 0);
                        }
                    }
                    w.WriteEndObject();
                    if (select != null && select.Length > 0)
                    {
                        w.WritePropertyName("select");
                        w.WriteStartArray();
                        foreach (var s in select) if (!string.IsNullOrWhiteSpace(s)) w.WriteStringValue(s.Trim());
                        w.WriteEndArray();
                    }
                    if (pageSize > 0) w.WriteNumber("pageSize", pageSize);
                    if (!string.IsNullOrEmpty(anchorMailbox)) w.WriteString("anchorMailbox", anchorMailbox);
                    w.WriteEndObject();
                }
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }

        /// <summary>A flat dictionary of strings, integers and booleans (the native connect
        /// options) as one JSON object; any other value is written as its invariant string.</summary>
        public static string Options(IDictionary options)
        {
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    if (options != null)
                    {
                        foreach (DictionaryEntry e in options)
                        {
                            string name = Convert.ToString(e.Key, CultureInfo.InvariantCulture);
                            object value = e.Value is PSObject p ? p.BaseObject : e.Value;
                            if (value is bool b) w.WriteBoolean(name, b);
                            else if (value is int i) w.WriteNumber(name, i);
                            else if (value is long l) w.WriteNumber(name, l);
                            else w.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                        }
                    }
                    w.WriteEndObject();
                }
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }

        private static void WriteValue(Utf8JsonWriter w, object value, int depth)
        {
            if (depth > MaxDepth) throw new ArgumentException("a parameter value is nested too deeply (more than 32 levels)");
            var pso = value as PSObject;
            if (pso != null)
            {
                if (pso.BaseObject is PSCustomObject)
                {
                    w.WriteStartObject();
                    foreach (var p in pso.Properties)
                    {
                        if (!p.IsGettable) continue;
                        w.WritePropertyName(p.Name);
                        WriteValue(w, p.Value, depth + 1);
                    }
                    w.WriteEndObject();
                    return;
                }
                value = pso.BaseObject;
            }
            if (value == null || value is DBNull) { w.WriteNullValue(); return; }
            if (value is string) { w.WriteStringValue((string)value); return; }
            if (value is char) { w.WriteStringValue(value.ToString()); return; }
            if (value is bool) { w.WriteBooleanValue((bool)value); return; }
            if (value is SwitchParameter) { w.WriteBooleanValue(((SwitchParameter)value).IsPresent); return; }
            if (value is Enum) { w.WriteStringValue(value.ToString()); return; }
            if (value is int || value is long || value is short || value is sbyte || value is byte || value is ushort || value is uint)
            {
                w.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); return;
            }
            if (value is ulong) { w.WriteNumberValue((ulong)value); return; }
            if (value is double || value is float) { w.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture)); return; }
            if (value is decimal) { w.WriteNumberValue((decimal)value); return; }
            if (value is DateTime) { w.WriteStringValue(((DateTime)value).ToString("o", CultureInfo.InvariantCulture)); return; }
            if (value is DateTimeOffset) { w.WriteStringValue(((DateTimeOffset)value).ToString("o", CultureInfo.InvariantCulture)); return; }
            if (value is TimeSpan) { w.WriteStringValue(((TimeSpan)value).ToString("c", CultureInfo.InvariantCulture)); return; }
            if (value is Guid) { w.WriteStringValue(((Guid)value).ToString()); return; }
            if (value is SecureString)
            {
                // A cmdlet parameter that takes a password (New-Mailbox -Password): Exchange wants the text.
                var secure = (SecureString)value;
                IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(secure);
                try
                {
                    var chars = new char[secure.Length];
                    Marshal.Copy(p, chars, 0, chars.Length);
                    try { w.WriteStringValue(chars); }
                    finally { Array.Clear(chars, 0, chars.Length); }
                }
                finally { Marshal.ZeroFreeGlobalAllocUnicode(p); }
                return;
            }
            var dict = value as IDictionary;
            if (dict != null)
            {
                w.WriteStartObject();
                foreach (DictionaryEntry e in dict)
                {
                    w.WritePropertyName(Convert.ToString(e.Key, CultureInfo.InvariantCulture));
                    WriteValue(w, e.Value, depth + 1);
                }
                w.WriteEndObject();
                return;
            }
            var list = value as IEnumerable;
            if (list != null)
            {
                w.WriteStartArray();
                foreach (var item in list) WriteValue(w, item, depth + 1);
                w.WriteEndArray();
                return;
            }
            w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }
}
