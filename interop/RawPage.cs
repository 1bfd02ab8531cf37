using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace ExoDelegated.Interop
{
    /// <summary>The outcome of one exo_cursor_next, not yet read: the page JSON (native memory)
    /// or the error. Fetched ahead by PagePrefetcher so that the network and the native core
    /// work on the next page while this one is turned into PSObjects. Frees what it holds once.</summary>
    internal sealed class RawPage : IDisposable
    {
        internal ResultCode Code;
        private IntPtr json;
        internal ErrorHandle Error;

        internal IntPtr Json { get { return json; } }

        /// <summary>exo_cursor_next on this thread (blocks; the cursor's cancel ends it).</summary>
        internal static RawPage Fetch(CursorHandle cursor)
        {
            var raw = new RawPage();
            raw.Code = NativeMethods.exo_cursor_next(cursor, out raw.json, out raw.Error);
            return raw;
        }

        /// <summary>Whether the page says more pages follow. The native library writes `"more"`
        /// last (docs/ABI.md, exo_cursor_next), so only the end of the text is read; anything
        /// else reads as "no" and nothing is fetched ahead (the next call then fetches it).</summary>
        internal unsafe bool SaysMore()
        {
            if (Code != ResultCode.Ok || json == IntPtr.Zero) return false;
            var page = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)json);
            var tail = MoreTrue;
            int end = page.Length;
            while (end > 0 && (page[end - 1] == (byte)' ' || page[end - 1] == (byte)'\n' || page[end - 1] == (byte)'\r' || page[end - 1] == (byte)'\t')) end--;
            return end >= tail.Length && page.Slice(end - tail.Length, tail.Length).SequenceEqual(tail);
        }

        private static ReadOnlySpan<byte> MoreTrue => new byte[] { (byte)'"', (byte)'m', (byte)'o', (byte)'r', (byte)'e', (byte)'"', (byte)':', (byte)'t', (byte)'r', (byte)'u', (byte)'e', (byte)'}' };

        /// <summary>Throws the native error, if any (and frees it).</summary>
        internal void ThrowIfFailed()
        {
            var err = Error;
            Error = null;
            ExoNativeException.ThrowIfFailed(Code, err);
        }

        public void Dispose()
        {
            IntPtr p = Interlocked.Exchange(ref json, IntPtr.Zero);
            if (p != IntPtr.Zero) NativeMethods.exo_string_free(p);
            var err = Error;
            Error = null;
            if (err != null) err.Dispose();
        }
    }
}
