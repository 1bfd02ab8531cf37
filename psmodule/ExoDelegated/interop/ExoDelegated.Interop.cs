// P/Invoke layer of the ExoDelegated module over the exo_bridge native library.
// Compiled once by `build.ps1 build` (Add-Type -OutputAssembly) into
// lib/ExoDelegated.Interop.dll, so importing the module never runs the C# compiler.
// It stays thin: marshalling, SafeHandles, SecureString handling, and turning
// page JSON into PSObjects (the one hot loop, kept out of script for speed).
using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
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

        /// <summary>A handle that was closed (disconnected) while a command still held it.</summary>
        internal static ExoNativeException Closed(string what)
        {
            return new ExoNativeException(5, "the " + what + " is closed or invalid; connect again", null);
        }

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

    /// <summary>The outcome of a native call made from script: a value or an error, never an
    /// exception. (An exception caught by a script's try/catch still ends up in the command's
    /// -ErrorVariable, so the module's script code calls these Try methods instead.)</summary>
    public sealed class CallResult
    {
        public object Value { get; private set; }
        public ExoNativeException Error { get; private set; }
        public bool Failed { get { return Error != null; } }

        internal CallResult With(object value)
        {
            Value = value;
            return this;
        }

        internal static CallResult Fail(ExoNativeException error)
        {
            return new CallResult { Error = error };
        }

        internal static CallResult Run(Func<object> call, string what)
        {
            try { return new CallResult { Value = call() }; }
            catch (ExoNativeException e) { return new CallResult { Error = e }; }
            catch (ObjectDisposedException) { return new CallResult { Error = ExoNativeException.Closed(what) }; }
        }
    }

    /// <summary>The managed face of the native library, used by the script module.</summary>
    public static class Bridge
    {
        public static CallResult TryConnect(string optionsJson, SecureString refreshToken, SecureString clientSecret, SecureString accessToken)
        {
            return CallResult.Run(() => Connect(optionsJson, refreshToken, clientSecret, accessToken), "connection");
        }

        public static CallResult TryExportRefreshToken(ConnectionHandle conn)
        {
            return CallResult.Run(() => ExportRefreshToken(conn), "connection");
        }

        public static CallResult TryStartDeviceCode(string optionsJson)
        {
            return CallResult.Run(() => StartDeviceCode(optionsJson), "device code sign-in");
        }

        /// <summary>Value is null while the user has not finished signing in.</summary>
        public static CallResult TryWaitDeviceCode(DeviceFlowHandle flow, uint timeoutMs)
        {
            return CallResult.Run(() => WaitDeviceCode(flow, timeoutMs), "device code sign-in");
        }

        public static CallResult TryInvoke(ConnectionHandle conn, string requestJson)
        {
            return CallResult.Run(() => Invoke(conn, requestJson), "connection");
        }

        public static CallResult TryNext(CursorHandle cursor, string typeName, ExoDelegated.Connection origin, Cmdlet stopSignal)
        {
            return CallResult.Run(() => Next(cursor, typeName, origin, stopSignal), "enumeration");
        }

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
            return Next(cursor, typeName, null, null);
        }

        /// <summary>
        /// Fetch the next page. While the native call blocks, a timer watches
        /// <paramref name="stopSignal"/> (the calling command) and cancels the cursor
        /// as soon as the pipeline is being stopped (Ctrl+C), so the call returns at once.
        /// Each record remembers <paramref name="origin"/> (its connection) for pipeline binding.
        /// </summary>
        public static Page Next(CursorHandle cursor, string typeName, ExoDelegated.Connection origin, Cmdlet stopSignal)
        {
            IntPtr json;
            ErrorHandle err;
            uint code;
            if (stopSignal == null)
            {
                code = Native.exo_cursor_next(cursor, out json, out err);
            }
            else
            {
                if (stopSignal.Stopping) Cancel(cursor);
                using (var watch = new Timer(CancelWhenStopping, new StopWatch(cursor, stopSignal), 100, 100))
                {
                    code = Native.exo_cursor_next(cursor, out json, out err);
                }
            }
            ExoNativeException.ThrowIfFailed(code, err);
            try
            {
                var page = PageReader.Read(json, typeName);
                if (origin != null)
                {
                    string tag = RecordOrigin.TagOf(origin);
                    foreach (var record in page.Records) record.TypeNames.Add(tag);
                }
                return page;
            }
            finally { Native.exo_string_free(json); }
        }

        private sealed class StopWatch
        {
            internal readonly CursorHandle Cursor;
            internal readonly Cmdlet Command;
            internal int Fired;
            internal StopWatch(CursorHandle cursor, Cmdlet command) { Cursor = cursor; Command = command; }
        }

        private static void CancelWhenStopping(object state)
        {
            var w = (StopWatch)state;
            try
            {
                if (w.Command.Stopping && Interlocked.Exchange(ref w.Fired, 1) == 0) Native.exo_cursor_cancel(w.Cursor);
            }
            catch (Exception)
            {
                // The cursor was freed after the call returned: nothing left to cancel.
                // Never let an exception escape a thread-pool callback (it would end the process).
            }
        }

        /// <summary>The request JSON for exo_invoke (see docs/ABI.md), as a CallResult: a parameter value that cannot be sent (nested
        /// too deeply or circular, a property getter that throws, ...) is an InvalidArgument error,
        /// like the native library's own request checks, instead of an exception.</summary>
        public static CallResult TryBuildRequest(string cmdlet, IDictionary parameters, string[] select, int pageSize, string anchorMailbox)
        {
            try { return new CallResult().With(RequestWriter.Build(cmdlet, parameters, select, pageSize, anchorMailbox)); }
            catch (Exception e)
            {
                while (e is MethodInvocationException && e.InnerException != null) e = e.InnerException;
                const uint InvalidArgument = 3;
                return CallResult.Fail(new ExoNativeException(InvalidArgument,
                    "The parameters of " + cmdlet + " cannot be sent: " + e.Message, "{\"reason\":\"InvalidArgument\"}"));
            }
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
                        if (!string.IsNullOrEmpty(typeName)) obj.TypeNames.Insert(0, typeName);
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
                // Pre-validated: JSON object keys from Exchange are unique, and the check
                // costs more than building the property (it dominated paging time).
                props.Add(new PSNoteProperty(p.Name, Convert(p.Value)), true);
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

namespace ExoDelegated.Interop
{
    /// <summary>Remembers which connection produced a record, so a downstream command
    /// (Get-EXOMailbox -Connection $c | Get-EXOMailboxPermission) uses the same tenant.</summary>
    /// <summary>
    /// Which connection a record came from, so piping records from tenant A into another
    /// command stays in tenant A. The record carries a type name "ExoDelegated.Origin#&lt;id&gt;"
    /// at the end of its TypeNames (cheap: no per-record table entry for the GC to track),
    /// and a process-wide map resolves the id while the connection is alive.
    /// </summary>
    public static class RecordOrigin
    {
        private const string Prefix = "ExoDelegated.Origin#";
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, WeakReference<ExoDelegated.Connection>> Live =
            new System.Collections.Concurrent.ConcurrentDictionary<string, WeakReference<ExoDelegated.Connection>>();

        internal static string TagOf(ExoDelegated.Connection connection)
        {
            string tag = Prefix + connection.Id.ToString("N");
            WeakReference<ExoDelegated.Connection> existing;
            ExoDelegated.Connection alive;
            if (!Live.TryGetValue(tag, out existing) || !existing.TryGetTarget(out alive))
            {
                Live[tag] = new WeakReference<ExoDelegated.Connection>(connection);
            }
            return tag;
        }

        /// <summary>The connection a pipeline object came from, or null.</summary>
        public static ExoDelegated.Connection Get(object record)
        {
            var p = record as PSObject;
            if (p == null) return null;
            var names = p.TypeNames;
            for (int i = names.Count - 1; i >= 0; i--)
            {
                string name = names[i];
                if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
                WeakReference<ExoDelegated.Connection> weak;
                ExoDelegated.Connection c;
                return Live.TryGetValue(name, out weak) && weak.TryGetTarget(out c) ? c : null;
            }
            return null;
        }
    }

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

    /// <summary>Turns failures into the ErrorRecords the module writes: ErrorId
    /// ExoDelegated.&lt;Reason&gt;, a fitting category, the target, the service's ids.</summary>
    public static class ErrorMapper
    {
        /// <summary>The ExoNativeException inside a script-call wrapper, or null.</summary>
        public static ExoNativeException Unwrap(Exception e)
        {
            for (var x = e; x != null; x = x.InnerException)
            {
                var n = x as ExoNativeException;
                if (n != null) return n;
            }
            return null;
        }

        /// <summary>True when every later call on the same connection would fail the same way.</summary>
        public static bool IsFatal(ExoNativeException e)
        {
            switch (e.Code)
            {
                case 1: case 2: case 3: case 4: case 5: case 7: case 9: case 10: case 17:
                    return true;
                default:
                    return false;
            }
        }

        public static ErrorCategory Category(ExoNativeException e)
        {
            switch (e.Code)
            {
                case 1: case 2: case 3: return ErrorCategory.InvalidArgument;
                case 5: return ErrorCategory.InvalidOperation;
                case 7: return ErrorCategory.OperationStopped;
                case 9: return ErrorCategory.SecurityError;
                case 10: return AuthCategory(e);
                case 11: return ExchangeCategory(e);
                case 12: return ErrorCategory.ResourceBusy;
                case 13: return ErrorCategory.ResourceUnavailable;
                case 14: return ErrorCategory.ConnectionError;
                case 15: return ErrorCategory.OperationTimeout;
                case 16: return ErrorCategory.InvalidOperation;
                case 17: return ErrorCategory.PermissionDenied;
                case 4: case 18: return ErrorCategory.InvalidResult;
                default: return ErrorCategory.NotSpecified;
            }
        }

        private static ErrorCategory AuthCategory(ExoNativeException e)
        {
            switch (e.Aadsts)
            {
                case 90002: case 500011: return ErrorCategory.ObjectNotFound;
                case 65001: case 53003: case 700016: return ErrorCategory.PermissionDenied;
                case 700025: case 700007: case 70011: return ErrorCategory.InvalidArgument;
                case 50076: case 50079: case 700082: case 70000: case 70008:
                case 7000215: case 7000222: case 7000218: return ErrorCategory.AuthenticationError;
            }
            string r = e.Reason ?? string.Empty;
            if (r.IndexOf("NotFound", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.ObjectNotFound;
            if (r.IndexOf("Consent", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("ConditionalAccess", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Relationship", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.PermissionDenied;
            return ErrorCategory.AuthenticationError;
        }

        private static ErrorCategory ExchangeCategory(ExoNativeException e)
        {
            string r = (e.Reason ?? string.Empty) + " " + (e.ExceptionType ?? string.Empty) + " " + (e.ServiceCode ?? string.Empty);
            if (r.IndexOf("NotFound", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.ObjectNotFound;
            if (r.IndexOf("AccessDenied", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Forbidden", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Unauthorized", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.PermissionDenied;
            if (r.IndexOf("AlreadyExists", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Duplicate", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.ResourceExists;
            if (r.IndexOf("BadRequest", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Parameter", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Invalid", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.InvalidArgument;
            return ErrorCategory.InvalidOperation;
        }

        /// <summary>One sentence telling the user what to do, or null.</summary>
        public static string RecommendedAction(ExoNativeException e)
        {
            switch (e.Aadsts)
            {
                case 50076: case 50079:
                    return "The refresh token lacks an MFA claim for this tenant: create a new one by signing in interactively with MFA (Connect-ExoDelegated -DeviceCode), then store it.";
                case 700082:
                    return "The refresh token expired after 90 days without use: create a new one, and rotate it on a schedule (Export-ExoDelegatedRefreshToken after every run).";
                case 70000: case 70008:
                    return "The refresh token is invalid, expired or revoked: consent again and store the new token.";
                case 65001:
                    return "Consent the application in the customer tenant (partner pre-consent or GDAP app consent), then retry.";
                case 700016:
                    return "The application has no service principal in this tenant, or there is no delegated (GDAP) relationship with it: check the tenant id and the partner relationship.";
                case 7000215: case 7000222: case 7000218:
                    return "Check the client secret: it is wrong, missing or expired. Create a new secret for the application and store it.";
                case 700025:
                    return "The application is a public client: drop -ClientSecret, or make the application confidential.";
                case 700007:
                    return "Use the application id the refresh token was issued to (-ApplicationId).";
                case 53003:
                    return "Conditional Access blocked the sign-in: check the customer's sign-in logs with the correlation id.";
                case 90002:
                    return "Check the tenant id or domain, and -Environment (the tenant may live in another cloud).";
                case 500011:
                    return "Exchange Online is not provisioned in this tenant, or the tenant id is wrong.";
            }
            switch (e.Code)
            {
                case 5: return "Connect again with Connect-ExoDelegated.";
                case 9: return "Use https:// endpoints (http:// is allowed only for localhost, e.g. exo-emulator).";
                case 12: return "Exchange is throttling this tenant: retry later, run fewer commands at once against it, or raise -MaximumRetryCount.";
                case 13: return "Exchange reported a transient failure: retry the command.";
                case 14: return "Check the network connection and the -AuthorityHost/-ExchangeHost addresses.";
                case 15: return "The service did not answer in time: retry, or raise -TimeoutSec.";
                case 16: return "The enumeration took longer than Exchange keeps page links (30 minutes): run the command again, with a -Filter if possible.";
                case 17: return "Exchange refused the token: check the admin roles granted through GDAP for this tenant, then connect again.";
            }
            if (e.Code == 11 && string.Equals(e.Reason, "NotFound", StringComparison.OrdinalIgnoreCase))
                return "Check the identity (user principal name, email address or GUID) and that the object exists in this tenant.";
            return null;
        }

        /// <summary>The message shown to the user: the service message plus the ids support asks for.</summary>
        public static string DetailMessage(ExoNativeException e)
        {
            string message = e.Message ?? e.CodeName;
            var sb = new StringBuilder(message);
            var ids = new List<string>();
            // The native message usually names these already; add only what it lacks.
            string aadsts = "AADSTS" + e.Aadsts.ToString(CultureInfo.InvariantCulture);
            if (e.Aadsts != 0 && message.IndexOf(aadsts, StringComparison.Ordinal) < 0) ids.Add(aadsts);
            if (!string.IsNullOrEmpty(e.CorrelationId) && message.IndexOf(e.CorrelationId, StringComparison.OrdinalIgnoreCase) < 0) ids.Add("correlation id " + e.CorrelationId);
            if (!string.IsNullOrEmpty(e.RequestId) && message.IndexOf(e.RequestId, StringComparison.OrdinalIgnoreCase) < 0) ids.Add("client-request-id " + e.RequestId);
            if (ids.Count > 0) sb.Append(" (").Append(string.Join("; ", ids)).Append(')');
            return sb.ToString();
        }

        /// <summary>An ErrorRecord for any failure; ExoNativeExceptions get their reason and details.</summary>
        public static ErrorRecord ToErrorRecord(Exception exception, object target)
        {
            var native = Unwrap(exception);
            if (native == null)
            {
                var inner = exception;
                while (inner is MethodInvocationException && inner.InnerException != null) inner = inner.InnerException;
                return new ErrorRecord(inner, "ExoDelegated.Unexpected", ErrorCategory.NotSpecified, target);
            }
            var record = new ErrorRecord(native, "ExoDelegated." + (string.IsNullOrEmpty(native.Reason) ? native.CodeName : native.Reason), Category(native), target);
            record.ErrorDetails = new ErrorDetails(DetailMessage(native));
            var action = RecommendedAction(native);
            if (action != null) record.ErrorDetails.RecommendedAction = action;
            return record;
        }

        /// <summary>An ErrorRecord raised by the module itself (not connected, calendar not found, ...).</summary>
        public static ErrorRecord Create(string reason, string message, ErrorCategory category, object target, string recommendedAction)
        {
            var record = new ErrorRecord(new InvalidOperationException(message), "ExoDelegated." + reason, category, target);
            if (recommendedAction != null)
            {
                record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction };
            }
            return record;
        }
    }
}

namespace ExoDelegated
{
    using ExoDelegated.Interop;

    /// <summary>One connection to one customer tenant. Holds no secret: the tokens stay in
    /// the native library. The handle is hidden from formatting and Get-Member.</summary>
    public sealed class Connection
    {
        private readonly object gate = new object();
        private string state = "Connected";

        public Connection(ConnectionHandle handle, string name)
        {
            if (handle == null || handle.IsInvalid) throw new ArgumentException("a valid connection handle is required", "handle");
            Handle = handle;
            Id = Guid.NewGuid();
            ConnectedUtc = DateTime.UtcNow;
            Refresh();
            Name = string.IsNullOrEmpty(name) ? TenantId : name;
        }

        public string Name { get; private set; }
        public string TenantId { get; private set; }
        public string Environment { get; private set; }
        /// <summary>RefreshToken, AppSecret, AccessToken or DeviceCode.</summary>
        public string Credential { get; private set; }
        /// <summary>The signed-in user for delegated connections; null for app-only.</summary>
        public string User { get; private set; }
        public string ApplicationId { get; private set; }
        public DateTime? TokenExpiresUtc { get; private set; }
        /// <summary>True once the identity platform returned a new refresh token: store it (Export-ExoDelegatedRefreshToken).</summary>
        public bool RefreshTokenRotated { get; private set; }
        public string State { get { lock (gate) { return Handle.IsClosed ? "Disconnected" : state; } } }
        public string AuthorityHost { get; private set; }
        public string ExchangeHost { get; private set; }
        public string AnchorMailbox { get; private set; }
        public int PageSize { get; private set; }
        public DateTime ConnectedUtc { get; private set; }
        public Guid Id { get; private set; }

        [Hidden]
        public ConnectionHandle Handle { get; private set; }

        /// <summary>Re-reads token expiry, rotation and state from the native library.</summary>
        public void Refresh()
        {
            lock (gate)
            {
                if (Handle.IsClosed || state == "Disconnected") { state = "Disconnected"; return; }
                string json;
                try { json = Bridge.ConnectionInfo(Handle); }
                catch (ExoNativeException e)
                {
                    if (e.Code == 5) { state = "Disconnected"; return; }
                    throw;
                }
                catch (ObjectDisposedException) { state = "Disconnected"; return; }
                using (var doc = JsonDocument.Parse(json))
                {
                    var r = doc.RootElement;
                    TenantId = Str(r, "tenantId") ?? TenantId;
                    Environment = Str(r, "environment") ?? Environment;
                    AuthorityHost = Str(r, "authorityHost") ?? AuthorityHost;
                    ExchangeHost = Str(r, "exchangeHost") ?? ExchangeHost;
                    ApplicationId = Str(r, "applicationId") ?? ApplicationId;
                    Credential = Str(r, "credential") ?? Credential;
                    User = Str(r, "user") ?? User;
                    AnchorMailbox = Str(r, "anchorMailbox") ?? AnchorMailbox;
                    JsonElement e;
                    if (r.TryGetProperty("pageSize", out e) && e.ValueKind == JsonValueKind.Number) PageSize = e.GetInt32();
                    if (r.TryGetProperty("refreshTokenRotated", out e)) RefreshTokenRotated = e.ValueKind == JsonValueKind.True;
                    var expires = Str(r, "tokenExpiresUtc");
                    DateTime when;
                    if (expires != null && DateTime.TryParse(expires, CultureInfo.InvariantCulture,
                            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out when))
                    {
                        TokenExpiresUtc = DateTime.SpecifyKind(when, DateTimeKind.Utc);
                    }
                    if (r.TryGetProperty("connected", out e) && e.ValueKind == JsonValueKind.False) state = "Disconnected";
                }
            }
        }

        /// <summary>Signs out and frees the native connection; later commands on it fail with InvalidHandle.</summary>
        public void Disconnect()
        {
            lock (gate)
            {
                if (!Handle.IsClosed)
                {
                    Bridge.Disconnect(Handle);
                    Handle.Dispose();
                }
                state = "Disconnected";
            }
        }

        public override string ToString() { return Name; }

        private static string Str(JsonElement r, string name)
        {
            JsonElement e;
            return r.TryGetProperty(name, out e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        }
    }
}
