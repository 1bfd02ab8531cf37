using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>What one read of a fan-out gave: a page of one connection, that connection's
    /// failure, or the end (Finished). Null from TryNext's Value: nothing arrived yet.</summary>
    public sealed class FanoutItem
    {
        /// <summary>The connection (index into the connections the fan-out was started with).</summary>
        public int Index { get; internal set; }
        public ExoDelegated.Connection Connection { get; internal set; }
        public Page Page { get; internal set; }
        /// <summary>The connection failed; its message starts with the tenant.</summary>
        public ExoNativeException Error { get; internal set; }
        public bool Finished { get; internal set; }
    }

    /// <summary>One cmdlet over many connections at once in the native core (exo_fanout_*): pages
    /// stream back tagged with their connection; a connection that fails is one item, the others
    /// go on. Short waits, so a script loop notices Ctrl+C between them.</summary>
    public static class Fanout
    {
        public static CallResult TryStart(ExoDelegated.Connection[] connections, string requestJson, int throttleLimit)
        {
            return CallResult.Run(() => Start(connections, requestJson, throttleLimit), "connection");
        }

        public static FanoutHandle Start(ExoDelegated.Connection[] connections, string requestJson, int throttleLimit)
        {
            var handles = new IntPtr[connections.Length];
            var added = new List<ConnectionHandle>(connections.Length);
            try
            {
                for (int i = 0; i < connections.Length; i++)
                {
                    bool ok = false;
                    // Keeps each handle from being released while the native side takes its reference.
                    connections[i].Handle.DangerousAddRef(ref ok);
                    added.Add(connections[i].Handle);
                    handles[i] = connections[i].Handle.DangerousGetHandle();
                }
                FanoutHandle fanout;
                ErrorHandle err;
                ResultCode code = NativeMethods.exo_fanout_new(handles, (UIntPtr)(uint)handles.Length,
                    NativeString.Utf8Z(requestJson), (uint)Math.Max(0, throttleLimit), out fanout, out err);
                if (code != ResultCode.Ok && fanout != null) fanout.Dispose();
                ExoNativeException.ThrowIfFailed(code, err);
                return fanout;
            }
            finally
            {
                foreach (var h in added) h.DangerousRelease();
            }
        }

        public static CallResult TryNext(FanoutHandle fanout, uint timeoutMs, string typeName, ExoDelegated.Connection[] connections)
        {
            return CallResult.Run(() => Next(fanout, timeoutMs, typeName, connections), "enumeration");
        }

        /// <summary>The next item, or null when nothing arrived within timeoutMs.</summary>
        public static FanoutItem Next(FanoutHandle fanout, uint timeoutMs, string typeName, ExoDelegated.Connection[] connections)
        {
            uint kind;
            UIntPtr index;
            IntPtr json;
            ErrorHandle err;
            ResultCode code = NativeMethods.exo_fanout_next(fanout, timeoutMs, out kind, out index, out json, out err);
            ExoNativeException.ThrowIfFailed(code, err);
            switch (kind)
            {
                case 2: return new FanoutItem { Index = -1, Finished = true };
                case 3: return null;
            }
            int i = (int)index.ToUInt64();
            var origin = connections[i];
            var item = new FanoutItem { Index = i, Connection = origin };
            try
            {
                if (kind == 0)
                {
                    item.Page = PageReader.Read(json, typeName, RecordOrigin.TagOf(origin), origin.ExoTenant, true);
                }
                else
                {
                    string name = origin.TenantDomain != null && origin.TenantDomain != origin.TenantId
                        ? origin.TenantId + " (" + origin.TenantDomain + ")" : origin.TenantId;
                    item.Error = ExoNativeException.FromJson(NativeString.Borrow(json), "Tenant " + name + ": ");
                }
            }
            finally { NativeMethods.exo_string_free(json); }
            return item;
        }

        public static void Cancel(FanoutHandle fanout)
        {
            NativeMethods.exo_fanout_cancel(fanout);
        }
    }
}
