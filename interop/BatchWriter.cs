using System;
using System.IO;
using System.Text;
using System.Text.Json;

namespace ExoDelegated.Interop
{
    /// <summary>Writes exo_batch_new's invocations JSON:
    /// {"batchSize":n,"invocations":[{"id","request":{…exo_invoke's request…}}]}.</summary>
    public static class BatchWriter
    {
        /// <summary>ids[i] names requests[i] (JSON made by RequestWriter.Build).</summary>
        public static string Build(string[] ids, string[] requests, int batchSize)
        {
            if (ids == null || requests == null || ids.Length != requests.Length) throw new ArgumentException("one id per request is required");
            var sb = new StringBuilder(64 + 128 * requests.Length);
            sb.Append("{\"batchSize\":").Append(batchSize).Append(",\"invocations\":[");
            for (int i = 0; i < ids.Length; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append("{\"id\":").Append(JsonSerializer.Serialize(ids[i])).Append(",\"request\":").Append(requests[i]).Append('}');
            }
            sb.Append("]}");
            return sb.ToString();
        }
    }
}
