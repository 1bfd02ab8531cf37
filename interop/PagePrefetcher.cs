using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace ExoDelegated.Interop
{
    /// <summary>Fetches and parses the next page of a cursor on its own thread while the
    /// pipeline works through the current one, so the network, the native core and the
    /// PSObject building overlap with the commands downstream. At most one page ahead; only
    /// this class calls exo_cursor_next for a cursor while a prefetch is pending.</summary>
    internal static class PagePrefetcher
    {
        private static readonly ConditionalWeakTable<CursorHandle, Task<Page>> Pending = new ConditionalWeakTable<CursorHandle, Task<Page>>();

        internal static void Start(CursorHandle cursor, Func<Page> fetch)
        {
            // A dedicated thread (LongRunning), not the thread pool: many enumerations blocked in
            // the network at once (ForEach-Object -Parallel) would starve the pool.
            var task = new Task<Page>(fetch, TaskCreationOptions.LongRunning);
            // A page nobody collects (the enumeration was stopped) leaves no unobserved exception.
            task.ContinueWith(t => { var ignored = t.Exception; }, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            Pending.AddOrUpdate(cursor, task);
            task.Start();
        }

        /// <summary>The prefetched page, waiting for it while watching stopSignal (Ctrl+C cancels
        /// the cursor); null when none is pending. Rethrows the fetch's own exception.</summary>
        internal static Page Take(CursorHandle cursor, Cmdlet stopSignal)
        {
            Task<Page> task;
            if (!Pending.TryGetValue(cursor, out task)) return null;
            Pending.Remove(cursor);
            bool cancelled = false;
            var wait = ((IAsyncResult)task).AsyncWaitHandle;
            while (!task.IsCompleted)
            {
                if (!cancelled && stopSignal != null && stopSignal.Stopping)
                {
                    NativeMethods.exo_cursor_cancel(cursor);
                    cancelled = true;
                }
                wait.WaitOne(100);
            }
            return task.GetAwaiter().GetResult();
        }

        /// <summary>Drops a pending page (the enumeration ends early; the cursor is cancelled).</summary>
        internal static void Forget(CursorHandle cursor)
        {
            Pending.Remove(cursor);
        }
    }
}
