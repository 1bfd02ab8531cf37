using System;
using System.Collections;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;

namespace ExoDelegated.Interop
{
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

        public static CallResult TryExportNewestRefreshToken(ConnectionHandle conn)
        {
            return CallResult.Run(() => ExportNewestRefreshToken(conn), "connection");
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

        /// <summary>Run many invocations (exo_batch_new's JSON, see BatchWriter) through $batch:
        /// Value is a BatchResult, one result per invocation in input order; typeNames[i] types the
        /// records of the i-th. Records are tagged with origin like pages. Ctrl+C in stopSignal
        /// cancels the run. Fails as a whole only when the run cannot start, is cancelled or the
        /// connection is closed; an invocation's failure is in its result.</summary>
        public static CallResult TryRunBatch(ConnectionHandle conn, string invocationsJson, string[] typeNames, ExoDelegated.Connection origin, Cmdlet stopSignal)
        {
            return CallResult.Run(() => RunBatch(conn, invocationsJson, typeNames, origin, stopSignal), "connection");
        }

        public static BatchResult RunBatch(ConnectionHandle conn, string invocationsJson, string[] typeNames, ExoDelegated.Connection origin, Cmdlet stopSignal)
        {
            var run = BatchRun.Start(conn, invocationsJson, typeNames, origin);
            var result = run.TryWait(stopSignal);
            if (result.Failed) throw result.Error;
            return (BatchResult)result.Value;
        }

        /// <summary>exo_batch_new: checks the invocations, sends nothing.</summary>
        internal static BatchHandle NewBatch(ConnectionHandle conn, string invocationsJson)
        {
            BatchHandle batch;
            ErrorHandle err;
            ResultCode code = NativeMethods.exo_batch_new(conn, NativeString.Utf8Z(invocationsJson), out batch, out err);
            if (code != ResultCode.Ok && batch != null) batch.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            return batch;
        }

        /// <summary>exo_batch_run (blocks) and its results as InvocationResults.</summary>
        internal static BatchResult RunAndRead(BatchHandle batch, string[] typeNames, string originTag, string tenant, bool multiTenant)
        {
            IntPtr json;
            ErrorHandle err;
            ResultCode code = NativeMethods.exo_batch_run(batch, out json, out err);
            ExoNativeException.ThrowIfFailed(code, err);
            try { return BatchReader.Read(json, typeNames, originTag, tenant, multiTenant); }
            finally { NativeMethods.exo_string_free(json); }
        }

        public static string NativeVersion()
        {
            return NativeString.Borrow(NativeMethods.exo_version());
        }

        /// <summary>Copy a SecureString to an unmanaged UTF-16 buffer, run the call, zero-free the buffer.</summary>
        internal static T WithSecret<T>(SecureString secret, Func<IntPtr, UIntPtr, T> call)
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
            byte[] options = NativeString.Utf8Z(optionsJson);
            ResultCode code = WithSecret(refreshToken, (rt, rtLen) =>
                WithSecret(clientSecret, (cs, csLen) =>
                    WithSecret(accessToken, (at, atLen) =>
                        NativeMethods.exo_connect(options, rt, rtLen, cs, csLen, at, atLen, out conn, out err))));
            if (code != ResultCode.Ok && conn != null) conn.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            return conn;
        }

        public static string ConnectionInfo(ConnectionHandle conn)
        {
            IntPtr json;
            ErrorHandle err;
            ResultCode code = NativeMethods.exo_connection_info(conn, out json, out err);
            ExoNativeException.ThrowIfFailed(code, err);
            return NativeString.Take(json);
        }

        /// <summary>The connection's newest refresh token, straight from native memory into a SecureString.</summary>
        public static SecureString ExportRefreshToken(ConnectionHandle conn)
        {
            return ExportToken(conn, NativeMethods.exo_connection_export_refresh_token);
        }

