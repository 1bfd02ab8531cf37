using System;
using System.Globalization;
using System.Text.Json;

namespace ExoDelegated.Interop
{
    /// <summary>What a type annotation (`X@odata.type` / `X@data.type`, docs/PROTOCOL.md §5)
    /// says about the value of X, and the conversion to that type. A type is an int: a scalar
    /// kind, optionally with the Collection flag. Unknown types leave the value as read, and so
    /// does a value that does not convert (never an exception).</summary>
    internal static class ODataType
    {
        internal const int None = 0, Guid = 1, DateTime = 2, Int32 = 3, Int64 = 4, Boolean = 5, Double = 6;
        /// <summary>Flag: the value is an array (of the scalar kind, None = as read).</summary>
        internal const int Collection = 0x10;
        private const int KindMask = 0x0F;

        internal static readonly object[] EmptyCollection = new object[0];
        private static readonly object True = true;
        private static readonly object False = false;

        private static readonly byte[] CollectionOpen = Utf8("Collection(");
        private static readonly byte[] SystemDot = Utf8("System.");
        private static readonly byte[] EdmDot = Utf8("Edm.");
        private static readonly byte[] ArraySuffix = Utf8("[]");
        private static readonly byte[] GuidName = Utf8("Guid");
        private static readonly byte[] DateTimeName = Utf8("DateTime");
        private static readonly byte[] DateTimeOffsetName = Utf8("DateTimeOffset");
        private static readonly byte[] Int32Name = Utf8("Int32");
        private static readonly byte[] Int16Name = Utf8("Int16");
        private static readonly byte[] ByteName = Utf8("Byte");
        private static readonly byte[] Int64Name = Utf8("Int64");
        private static readonly byte[] UInt32Name = Utf8("UInt32");
        private static readonly byte[] BooleanName = Utf8("Boolean");
        private static readonly byte[] DoubleName = Utf8("Double");
        private static readonly byte[] SingleName = Utf8("Single");

        private static byte[] Utf8(string s) => System.Text.Encoding.ASCII.GetBytes(s);

        /// <summary>The type an annotation's value names: "#Guid", "System.Guid", "System.DateTime",
        /// "#DateTimeOffset", "System.Int32", "#Int64", "System.Boolean", "#Collection(String)",
        /// "System.String[]", … (UTF-8, unescaped).</summary>
        internal static int Classify(ReadOnlySpan<byte> t)
        {
            int flags = 0;
            if (t.Length > 0 && t[0] == (byte)'#') t = t.Slice(1);
            if (t.Length > CollectionOpen.Length && t.StartsWith(CollectionOpen) && t[t.Length - 1] == (byte)')')
            {
                flags = Collection;
                t = t.Slice(CollectionOpen.Length, t.Length - CollectionOpen.Length - 1);
            }
            else if (t.EndsWith(ArraySuffix))
            {
                flags = Collection;
                t = t.Slice(0, t.Length - ArraySuffix.Length);
            }
            if (t.StartsWith(SystemDot)) t = t.Slice(SystemDot.Length);
            else if (t.StartsWith(EdmDot)) t = t.Slice(EdmDot.Length);
            return flags | Kind(t);
        }

        private static int Kind(ReadOnlySpan<byte> t)
        {
            switch (t.Length)
            {
                case 4: return t.SequenceEqual(GuidName) ? Guid : t.SequenceEqual(ByteName) ? Int32 : None;
                case 5: return t.SequenceEqual(Int32Name) || t.SequenceEqual(Int16Name) ? Int32 : t.SequenceEqual(Int64Name) ? Int64 : None;
                case 6: return t.SequenceEqual(DoubleName) || t.SequenceEqual(SingleName) ? Double : t.SequenceEqual(UInt32Name) ? Int64 : None;
                case 7: return t.SequenceEqual(BooleanName) ? Boolean : None;
                case 8: return t.SequenceEqual(DateTimeName) ? DateTime : None;
                case 14: return t.SequenceEqual(DateTimeOffsetName) ? DateTime : None;
                default: return None;
            }
        }

        /// <summary>Two annotations of one property (`@odata.type` and `@data.type`): the first
        /// known kind wins; either may say Collection.</summary>
        internal static int Merge(int a, int b)
        {
            int kind = (a & KindMask) != None ? a & KindMask : b & KindMask;
            return kind | ((a | b) & Collection);
        }

        internal static int ElementOf(int type) => type & KindMask;

