using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ExoDelegated.Interop
{
    /// <summary>exo_batch_run's results JSON (UTF-8, read in place from native memory) to
    /// InvocationResults. Records are made by PageReader's one per-record loop, so they are
    /// typed, stripped of '@' annotations and tagged (ExoTenant, origin) exactly like pages.</summary>
    public static class BatchReader
    {
        private static readonly string[] NoWarnings = new string[0];
        private static readonly RetryInfo[] NoRetries = new RetryInfo[0];
        private static readonly System.Management.Automation.PSObject[] NoRecords = new System.Management.Automation.PSObject[0];

        /// <summary>typeNames[i] types the records of the i-th result (results are in input order);
        /// null or a short array leaves the rest untyped.</summary>
        public static unsafe BatchResult Read(IntPtr json, string[] typeNames, string originTag, string tenant, bool multiTenant)
        {
            var span = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)json);
            return Read(span, typeNames, originTag, tenant, multiTenant);
        }

        public static BatchResult Read(ReadOnlySpan<byte> json, string[] typeNames, string originTag, string tenant, bool multiTenant)
        {
            var result = new BatchResult { Results = new InvocationResult[0] };
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("batch results are a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("results"))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); continue; }
                    var list = new List<InvocationResult>();
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        string typeName = typeNames != null && list.Count < typeNames.Length ? typeNames[list.Count] : null;
                        list.Add(ReadResult(ref reader, json, typeName, originTag, tenant, multiTenant));
                    }
                    result.Results = list.ToArray();
                }
                else if (reader.ValueTextEquals("batches"))
                {
                    reader.Read();
                    int n;
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out n)) result.Batches = n;
                    else reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return result;
        }

        private static InvocationResult ReadResult(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, string typeName, string originTag, string tenant, bool multiTenant)
        {
            var r = new InvocationResult { Records = NoRecords, Warnings = NoWarnings, Retries = NoRetries };
            // Names are cached per result: records of one invocation share their properties.
            var cache = new PageCache();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) r.Id = reader.GetString(); else reader.Skip();
                }
                else if (reader.ValueTextEquals("value"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray) r.Records = PageReader.ReadRecords(ref reader, cache, typeName, originTag, tenant, multiTenant);
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("warnings"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray) r.Warnings = PageReader.ReadWarnings(ref reader, json);
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("retries"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray) r.Retries = PageReader.ReadRetries(ref reader);
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("pages"))
                {
                    reader.Read();
                    int n;
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out n)) r.Pages = n; else reader.Skip();
                }
                else if (reader.ValueTextEquals("error"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        long start = reader.TokenStartIndex;
                        reader.Skip();
                        long end = reader.BytesConsumed;
                        r.Error = ExoNativeException.FromJson(Encoding.UTF8.GetString(json.Slice((int)start, (int)(end - start))));
                    }
                    else reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return r;
        }
    }
}
