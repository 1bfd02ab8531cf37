// P/Invoke layer of the ExoDelegated module over the exo_bridge native library.
// Compiled once by `build.ps1 build` (Add-Type -OutputAssembly) into
// lib/ExoDelegated.Interop.dll, so importing the module never runs the C# compiler.
// It stays thin: marshalling, SafeHandles, SecureString handling, and turning
// page JSON into PSObjects (the one hot loop, kept out of script for speed).
using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace ExoDelegated.Interop
{
    /// <summary>Versions this assembly was built for.</summary>
    public static class BuildInfo
    {
        // Replaced by build.ps1 with the version in Cargo.toml.
        public const string NativeVersion = "@NATIVE_VERSION@";
    }

    /// <summary>Points DllImport("exo_bridge") at the module's runtimes/&lt;rid&gt;/native library.</summary>
    public static class NativeLoader
    {
        private static readonly object Gate = new object();
        private static string loadedPath;
        private static IntPtr handle;

        public static string LoadedPath { get { return loadedPath; } }

        /// <summary>Load the native library once per process; later calls must name the same file.</summary>
        public static void Initialize(string libraryPath)
        {
            lock (Gate)
            {
                if (loadedPath != null)
                {
                    if (!string.Equals(Path.GetFullPath(libraryPath), loadedPath, StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException(string.Format(
                            "The ExoDelegated native library is already loaded from '{0}' in this process; " +
                            "it cannot also be loaded from '{1}'. Start a new PowerShell session to switch versions.",
                            loadedPath, libraryPath));
                    }
                    return;
                }
                string full = Path.GetFullPath(libraryPath);
                handle = NativeLibrary.Load(full);
                NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);
                loadedPath = full;
            }
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        {
            return name == Native.Library ? handle : IntPtr.Zero;
        }
    }

    internal static class Native
    {
        internal const string Library = "exo_bridge";

        [DllImport(Library)] internal static extern IntPtr exo_version();
        [DllImport(Library)] internal static extern IntPtr exo_result_name(uint code);
        [DllImport(Library)] internal static extern void exo_string_free(IntPtr s);

        [DllImport(Library)] internal static extern uint exo_error_code(IntPtr err);
        [DllImport(Library)] internal static extern IntPtr exo_error_message(IntPtr err);
        [DllImport(Library)] internal static extern IntPtr exo_error_json(IntPtr err);
        [DllImport(Library)] internal static extern void exo_error_free(IntPtr err);

        [DllImport(Library)]
        internal static extern uint exo_connect(byte[] optionsJson,
            IntPtr refreshToken, UIntPtr refreshTokenLen,
            IntPtr clientSecret, UIntPtr clientSecretLen,
            IntPtr accessToken, UIntPtr accessTokenLen,
            out ConnectionHandle conn, out ErrorHandle err);
        [DllImport(Library)] internal static extern uint exo_connection_info(ConnectionHandle conn, out IntPtr infoJson, out ErrorHandle err);
        [DllImport(Library)] internal static extern uint exo_connection_export_refresh_token(ConnectionHandle conn, IntPtr buf, UIntPtr bufLen, out UIntPtr needed, out ErrorHandle err);
        [DllImport(Library)] internal static extern void exo_connection_disconnect(ConnectionHandle conn);
        [DllImport(Library)] internal static extern void exo_connection_free(IntPtr conn);

        [DllImport(Library)] internal static extern uint exo_device_code_start(byte[] optionsJson, out DeviceFlowHandle flow, out ErrorHandle err);
        [DllImport(Library)] internal static extern IntPtr exo_device_flow_message_json(DeviceFlowHandle flow);
        [DllImport(Library)] internal static extern uint exo_device_flow_wait(DeviceFlowHandle flow, uint timeoutMs, out ConnectionHandle conn, out ErrorHandle err);
        [DllImport(Library)] internal static extern void exo_device_flow_cancel(DeviceFlowHandle flow);
        [DllImport(Library)] internal static extern void exo_device_flow_free(IntPtr flow);

        [DllImport(Library)] internal static extern uint exo_invoke(ConnectionHandle conn, byte[] requestJson, out CursorHandle cursor, out ErrorHandle err);
        [DllImport(Library)] internal static extern uint exo_cursor_next(CursorHandle cursor, out IntPtr pageJson, out ErrorHandle err);
        [DllImport(Library)] internal static extern void exo_cursor_cancel(CursorHandle cursor);
        [DllImport(Library)] internal static extern void exo_cursor_free(IntPtr cursor);

        internal static byte[] Utf8Z(string s)
        {
            if (s == null) return null;
            var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        internal static string TakeString(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            try { return Marshal.PtrToStringUTF8(p); }
            finally { exo_string_free(p); }
        }
    }

    public abstract class ExoHandle : SafeHandle
    {
        protected ExoHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
    }

    public sealed class ErrorHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { Native.exo_error_free(handle); return true; }
    }

    public sealed class ConnectionHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { Native.exo_connection_free(handle); return true; }
    }

    public sealed class CursorHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { Native.exo_cursor_free(handle); return true; }
    }

    public sealed class DeviceFlowHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { Native.exo_device_flow_free(handle); return true; }
    }

    /// <summary>A failure reported by the native library, with every detail it gave.</summary>
    public sealed class ExoNativeException : Exception
    {
        public uint Code { get; private set; }
        public string CodeName { get; private set; }
        public string Reason { get; private set; }
        public uint Aadsts { get; private set; }
        public string ServiceCode { get; private set; }
        public string ExceptionType { get; private set; }
        public string CorrelationId { get; private set; }
        public string RequestId { get; private set; }
        public int HttpStatus { get; private set; }
        public int Retries { get; private set; }

        internal ExoNativeException(uint code, string message, string json) : base(message)
        {
            Code = code;
            CodeName = Marshal.PtrToStringUTF8(Native.exo_result_name(code));
            Reason = CodeName;
            if (!string.IsNullOrEmpty(json))
            {
                try
                {
                    using (var doc = JsonDocument.Parse(json))
                    {
                        var r = doc.RootElement;
                        Reason = Str(r, "reason") ?? CodeName;
                        ServiceCode = Str(r, "serviceCode");
                        ExceptionType = Str(r, "exceptionType");
                        CorrelationId = Str(r, "correlationId");
                        RequestId = Str(r, "requestId");
                        JsonElement e;
                        if (r.TryGetProperty("aadsts", out e) && e.ValueKind == JsonValueKind.Number) Aadsts = e.GetUInt32();
                        if (r.TryGetProperty("httpStatus", out e) && e.ValueKind == JsonValueKind.Number) HttpStatus = e.GetInt32();
                        if (r.TryGetProperty("retries", out e) && e.ValueKind == JsonValueKind.Number) Retries = e.GetInt32();
                    }
                }
                catch (JsonException) { }
            }
        }

        private static string Str(JsonElement r, string name)
        {
            JsonElement e;
            return r.TryGetProperty(name, out e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        }

        internal static void ThrowIfFailed(uint code, ErrorHandle err)
        {
            using (err)
            {
                if (code == 0) return;
                string message = null, json = null;
                if (err != null && !err.IsInvalid)
                {
                    IntPtr h = err.DangerousGetHandle();
                    message = Marshal.PtrToStringUTF8(Native.exo_error_message(h));
                    json = Marshal.PtrToStringUTF8(Native.exo_error_json(h));
                }
                throw new ExoNativeException(code, message ?? ("native call failed: " + Marshal.PtrToStringUTF8(Native.exo_result_name(code))), json);
            }
        }
    }

    /// <summary>A retry the native core made, for -Verbose.</summary>
    public sealed class RetryInfo
    {
        public string Reason { get; set; }
        public int Attempt { get; set; }
        public long WaitMs { get; set; }
        public string RequestId { get; set; }
    }

    /// <summary>One page of records from a cursor.</summary>
    public sealed class Page
    {
        public PSObject[] Records { get; set; }
        public string[] Warnings { get; set; }
        public RetryInfo[] Retries { get; set; }
        public string RequestId { get; set; }
        public int Number { get; set; }
        public bool More { get; set; }
    }

    /// <summary>The managed face of the native library, used by the script module.</summary>
    public static class Bridge
    {
        public static string NativeVersion()
        {
            return Marshal.PtrToStringUTF8(Native.exo_version());
        }

        /// <summary>Copy a SecureString to an unmanaged UTF-16 buffer, run the call, zero-free the buffer.</summary>
        private static T WithSecret<T>(SecureString secret, Func<IntPtr, UIntPtr, T> call)
        {
            if (secret == null || secret.Length == 0) return call(IntPtr.Zero, UIntPtr.Zero);
            IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(secret);
            try { return call(p, (UIntPtr)(uint)secret.Length); }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(p); }
        }

        public static ConnectionHandle Connect(string optionsJson, SecureString refreshToken, SecureString clientSecret, SecureString accessToken)
        {
            ConnectionHandle conn = null;
            ErrorHandle err = null;
            byte[] options = Native.Utf8Z(optionsJson);
            uint code = WithSecret(refreshToken, (rt, rtLen) =>
                WithSecret(clientSecret, (cs, csLen) =>
                    WithSecret(accessToken, (at, atLen) =>
                        Native.exo_connect(options, rt, rtLen, cs, csLen, at, atLen, out conn, out err))));
            if (code != 0 && conn != null) conn.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            return conn;
        }

        public static string ConnectionInfo(ConnectionHandle conn)
        {
            IntPtr json;
            ErrorHandle err;
            uint code = Native.exo_connection_info(conn, out json, out err);
            ExoNativeException.ThrowIfFailed(code, err);
            return Native.TakeString(json);
        }

        /// <summary>The newest refresh token, straight from native memory into a SecureString.</summary>
        public static SecureString ExportRefreshToken(ConnectionHandle conn)
        {
            UIntPtr needed;
            ErrorHandle err;
            uint code = Native.exo_connection_export_refresh_token(conn, IntPtr.Zero, UIntPtr.Zero, out needed, out err);
            const uint BufferTooSmall = 6;
            if (code != BufferTooSmall) ExoNativeException.ThrowIfFailed(code, err); else err.Dispose();
            int chars = (int)needed.ToUInt64();
            IntPtr buf = Marshal.AllocHGlobal(Math.Max(chars, 1) * 2);
            try
            {
                code = Native.exo_connection_export_refresh_token(conn, buf, (UIntPtr)(uint)chars, out needed, out err);
                ExoNativeException.ThrowIfFailed(code, err);
                var secure = new SecureString();
                for (int i = 0; i < chars; i++) secure.AppendChar((char)Marshal.ReadInt16(buf, i * 2));
                secure.MakeReadOnly();
                return secure;
            }
            finally
            {
                for (int i = 0; i < chars; i++) Marshal.WriteInt16(buf, i * 2, 0);
                Marshal.FreeHGlobal(buf);
            }
        }

        public static void Disconnect(ConnectionHandle conn)
        {
            Native.exo_connection_disconnect(conn);
        }

        public static DeviceFlowHandle StartDeviceCode(string optionsJson)
        {
            DeviceFlowHandle flow;
            ErrorHandle err;
            uint code = Native.exo_device_code_start(Native.Utf8Z(optionsJson), out flow, out err);
            if (code != 0 && flow != null) flow.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            return flow;
        }

        public static string DeviceCodeMessageJson(DeviceFlowHandle flow)
        {
            return Marshal.PtrToStringUTF8(Native.exo_device_flow_message_json(flow));
        }

        /// <summary>Wait up to timeoutMs; null while the user has not finished signing in.</summary>
        public static ConnectionHandle WaitDeviceCode(DeviceFlowHandle flow, uint timeoutMs)
        {
            ConnectionHandle conn;
            ErrorHandle err;
            uint code = Native.exo_device_flow_wait(flow, timeoutMs, out conn, out err);
            const uint Pending = 8;
            if (code == Pending) { err.Dispose(); if (conn != null) conn.Dispose(); return null; }
            if (code != 0 && conn != null) conn.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            return conn;
        }

        public static void CancelDeviceCode(DeviceFlowHandle flow)
        {
            Native.exo_device_flow_cancel(flow);
        }

        public static CursorHandle Invoke(ConnectionHandle conn, string requestJson)
        {
            CursorHandle cursor;
            ErrorHandle err;
            uint code = Native.exo_invoke(conn, Native.Utf8Z(requestJson), out cursor, out err);
            if (code != 0 && cursor != null) cursor.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            return cursor;
        }

        public static void Cancel(CursorHandle cursor)
        {
            Native.exo_cursor_cancel(cursor);
        }

        /// <summary>Fetch the next page and turn its records into PSObjects tagged with typeName.</summary>
        public static Page Next(CursorHandle cursor, string typeName)
        {
            IntPtr json;
            ErrorHandle err;
            uint code = Native.exo_cursor_next(cursor, out json, out err);
            ExoNativeException.ThrowIfFailed(code, err);
            try { return PageReader.Read(json, typeName); }
            finally { Native.exo_string_free(json); }
        }
    }

    /// <summary>Page JSON (UTF-8, read in place from native memory) to PSObjects.</summary>
    public static class PageReader
    {
        public static unsafe Page Read(IntPtr json, string typeName)
        {
            byte* p = (byte*)json;
            int len = 0;
            while (p[len] != 0) len++;
            var span = new ReadOnlySpan<byte>(p, len);
            var page = new Page { Records = new PSObject[0], Warnings = new string[0], Retries = new RetryInfo[0] };
            var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = 256 });
            using (var doc = JsonDocument.ParseValue(ref reader))
            {
                var root = doc.RootElement;
                JsonElement e;
                if (root.TryGetProperty("value", out e) && e.ValueKind == JsonValueKind.Array)
                {
                    var records = new PSObject[e.GetArrayLength()];
                    int i = 0;
                    foreach (var item in e.EnumerateArray())
                    {
                        var obj = item.ValueKind == JsonValueKind.Object ? ToPSObject(item) : new PSObject(Convert(item));
                        if (typeName != null) obj.TypeNames.Insert(0, typeName);
                        records[i++] = obj;
                    }
                    page.Records = records;
                }
                if (root.TryGetProperty("warnings", out e) && e.ValueKind == JsonValueKind.Array)
                {
                    var w = new List<string>();
                    foreach (var s in e.EnumerateArray()) w.Add(s.ValueKind == JsonValueKind.String ? s.GetString() : s.GetRawText());
                    page.Warnings = w.ToArray();
                }
                if (root.TryGetProperty("retries", out e) && e.ValueKind == JsonValueKind.Array)
                {
                    var r = new List<RetryInfo>();
                    foreach (var x in e.EnumerateArray())
                    {
                        var info = new RetryInfo();
                        JsonElement f;
                        if (x.TryGetProperty("reason", out f) && f.ValueKind == JsonValueKind.String) info.Reason = f.GetString();
                        if (x.TryGetProperty("attempt", out f) && f.ValueKind == JsonValueKind.Number) info.Attempt = f.GetInt32();
                        if (x.TryGetProperty("waitMs", out f) && f.ValueKind == JsonValueKind.Number) info.WaitMs = f.GetInt64();
                        if (x.TryGetProperty("requestId", out f) && f.ValueKind == JsonValueKind.String) info.RequestId = f.GetString();
                        r.Add(info);
                    }
                    page.Retries = r.ToArray();
                }
                if (root.TryGetProperty("requestId", out e) && e.ValueKind == JsonValueKind.String) page.RequestId = e.GetString();
                if (root.TryGetProperty("page", out e) && e.ValueKind == JsonValueKind.Number) page.Number = e.GetInt32();
                if (root.TryGetProperty("more", out e)) page.More = e.ValueKind == JsonValueKind.True;
            }
            return page;
        }

        public static PSObject ToPSObject(JsonElement element)
        {
            var obj = new PSObject();
            var props = obj.Properties;
            foreach (var p in element.EnumerateObject())
            {
                // OData annotations are protocol noise, not object data.
                if (p.Name.Length > 0 && p.Name[0] == '@') continue;
                props.Add(new PSNoteProperty(p.Name, Convert(p.Value)));
            }
            return obj;
        }

        private static object Convert(JsonElement v)
        {
            switch (v.ValueKind)
            {
                case JsonValueKind.String: return v.GetString();
                case JsonValueKind.Number:
                    long l;
                    if (v.TryGetInt64(out l)) return l >= int.MinValue && l <= int.MaxValue ? (object)(int)l : l;
                    return v.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Object: return ToPSObject(v);
                case JsonValueKind.Array:
                    var list = new object[v.GetArrayLength()];
                    int i = 0;
                    foreach (var x in v.EnumerateArray()) list[i++] = Convert(x);
                    return list;
                default: return null;
            }
        }
    }
}