        /// <summary>The newest refresh token of the connection's credential across all open
        /// connections (every tenant), straight from native memory into a SecureString.</summary>
        public static SecureString ExportNewestRefreshToken(ConnectionHandle conn)
        {
            return ExportToken(conn, NativeMethods.exo_connection_export_newest_refresh_token);
        }

        private delegate ResultCode ExportCall(ConnectionHandle conn, IntPtr buf, UIntPtr bufLen, out UIntPtr needed, out ErrorHandle err);

        /// <summary>Size query, then copy. The token may rotate in between (another runspace
        /// refreshed it): the copy then reports the new size, and the export asks again with a
        /// buffer that holds it, until one copy fits. Only the length the successful copy
        /// reports is read: never a stale size, a NUL or uninitialised memory.</summary>
        private static SecureString ExportToken(ConnectionHandle conn, ExportCall export)
        {
            UIntPtr needed;
            ErrorHandle err;
            ResultCode code = export(conn, IntPtr.Zero, UIntPtr.Zero, out needed, out err);
            if (code != ResultCode.BufferTooSmall) ExoNativeException.ThrowIfFailed(code, err); else err.Dispose();
            for (int attempt = 0; ; attempt++)
            {
                // Room for a somewhat longer token, so one rotation rarely needs another round.
                int capacity = (int)needed.ToUInt64() + 64;
                IntPtr buf = Marshal.AllocHGlobal(capacity * 2);
                try
                {
                    for (int i = 0; i < capacity; i++) Marshal.WriteInt16(buf, i * 2, 0);
                    code = export(conn, buf, (UIntPtr)(uint)capacity, out needed, out err);
                    if (code == ResultCode.BufferTooSmall && attempt < 16) { err.Dispose(); continue; }
                    ExoNativeException.ThrowIfFailed(code, err);
                    int chars = (int)needed.ToUInt64();
                    var secure = new SecureString();
                    for (int i = 0; i < chars; i++) secure.AppendChar((char)Marshal.ReadInt16(buf, i * 2));
                    secure.MakeReadOnly();
                    return secure;
                }
                finally
                {
                    for (int i = 0; i < capacity; i++) Marshal.WriteInt16(buf, i * 2, 0);
                    Marshal.FreeHGlobal(buf);
                }
            }
        }

        public static void Disconnect(ConnectionHandle conn)
        {
            NativeMethods.exo_connection_disconnect(conn);
        }

        public static DeviceFlowHandle StartDeviceCode(string optionsJson)
        {
            DeviceFlowHandle flow;
            ErrorHandle err;
            ResultCode code = NativeMethods.exo_device_code_start(NativeString.Utf8Z(optionsJson), out flow, out err);
            if (code != ResultCode.Ok && flow != null) flow.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            return flow;
        }

        public static string DeviceCodeMessageJson(DeviceFlowHandle flow)
        {
            return NativeString.Borrow(NativeMethods.exo_device_flow_message_json(flow));
        }

        /// <summary>Wait up to timeoutMs; null while the user has not finished signing in.</summary>
        public static ConnectionHandle WaitDeviceCode(DeviceFlowHandle flow, uint timeoutMs)
        {
            ConnectionHandle conn;
            ErrorHandle err;
            ResultCode code = NativeMethods.exo_device_flow_wait(flow, timeoutMs, out conn, out err);
            if (code == ResultCode.Pending) { err.Dispose(); if (conn != null) conn.Dispose(); return null; }
            if (code != ResultCode.Ok && conn != null) conn.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            return conn;
        }

        public static void CancelDeviceCode(DeviceFlowHandle flow)
        {
            NativeMethods.exo_device_flow_cancel(flow);
        }

        public static CursorHandle Invoke(ConnectionHandle conn, string requestJson)
        {
            CursorHandle cursor;
            ErrorHandle err;
            ResultCode code = NativeMethods.exo_invoke(conn, NativeString.Utf8Z(requestJson), out cursor, out err);
            if (code != ResultCode.Ok && cursor != null) cursor.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            return cursor;
        }

