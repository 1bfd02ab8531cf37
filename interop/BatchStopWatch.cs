using System;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>Cancels a running batch as soon as its command is being stopped (Ctrl+C); a
    /// timer calls Check while exo_batch_run blocks.</summary>
    internal sealed class BatchStopWatch
    {
        private readonly BatchHandle batch;
        private readonly Cmdlet command;
        private readonly object gate = new object();
        private bool fired;
        private bool done;

        internal BatchStopWatch(BatchHandle batch, Cmdlet command)
        {
            this.batch = batch;
            this.command = command;
        }

        /// <summary>The run returned: no cancel after this (the handle is about to be freed).</summary>
        internal void Done()
        {
            lock (gate) done = true;
        }

        internal static void Check(object state)
        {
            var w = (BatchStopWatch)state;
            try
            {
                lock (w.gate)
                {
                    if (w.done || w.fired || !w.command.Stopping) return;
                    w.fired = true;
                    NativeMethods.exo_batch_cancel(w.batch);
                }
            }
            catch (Exception)
            {
                // Never let an exception escape a thread-pool callback (it would end the process).
            }
        }
    }
}
