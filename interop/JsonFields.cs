using System.Text.Json;

namespace ExoDelegated.Interop
{
    /// <summary>Typed reads of optional JSON members: absent or of another type reads as null.</summary>
    internal static class JsonFields
    {
        internal static string Str(JsonElement obj, string name)
        {
            JsonElement e;
            return obj.TryGetProperty(name, out e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        }

        internal static int? Int(JsonElement obj, string name)
        {
            JsonElement e;
            int v;
            return obj.TryGetProperty(name, out e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out v) ? v : (int?)null;
        }

        internal static long? Long(JsonElement obj, string name)
        {
            JsonElement e;
            long v;
            return obj.TryGetProperty(name, out e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out v) ? v : (long?)null;
        }

        internal static bool? Bool(JsonElement obj, string name)
        {
            JsonElement e;
            if (!obj.TryGetProperty(name, out e)) return null;
            if (e.ValueKind == JsonValueKind.True) return true;
            if (e.ValueKind == JsonValueKind.False) return false;
            return null;
        }
    }
}
