using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ExoDelegated.Interop
{
    /// <summary>What the records of one page share, made once: property names (with a note
    /// template each, see NoteTemplate), and short string values that repeat (RecipientType,
    /// ExchangeVersion, OrganizationId, an Alias equal to the Name...). Sharing a string is
    /// invisible (strings are immutable) and saves one per repeat, also in a runbook that keeps
    /// every record. Every cache is bounded, so a hostile page cannot grow them.</summary>
    internal sealed class PageCache
    {
        private const int MaxNames = 1024;
        /// <summary>Longer values are rarely repeated; they are not looked up.</summary>
        internal const int MaxValueBytes = 128;
        /// <summary>Slots of the value cache (a power of two): a value replaces the one in its slot.</summary>
        internal const int ValueSlots = 256;

        private readonly List<byte[]> utf8 = new List<byte[]>();
        private readonly List<string> names = new List<string>();
        private int next;
        private string[] values;
        private List<PSNoteProperty> notes;

        /// <summary>The cache slot of the name Name returned last, or -1 when it is not cached.</summary>
        internal int LastSlot { get; private set; }

        /// <summary>A property name (reader on it). Records of one page list their properties
        /// in the same order, so the name after the last one found is tried first.</summary>
        internal string Name(ref Utf8JsonReader reader)
        {
            var raw = reader.ValueSpan;
            LastSlot = -1;
            if (raw.IndexOf((byte)'\\') >= 0) return reader.GetString();
            if (next < utf8.Count && raw.SequenceEqual(utf8[next])) { LastSlot = next; return names[next++]; }
            for (int i = 0; i < utf8.Count; i++)
            {
                if (raw.SequenceEqual(utf8[i])) { LastSlot = i; next = i + 1; return names[i]; }
            }
            string s = reader.GetString();
            if (utf8.Count < MaxNames)
            {
                LastSlot = utf8.Count;
                utf8.Add(raw.ToArray());
                names.Add(s);
                next = utf8.Count;
            }
            return s;
        }

        /// <summary>Elements of the arrays being read, nested ones on top of their parents' (one
        /// list for the page instead of one per array).</summary>
        internal readonly List<object> Items = new List<object>();

        /// <summary>The elements from start on as an array, taken off Items.</summary>
        internal object[] TakeItems(int start)
        {
            int n = Items.Count - start;
            if (n == 0) return Array.Empty<object>();
            var array = new object[n];
            Items.CopyTo(start, array, 0, n);
            Items.RemoveRange(start, n);
            return array;
        }

        /// <summary>A note to add (Properties.Add adds a copy of it): name = value. With slot
        /// (LastSlot when the name was read) the slot's template is reused.</summary>
        internal PSNoteProperty Note(int slot, string name, object value)
        {
            if (slot < 0 || !NoteTemplate.Reusable) return new PSNoteProperty(name, value);
            if (notes == null) notes = new List<PSNoteProperty>();
            while (notes.Count <= slot) notes.Add(null);
            var note = notes[slot];
            if (note == null) notes[slot] = note = new PSNoteProperty(name, value);
            else note.Value = value;
            return note;
        }

        /// <summary>A string value (reader on it): the same string as an equal earlier value
        /// when that one is still cached. Only ASCII values without escapes are cached, so
        /// equal bytes mean equal text and a hit needs no decoding; anything else is read as
        /// before (with the reader's own errors).</summary>
        internal string Value(ref Utf8JsonReader reader)
        {
            var raw = reader.ValueSpan;
            if (raw.Length == 0 || raw.Length > MaxValueBytes || raw.IndexOf((byte)'\\') >= 0) return reader.GetString();
            if (values == null) values = new string[ValueSlots];
            int slot = Slot(raw);
            string cached = values[slot];
            if (cached != null && SameAscii(raw, cached)) return cached;
            string s = reader.GetString();
            // As many chars as bytes: all ASCII (UTF-8 spends more than one byte on any other char).
            if (s.Length == raw.Length) values[slot] = s;
            return s;
        }

        private static int Slot(ReadOnlySpan<byte> raw)
        {
            // Length and the first and last 8 bytes: enough to tell repeated values apart.
            ulong h = (ulong)raw.Length * 0x9E3779B97F4A7C15UL;
            if (raw.Length >= 8)
            {
                h ^= MemoryMarshal.Read<ulong>(raw);
                h *= 0xC2B2AE3D27D4EB4FUL;
                h ^= MemoryMarshal.Read<ulong>(raw.Slice(raw.Length - 8));
            }
            else
            {
                for (int i = 0; i < raw.Length; i++) h = (h ^ raw[i]) * 0x100000001B3UL;
            }
            h *= 0x9E3779B97F4A7C15UL;
            return (int)(h >> 56) & (ValueSlots - 1);
        }

        private static bool SameAscii(ReadOnlySpan<byte> raw, string s)
        {
            if (s.Length != raw.Length) return false;
            for (int i = 0; i < raw.Length; i++)
            {
                if (raw[i] != s[i]) return false;
            }
            return true;
        }
    }
}
