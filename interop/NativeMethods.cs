using System;
using System.Runtime.InteropServices;

namespace ExoDelegated.Interop
{
    /// <summary>The C ABI of exo_bridge (src/exo_bridge.h), one declaration per function.</summary>
    internal static class NativeMethods
    {
        internal const string Library = "exo_bridge";

        [DllImport(Library)] internal static extern IntPtr exo_version();
        [DllImport(Library)] internal static extern void exo_string_free(IntPtr s);

        [DllImport(Library)] internal static extern ResultCode exo_error_code(IntPtr err);
        [DllImport(Library)] internal static extern IntPtr exo_error_message(IntPtr err);
        [DllImport(Library)] internal static extern IntPtr exo_error_json(IntPtr err);
        [DllImport(Library)] internal static extern void exo_error_free(IntPtr err);

        [DllImport(Library)]
        internal static extern ResultCode exo_connect(byte[] optionsJson,
            IntPtr refreshToken, UIntPtr refreshTokenLen,
            IntPtr clientSecret, UIntPtr clientSecretLen,
            IntPtr accessToken, UIntPtr accessTokenLen,
            out ConnectionHandle conn, out ErrorHandle err);
        [DllImport(Library)] internal static extern ResultCode exo_connection_info(ConnectionHandle conn, out IntPtr infoJson, out ErrorHandle err);
        [DllImport(Library)] internal static extern ResultCode exo_connection_export_refresh_token(ConnectionHandle conn, IntPtr buf, UIntPtr bufLen, out UIntPtr needed, out ErrorHandle err);
        [DllImport(Library)] internal static extern ResultCode exo_connection_export_newest_refresh_token(ConnectionHandle conn, IntPtr buf, UIntPtr bufLen, out UIntPtr needed, out ErrorHandle err);
        [DllImport(Library)] internal static extern void exo_connection_disconnect(ConnectionHandle conn);
        [DllImport(Library)] internal static extern void exo_connection_free(IntPtr conn);

        [DllImport(Library)] internal static extern ResultCode exo_device_code_start(byte[] optionsJson, out DeviceFlowHandle flow, out ErrorHandle err);
        [DllImport(Library)] internal static extern IntPtr exo_device_flow_message_json(DeviceFlowHandle flow);
        [DllImport(Library)] internal static extern ResultCode exo_device_flow_wait(DeviceFlowHandle flow, uint timeoutMs, out ConnectionHandle conn, out ErrorHandle err);
        [DllImport(Library)] internal static extern void exo_device_flow_cancel(DeviceFlowHandle flow);
        [DllImport(Library)] internal static extern void exo_device_flow_free(IntPtr flow);

        [DllImport(Library)] internal static extern ResultCode exo_invoke(ConnectionHandle conn, byte[] requestJson, out CursorHandle cursor, out ErrorHandle err);
        [DllImport(Library)] internal static extern ResultCode exo_cursor_next(CursorHandle cursor, out IntPtr pageJson, out ErrorHandle err);
        [DllImport(Library)] internal static extern void exo_cursor_cancel(CursorHandle cursor);
        [DllImport(Library)] internal static extern void exo_cursor_free(IntPtr cursor);

        [DllImport(Library)] internal static extern ResultCode exo_batch_new(ConnectionHandle conn, byte[] invocationsJson, out BatchHandle batch, out ErrorHandle err);
        [DllImport(Library)] internal static extern ResultCode exo_batch_run(BatchHandle batch, out IntPtr resultsJson, out ErrorHandle err);
        [DllImport(Library)] internal static extern void exo_batch_cancel(BatchHandle batch);
        [DllImport(Library)] internal static extern void exo_batch_free(IntPtr batch);

        [DllImport(Library)]
        internal static extern ResultCode exo_customers_new(byte[] optionsJson,
            IntPtr refreshToken, UIntPtr refreshTokenLen,
            IntPtr clientSecret, UIntPtr clientSecretLen,
            out CustomersHandle customers, out ErrorHandle err);
        [DllImport(Library)] internal static extern ResultCode exo_customers_run(CustomersHandle customers, out IntPtr customersJson, out ErrorHandle err);
        [DllImport(Library)] internal static extern void exo_customers_cancel(CustomersHandle customers);
        [DllImport(Library)] internal static extern void exo_customers_free(IntPtr customers);

        [DllImport(Library)] internal static extern ResultCode exo_fanout_new(IntPtr[] conns, UIntPtr count, byte[] requestJson, uint throttle, out FanoutHandle fanout, out ErrorHandle err);
        [DllImport(Library)] internal static extern ResultCode exo_fanout_next(FanoutHandle fanout, uint timeoutMs, out uint fanoutEvent, out UIntPtr index, out IntPtr json, out ErrorHandle err);
        [DllImport(Library)] internal static extern void exo_fanout_cancel(FanoutHandle fanout);
        [DllImport(Library)] internal static extern void exo_fanout_free(IntPtr fanout);
    }
}
