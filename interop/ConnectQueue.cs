using System;
using System.Collections.Generic;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace ExoDelegated.Interop
{
    /// <summary>One connect of a ConnectQueue: what it was for (State, from the script) and its outcome.</summary>
    public sealed class PendingConnect
    {
        public object State { get; internal set; }
        internal Task<CallResult> Task { get; set; }
        /// <summary>The finished connect (a ConnectionHandle, or the error). Null while it runs.</summary>
        public CallResult Result { get { return Task.IsCompleted ? Task.Result : null; } }
    }

    /// <summary>Connects to many tenants at once (Get-ExoDelegatedCustomer | Connect-ExoDelegated):
    /// each exo_connect (one token request) runs on its own thread, at most Limit at a time, and
    /// the script takes the results back in the order the tenants came. Bounded waits, so the
    /// script notices Ctrl+C between them.</summary>
    public sealed class ConnectQueue
    {
        private readonly SemaphoreSlim gate;
        private readonly Queue<PendingConnect> pending = new Queue<PendingConnect>();

        public ConnectQueue(int limit)
        {
            gate = new SemaphoreSlim(Math.Max(1, limit));
        }

        public int Count { get { return pending.Count; } }

        public void Start(string optionsJson, SecureString refreshToken, SecureString clientSecret, object state)
        {
            var item = new PendingConnect { State = state };
            // A dedicated thread per admitted connect (not the thread pool, which many blocking
            // calls would starve), started only once one of the Limit slots is free.
            item.Task = gate.WaitAsync().ContinueWith(_ =>
            {
                try { return Bridge.TryConnect(optionsJson, refreshToken, clientSecret, null); }
                finally { gate.Release(); }
            }, CancellationToken.None, TaskContinuationOptions.LongRunning, TaskScheduler.Default);
            pending.Enqueue(item);
        }

        /// <summary>The oldest connect once it has finished (waiting at most timeoutMs), else null.</summary>
        public PendingConnect TakeNext(int timeoutMs)
        {
            if (pending.Count == 0) return null;
            var head = pending.Peek();
            if (!head.Task.Wait(Math.Max(0, timeoutMs))) return null;
            return pending.Dequeue();
        }

        /// <summary>Connections that finished but were not taken (the pipeline was stopped): closed.</summary>
        public void Abandon()
        {
            while (pending.Count > 0)
            {
                var item = pending.Dequeue();
                item.Task.ContinueWith(t =>
                {
                    var handle = t.Result.Value as ConnectionHandle;
                    if (handle != null) handle.Dispose();
                }, TaskScheduler.Default);
            }
        }
    }
}