        public static void Cancel(CursorHandle cursor)
        {
            NativeMethods.exo_cursor_cancel(cursor);
            PagePrefetcher.Forget(cursor);
        }

        /// <summary>Fetch the next page and turn its records into PSObjects tagged with typeName.</summary>
        public static Page Next(CursorHandle cursor, string typeName)
        {
            return Next(cursor, typeName, null, null);
        }

        /// <summary>
        /// The next page, its records tagged with typeName and (for pipeline binding) with
        /// <paramref name="origin"/>, the connection they came from. While a page is awaited,
        /// <paramref name="stopSignal"/> (the calling command) is watched and the cursor
        /// cancelled as soon as the pipeline is being stopped (Ctrl+C), so the call returns at
        /// once. When more pages follow, the next one is fetched in the background (PagePrefetcher).
        /// </summary>
        public static Page Next(CursorHandle cursor, string typeName, ExoDelegated.Connection origin, Cmdlet stopSignal)
        {
            string tag = origin == null ? null : RecordOrigin.TagOf(origin);
            // ExoTenant on every record; the tenant column while several connections are open.
            string tenant = origin == null ? null : origin.ExoTenant;
            bool multiTenant = origin != null && ExoDelegated.Connection.OpenCount > 1;
            if (cursor.PagesRead > 0) GarbageBound.BeforePage();
            var page = PagePrefetcher.Take(cursor, stopSignal) ?? Fetch(cursor, typeName, tag, tenant, multiTenant, stopSignal);
            if (page.More) PagePrefetcher.Start(cursor, () => Fetch(cursor, typeName, tag, tenant, multiTenant, null));
            return page;
        }

        private static Page Fetch(CursorHandle cursor, string typeName, string originTag, string tenant, bool multiTenant, Cmdlet stopSignal)
        {
            using (var raw = PagePrefetcher.TakeRaw(cursor) ?? FetchRaw(cursor, stopSignal))
            {
                // The page after this one is fetched while this one is read.
                if (raw.SaysMore()) PagePrefetcher.StartRaw(cursor);
                raw.ThrowIfFailed();
                try
                {
                    var page = PageReader.Read(raw.Json, typeName, originTag, tenant, multiTenant);
                    cursor.PagesRead++;
                    cursor.RecordsRead += page.Records.Length;
                    return page;
                }
                catch (Exception e) when (PageReader.IsMalformedPage(e))
                {
                    // The native library hands on only pages it checked; should one still not read,
                    // it is the same ExoDelegated.MalformedResponse error, saying where the
                    // enumeration stopped, never a raw reader exception.
                    PagePrefetcher.Forget(cursor);
                    NativeMethods.exo_cursor_cancel(cursor);
                    throw ExoNativeException.MalformedResponse(string.Format(
                        "page {0} could not be read: {1} {2}; the rest of the enumeration was not read.",
                        cursor.PagesRead + 1, PageReader.Describe(e), PageReader.Delivered(cursor.PagesRead, cursor.RecordsRead)));
                }
            }
        }

        /// <summary>exo_cursor_next on this thread; while it waits, stopSignal (when given) is
        /// watched and the cursor cancelled as soon as the pipeline is being stopped.</summary>
        private static RawPage FetchRaw(CursorHandle cursor, Cmdlet stopSignal)
        {
            if (stopSignal == null) return RawPage.Fetch(cursor);
            if (stopSignal.Stopping) Cancel(cursor);
            using (var watch = new Timer(CancelWhenStopping, new StopWatch(cursor, stopSignal), 100, 100))
            {
                return RawPage.Fetch(cursor);
            }
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
                if (w.Command.Stopping && Interlocked.Exchange(ref w.Fired, 1) == 0) NativeMethods.exo_cursor_cancel(w.Cursor);
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
                return CallResult.Fail(ExoNativeException.InvalidArgument("The parameters of " + cmdlet + " cannot be sent: " + ErrorMapper.UnwrapInvocation(e).Message));
            }
        }
    }
}
