using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ExoDelegated.Interop
{
    /// <summary>One exo_batch run on a worker thread, so the pipeline can prepare the next
    /// window of invocations (and the records are built off the pipeline thread) while these
    /// requests are in flight. The run owns its handle and frees it when it ends, also when no
    /// one waits for it any more (a pipeline stopped downstream): nothing leaks. While a command
    /// waits, its Stopping (Ctrl+C) cancels the run.</summary>
    public sealed class BatchRun
    {
        private readonly BatchHandle batch;
        private readonly Task<BatchResult> task;
        private int cancelled;

        private BatchRun(BatchHandle batch, string[] typeNames, string originTag, string tenant, bool multiTenant)
        {
            this.batch = batch;
            task = Task.Run(() =>
            {
                try { return Bridge.RunAndRead(batch, typeNames, originTag, tenant, multiTenant); }
                finally { batch.Dispose(); }
            });
        }

        /// <summary>Checks the invocations (exo_batch_new) and starts sending them. Value is the BatchRun.</summary>
        public static CallResult TryStart(ConnectionHandle conn, string invocationsJson, string[] typeNames, ExoDelegated.Connection origin)
        {
            return CallResult.Run(() => Start(conn, invocationsJson, typeNames, origin), "connection");
        }

        public static BatchRun Start(ConnectionHandle conn, string invocationsJson, string[] typeNames, ExoDelegated.Connection origin)
        {
            // Records are tagged like pages: ExoTenant, the origin connection, the tenant column
            // while several connections are open.
            string tag = origin == null ? null : RecordOrigin.TagOf(origin);
            string tenant = origin == null ? null : origin.ExoTenant;
            bool multiTenant = origin != null && ExoDelegated.Connection.OpenCount > 1;
            return new BatchRun(Bridge.NewBatch(conn, invocationsJson), typeNames, tag, tenant, multiTenant);
        }

        /// <summary>Waits for the run; cancels it as soon as stopSignal is being stopped (Ctrl+C).
        /// Value is the BatchResult.</summary>
        public CallResult TryWait(Cmdlet stopSignal)
        {
            var done = ((IAsyncResult)task).AsyncWaitHandle;
            while (!done.WaitOne(100))
            {
                if (stopSignal != null && stopSignal.Stopping) Cancel();
            }
            if (task.IsFaulted)
            {
                Exception e = task.Exception.GetBaseException();
                var native = e as ExoNativeException;
                if (native != null) return CallResult.Fail(native);
                if (e is ObjectDisposedException) return CallResult.Fail(ExoNativeException.Closed("connection"));
                throw new InvalidOperationException("the batch run failed: " + e.Message, e);
            }
            return new CallResult().With(task.Result);
        }

        /// <summary>Ends the run promptly (requests already sent are abandoned, not undone).</summary>
        public void Cancel()
        {
            if (Interlocked.Exchange(ref cancelled, 1) != 0) return;
            try { NativeMethods.exo_batch_cancel(batch); }
            catch (ObjectDisposedException) { }
        }
    }
}
