using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ExoDelegated.Interop
{
    /// <summary>Page JSON (UTF-8, read in place from native memory) to PSObjects: the one
    /// per-record loop of the module. One forward pass with Utf8JsonReader, no document
    /// tree; property names are made once per page, not once per record.</summary>
    public static class PageReader
    {
        private static readonly object True = true;
        private static readonly object False = false;
        private static readonly PSObject[] NoRecords = new PSObject[0];
        private static readonly string[] NoWarnings = new string[0];
        private static readonly RetryInfo[] NoRetries = new RetryInfo[0];

        /// <summary>Parse the NUL-terminated page at json. Records get typeName first in their
        /// TypeNames and originTag (see RecordOrigin) last; either may be null.</summary>
        public static unsafe Page Read(IntPtr json, string typeName, string originTag)
        {
            return Read(json, typeName, originTag, null, false);
        }

        /// <summary>As Read, and every record gets the note property ExoTenant = tenant (when not
        /// null); with multiTenant, typeName + "#ExoTenant" comes first in its TypeNames (the
        /// table views that show the tenant column).</summary>
        public static unsafe Page Read(IntPtr json, string typeName, string originTag, string tenant, bool multiTenant)
        {
            var span = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)json);
            return Read(span, typeName, originTag, tenant, multiTenant);
        }

        public static Page Read(ReadOnlySpan<byte> json, string typeName, string originTag)
        {
            return Read(json, typeName, originTag, null, false);
        }

        public static Page Read(ReadOnlySpan<byte> json, string typeName, string originTag, string tenant, bool multiTenant)
        {
            var page = new Page { Records = NoRecords, Warnings = NoWarnings, Retries = NoRetries };
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a page is a JSON object");
            var cache = new PageCache();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("value"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray) page.Records = ReadRecords(ref reader, cache, typeName, originTag, tenant, multiTenant);
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("warnings"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray) page.Warnings = ReadWarnings(ref reader, json);
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("retries"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray) page.Retries = ReadRetries(ref reader);
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("requestId"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) page.RequestId = reader.GetString();
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("page"))
                {
                    reader.Read();
                    int n;
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out n)) page.Number = n;
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("more"))
                {
                    reader.Read();
                    page.More = reader.TokenType == JsonTokenType.True;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return page;
        }

        /// <summary>What the reader throws for a page it cannot read: bad JSON, nesting beyond
        /// MaxDepth, a lone surrogate (InvalidOperationException from GetString), numbers or
        /// names it cannot convert.</summary>
        public static bool IsMalformedPage(Exception e)
        {
            return e is JsonException || e is InvalidOperationException || e is ArgumentException
                || e is FormatException || e is OverflowException || e is DecoderFallbackException;
        }

        /// <summary>The reader's problem in a few words, without quoting the page.</summary>
        public static string Describe(Exception e)
        {
            if (e.Message.IndexOf("surrogate", StringComparison.OrdinalIgnoreCase) >= 0 || e is DecoderFallbackException || e is InvalidOperationException)
                return "a string holds an unpaired UTF-16 surrogate or invalid text.";
            if (e.Message.IndexOf("depth", StringComparison.OrdinalIgnoreCase) >= 0)
                return "it is nested deeper than 256 levels.";
            return "it is not the JSON a page should be.";
        }

        /// <summary>"2 page(s) with 2000 record(s) were delivered before it".</summary>
        public static string Delivered(int pages, long records)
        {
            if (pages == 0) return "No records were delivered before it";
            return string.Format("{0} {1} with {2} record(s) {3} delivered before it", pages, pages == 1 ? "page" : "pages", records, pages == 1 ? "was" : "were");
        }

        /// <summary>As Read, with the reader's failures as the MalformedResponse error the
        /// cursor path gives (for callers that hold page JSON themselves).</summary>
        public static Page ReadChecked(IntPtr json, string typeName)
        {
            try { return Read(json, typeName, null, null, false); }
            catch (Exception e) when (IsMalformedPage(e))
            {
                throw ExoNativeException.MalformedResponse("the page could not be read: " + Describe(e));
            }
        }

        /// <summary>The property every record carries: the tenant it came from.</summary>
        public const string TenantProperty = "ExoTenant";

        internal static PSObject[] ReadRecords(ref Utf8JsonReader reader, PageCache cache, string typeName, string originTag, string tenant, bool multiTenant)
        {
            var records = new List<PSObject>();
            bool typed = !string.IsNullOrEmpty(typeName);
            if (string.IsNullOrEmpty(originTag)) originTag = null;
            string multiName = typed && multiTenant ? typeName + "#" + TenantProperty : null;
            // Records of a page have the same properties: each one's member table is sized
            // for as many as the record before it had (plus ExoTenant). A record of another
            // shape reserves at most what the one before it really used, so a page of mixed
            // shapes costs at most about twice its records.
            int members = 0;
            object shared = null;
            bool noSharing = false;
            PSNoteProperty tenantNote = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                PSObject obj;
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    obj = ReadObject(ref reader, cache, members == 0 ? 0 : tenant != null ? members + 1 : members, out members);
                }
                else obj = new PSObject(ReadValue(ref reader, cache));
                if (typed || originTag != null)
                {
                    if (obj.BaseObject is PSCustomObject)
                    {
                        // The page's records share one list, made once the public way.
                        if (shared == null && !noSharing)
                        {
                            var template = new PSObject();
                            AddTypeNames(template, typeName, multiName, originTag);
                            shared = SharedTypeNames.Create(template.TypeNames);
                            noSharing = shared == null;
                        }
                        if (shared != null) SharedTypeNames.Apply(obj, shared);
                        else AddTypeNames(obj, typeName, multiName, originTag);
                    }
                    else AddTypeNames(obj, typeName, multiName, originTag);
                }
                // Set once here, with the page's one string: no per-lookup cost later.
                if (tenant != null && obj.BaseObject is PSCustomObject)
                {
                    if (tenantNote == null || !NoteTemplate.Reusable) tenantNote = new PSNoteProperty(TenantProperty, tenant);
                    obj.Properties.Add(tenantNote, true);
                }
                records.Add(obj);
            }
            return records.ToArray();
        }

        /// <summary>typeName first (after multiName, when given) and originTag last; either may be null.</summary>
        private static void AddTypeNames(PSObject obj, string typeName, string multiName, string originTag)
        {
            var typeNames = obj.TypeNames;
            if (!string.IsNullOrEmpty(typeName)) typeNames.Insert(0, typeName);
            if (multiName != null) typeNames.Insert(0, multiName);
            if (originTag != null) typeNames.Add(originTag);
        }

        /// <summary>A JSON object (reader on its StartObject) as a PSObject of note properties.
        /// OData annotations are protocol, not data: no property whose name has an '@' is kept;
        /// type annotations (`X@odata.type`, `X@data.type`; docs/PROTOCOL.md §5) type the value of X.</summary>
        private static PSObject ReadObject(ref Utf8JsonReader reader, PageCache cache, int capacity, out int count)
        {
            var obj = PSObjectFactory.New(capacity);
            count = 0;
            var props = obj.Properties;
            // Exchange writes a property's annotations right before it: the type is held here
            // and applied while the value is read. The last property is added only when the
            // next one starts (a property's value cannot be changed once added), so an
            // annotation right after it still converts it; any other order is applied by name
            // when the object ends.
            ReadOnlySpan<byte> pendingName = default;
            int pendingType = ODataType.None;
            ReadOnlySpan<byte> lastName = default;
            string last = null;
            int lastSlot = -1;
            object lastValue = null;
            List<KeyValuePair<string, int>> late = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var raw = reader.ValueSpan;
                int at = raw.IndexOf((byte)'@');
                string escapedName = null;
                if (at < 0 && raw.IndexOf((byte)'\\') >= 0)
                {
                    escapedName = reader.GetString();
                    int escapedAt = escapedName.IndexOf('@');
                    if (escapedAt >= 0)
                    {
                        int type = ReadAnnotationType(ref reader);
                        if (type != ODataType.None && escapedAt > 0) AddLate(ref late, escapedName.Substring(0, escapedAt), type);
                        continue;
                    }
                }
                if (at >= 0)
                {
                    var target = raw.Slice(0, at);
                    int type = ReadAnnotationType(ref reader);
                    if (type == ODataType.None || target.Length == 0) continue;
                    if (last != null && target.SequenceEqual(lastName)) lastValue = ODataType.Convert(lastValue, type);
                    else if (pendingType == ODataType.None) { pendingName = target; pendingType = type; }
                    else if (target.SequenceEqual(pendingName)) pendingType = ODataType.Merge(pendingType, type);
                    else AddLate(ref late, Encoding.UTF8.GetString(target), type);
                    continue;
                }
                string name = escapedName ?? cache.Name(ref reader);
                int slot = escapedName == null ? cache.LastSlot : -1;
                reader.Read();
                object value;
                if (pendingType != ODataType.None && escapedName == null && raw.SequenceEqual(pendingName))
                {
                    value = ReadTypedValue(ref reader, cache, pendingType);
                    pendingType = ODataType.None;
                }
                else value = ReadValue(ref reader, cache);
                // Pre-validated: JSON object keys from Exchange are unique, and the check
                // costs more than building the property.
                if (last != null) { props.Add(cache.Note(lastSlot, last, lastValue), true); count++; }
                last = name;
                lastSlot = slot;
                lastValue = value;
                lastName = raw;
            }
            if (last != null) { props.Add(cache.Note(lastSlot, last, lastValue), true); count++; }
            if (pendingType != ODataType.None) ApplyLate(props, Encoding.UTF8.GetString(pendingName), pendingType);
            if (late != null)
            {
                foreach (var a in late) ApplyLate(props, a.Key, a.Value);
            }
            return obj;
        }

        /// <summary>Reader on an annotation's name: consumes its value; the type it names, or None.</summary>
        private static int ReadAnnotationType(ref Utf8JsonReader reader)
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.String) { reader.Skip(); return ODataType.None; }
            var text = reader.ValueSpan;
            return text.IndexOf((byte)'\\') < 0 ? ODataType.Classify(text) : ODataType.Classify(Encoding.UTF8.GetBytes(reader.GetString()));
        }

        private static void AddLate(ref List<KeyValuePair<string, int>> late, string name, int type)
        {
            if (late == null) late = new List<KeyValuePair<string, int>>();
            late.Add(new KeyValuePair<string, int>(name, type));
        }

        private static void ApplyLate(PSMemberInfoCollection<PSPropertyInfo> props, string name, int type)
        {
            var p = props[name] as PSNoteProperty;
            if (p != null) p.Value = ODataType.Convert(p.Value, type);
        }

        /// <summary>A value (reader on its first token) as the annotated type.</summary>
        private static object ReadTypedValue(ref Utf8JsonReader reader, PageCache cache, int type)
        {
            if (ODataType.IsCollection(type))
            {
                int element = ODataType.ElementOf(type);
                if (reader.TokenType == JsonTokenType.Null) return ODataType.EmptyCollection;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return new object[] { element == ODataType.None ? ReadValue(ref reader, cache) : ReadTypedValue(ref reader, cache, element) };
                }
                var items = cache.Items;
                int start = items.Count;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(element == ODataType.None ? ReadValue(ref reader, cache) : ReadTypedValue(ref reader, cache, element));
                }
                return cache.TakeItems(start);
            }
            object value;
            if (ODataType.TryRead(ref reader, type, out value)) return value;
            return ODataType.Convert(ReadValue(ref reader, cache), type);
        }

        private static object ReadValue(ref Utf8JsonReader reader, PageCache cache)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String: return cache.Value(ref reader);
                case JsonTokenType.Number:
                    long l;
                    if (reader.TryGetInt64(out l)) return l >= int.MinValue && l <= int.MaxValue ? (object)(int)l : l;
                    return reader.GetDouble();
                case JsonTokenType.True: return True;
                case JsonTokenType.False: return False;
                case JsonTokenType.StartObject: return ReadObject(ref reader, cache, 0, out _);
                case JsonTokenType.StartArray:
                    var items = cache.Items;
                    int start = items.Count;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) items.Add(ReadValue(ref reader, cache));
                    return cache.TakeItems(start);
                default: return null;
            }
        }

        internal static string[] ReadWarnings(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
        {
            var warnings = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.String) { warnings.Add(reader.GetString()); continue; }
                // Not a string: show its JSON text.
                long start = reader.TokenStartIndex;
                reader.Skip();
                long end = reader.BytesConsumed;
                warnings.Add(System.Text.Encoding.UTF8.GetString(json.Slice((int)start, (int)(end - start))));
            }
            return warnings.ToArray();
        }

        internal static RetryInfo[] ReadRetries(ref Utf8JsonReader reader)
        {
            var retries = new List<RetryInfo>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
                var info = new RetryInfo();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("reason")) { reader.Read(); if (reader.TokenType == JsonTokenType.String) info.Reason = reader.GetString(); }
                    else if (reader.ValueTextEquals("attempt")) { reader.Read(); int n; if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out n)) info.Attempt = n; }
                    else if (reader.ValueTextEquals("waitMs")) { reader.Read(); long n; if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out n)) info.WaitMs = n; }
                    else if (reader.ValueTextEquals("requestId")) { reader.Read(); if (reader.TokenType == JsonTokenType.String) info.RequestId = reader.GetString(); }
                    else reader.Read();
                    reader.Skip();
                }
                retries.Add(info);
            }
            return retries.ToArray();
        }

    }
}
