using System;
using System.Runtime.InteropServices;
using System.Text;

namespace ExoDelegated.Interop
{
    /// <summary>UTF-8 strings across the ABI: NUL-terminated arguments, library-owned results.</summary>
    internal static class NativeString
    {
        /// <summary>A NUL-terminated UTF-8 copy of s for a `const char*` argument (null stays null).</summary>
        internal static byte[] Utf8Z(string s)
        {
            if (s == null) return null;
            var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        /// <summary>A string the library allocated for the caller: read, then exo_string_free.</summary>
        internal static string Take(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            try { return Marshal.PtrToStringUTF8(p); }
            finally { NativeMethods.exo_string_free(p); }
        }

        /// <summary>A string the library keeps (static or owned by a handle).</summary>
        internal static string Borrow(IntPtr p)
        {
            return Marshal.PtrToStringUTF8(p);
        }
    }
}
