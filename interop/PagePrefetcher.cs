using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace ExoDelegated.Interop
{
    /// <summary>Works ahead of the pipeline on a cursor, in two stages on their own threads: the
    /// next page is parsed into PSObjects (Start/Take) while the pipeline works through the
    /// current one, and the page after it is fetched by the native library (StartRaw/TakeRaw)
    /// while that one is parsed. So the network and the native core, the PSObject building and
    /// the commands downstream overlap. At most one page ahead at each stage; exo_cursor_next is
    /// called for a cursor by one thread at a time (a stage starts the next fetch only after it
    /// took the previous one).</summary>
    internal static class PagePrefetcher
    {
        private static readonly ConditionalWeakTable<CursorHandle, Task<Page>> Pending = new ConditionalWeakTable<CursorHandle, Task<Page>>();
        private static readonly ConditionalWeakTable<CursorHandle, Task<RawPage>> PendingRaw = new ConditionalWeakTable<CursorHandle, Task<RawPage>>();

        internal static void Start(CursorHandle cursor, Func<Page> fetch)
        {
            Pending.AddOrUpdate(cursor, Run(fetch));
        }

        /// <summary>Fetch the cursor's next page (exo_cursor_next) in the background.</summary>
        internal static void StartRaw(CursorHandle cursor)
        {
            PendingRaw.AddOrUpdate(cursor, Run(() => RawPage.Fetch(cursor)));
        }

        private static Task<T> Run<T>(Func<T> work)
        {
            // A dedicated thread (LongRunning), not the thread pool: many enumerations blocked in
            // the network at once (ForEach-Object -Parallel) would starve the pool.
            var task = new Task<T>(work, TaskCreationOptions.LongRunning);
            // A page nobody collects (the enumeration was stopped) leaves no unobserved exception.
            task.ContinueWith(t => { var ignored = t.Exception; }, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            task.Start();
            return task;
        }

        /// <summary>The page fetched ahead by StartRaw, waiting for it; null when none is pending.
        /// Only the parsing stage waits here: Ctrl+C reaches the fetch through the cursor's cancel.</summary>
        internal static RawPage TakeRaw(CursorHandle cursor)
        {
            Task<RawPage> task;
            if (!PendingRaw.TryGetValue(cursor, out task)) return null;
            PendingRaw.Remove(cursor);
            return task.GetAwaiter().GetResult();
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

        /// <summary>Drops the pages pending at both stages (the enumeration ends early; the cursor
        /// is cancelled). A page fetched ahead is freed when its fetch ends.</summary>
        internal static void Forget(CursorHandle cursor)
        {
            Pending.Remove(cursor);
            Task<RawPage> raw;
            if (PendingRaw.TryGetValue(cursor, out raw))
            {
                PendingRaw.Remove(cursor);
                raw.ContinueWith(t => { if (t.Status == TaskStatus.RanToCompletion) t.Result.Dispose(); }, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }
}