        internal static bool IsCollection(int type) => (type & Collection) != 0;

        /// <summary>The fast path: a scalar token (reader on it) read straight as the type, without
        /// a string in between. False when the token needs the general path (then nothing was
        /// consumed).</summary>
        internal static bool TryRead(ref Utf8JsonReader reader, int kind, out object value)
        {
            value = null;
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return true;
                case JsonTokenType.String:
                    if (kind == Guid)
                    {
                        System.Guid g;
                        if (reader.TryGetGuid(out g)) { value = g; return true; }
                    }
                    else if (kind == DateTime)
                    {
                        System.DateTime d;
                        if (reader.TryGetDateTime(out d)) { value = ToUtc(d, ref reader); return true; }
                    }
                    return false;
                case JsonTokenType.Number:
                    if (kind == Int32)
                    {
                        int i;
                        if (reader.TryGetInt32(out i)) { value = i; return true; }
                    }
                    else if (kind == Int64)
                    {
                        long l;
                        if (reader.TryGetInt64(out l)) { value = l; return true; }
                    }
                    else if (kind == Double)
                    {
                        double d;
                        if (reader.TryGetDouble(out d)) { value = d; return true; }
                    }
                    return false;
                case JsonTokenType.True:
                    if (kind == Boolean) { value = True; return true; }
                    return false;
                case JsonTokenType.False:
                    if (kind == Boolean) { value = False; return true; }
                    return false;
                default:
                    return false;
            }
        }

        /// <summary>Utf8JsonReader gives Utc for "Z", Local (converted) for an offset, Unspecified
        /// for none: Exchange's times without an offset are UTC.</summary>
        private static System.DateTime ToUtc(System.DateTime d, ref Utf8JsonReader reader)
        {
            switch (d.Kind)
            {
                case DateTimeKind.Utc: return d;
                case DateTimeKind.Unspecified: return System.DateTime.SpecifyKind(d, DateTimeKind.Utc);
                default:
                    DateTimeOffset o;
                    return reader.TryGetDateTimeOffset(out o) ? o.UtcDateTime : d.ToUniversalTime();
            }
        }

        /// <summary>A value already read (string, int, long, double, bool, object[], PSObject or
        /// null) converted to the type; the value itself when it does not convert.</summary>
        internal static object Convert(object value, int type)
        {
            if (IsCollection(type))
            {
                int element = ElementOf(type);
                if (value == null) return EmptyCollection;
                var array = value as object[];
                if (array == null) return new object[] { element == None ? value : Convert(value, element) };
                if (element != None)
                {
                    for (int i = 0; i < array.Length; i++) array[i] = Convert(array[i], element);
                }
                return array;
            }
            if (value == null) return null;
            var s = value as string;
            switch (type)
            {
                case Guid:
                    System.Guid g;
                    return s != null && System.Guid.TryParse(s, out g) ? g : value;
                case DateTime:
                    return s != null ? ParseDate(s) ?? value : value;
                case Int32:
                    if (value is long) { long l = (long)value; return l >= int.MinValue && l <= int.MaxValue ? (object)(int)l : value; }
                    int i;
                    return s != null && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out i) ? i : value;
                case Int64:
                    if (value is int) return (long)(int)value;
                    long n;
                    return s != null && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out n) ? n : value;
                case Boolean:
                    bool b;
                    return s != null && bool.TryParse(s, out b) ? (b ? True : False) : value;
                case Double:
                    if (value is int) return (double)(int)value;
                    if (value is long) return (double)(long)value;
                    double d;
                    return s != null && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d) ? d : value;
                default:
                    return value;
            }
        }

        /// <summary>ISO 8601 (no offset = UTC), or the old "/Date(ms)/" form; as UTC.</summary>
        private static object ParseDate(string s)
        {
            if (s.StartsWith("/Date(", StringComparison.Ordinal) && s.EndsWith(")/", StringComparison.Ordinal))
            {
                var inner = s.Substring(6, s.Length - 8);
                int end = inner.IndexOfAny(new[] { '+', '-' }, 1);
                long ms;
                if (long.TryParse(end > 0 ? inner.Substring(0, end) : inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ms)
                    && ms >= -62135596800000L && ms <= 253402300799999L)
                {
                    return DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
                }
                return null;
            }
            DateTimeOffset o;
            if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out o)) return o.UtcDateTime;
            return null;
        }
    }
}
