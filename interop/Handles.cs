using System;
using System.Runtime.InteropServices;

namespace ExoDelegated.Interop
{
    /// <summary>A native handle freed exactly once, even when a command is stopped mid-call.</summary>
    public abstract class ExoHandle : SafeHandle
    {
        protected ExoHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
    }

    public sealed class ErrorHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { NativeMethods.exo_error_free(handle); return true; }
    }

    public sealed class ConnectionHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { NativeMethods.exo_connection_free(handle); return true; }
    }

    public sealed class CursorHandle : ExoHandle
    {
        /// <summary>Pages and records read from this cursor so far: a page that cannot be
        /// read says where the enumeration stopped.</summary>
        internal int PagesRead;
        internal long RecordsRead;

        protected override bool ReleaseHandle() { NativeMethods.exo_cursor_free(handle); return true; }
    }

    public sealed class CustomersHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { NativeMethods.exo_customers_free(handle); return true; }
    }

    public sealed class FanoutHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { NativeMethods.exo_fanout_free(handle); return true; }
    }

    public sealed class DeviceFlowHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { NativeMethods.exo_device_flow_free(handle); return true; }
    }
}
