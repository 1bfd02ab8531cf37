using System;
using System.Runtime;
using System.Threading;

namespace ExoDelegated.Interop
{
    /// <summary>Bounds the garbage a long enumeration leaves between two collections. Its
    /// records pass down the pipeline and die, but the GC collects only when its gen0 budget is
    /// spent, and that budget follows the CPU's cache size: on a machine reporting a large L3
    /// (300 MB on some cloud VMs) it lets about 90 MB of dead pages pile up, which is most of
    /// the process's peak RSS. Before each page after the first, when more than Bound bytes
    /// were allocated since the last gen0 collection and none happened, one is asked for. The
    /// enumeration no longer holds the page it wrote (PagedCommand lets go of it), so such
    /// a collection finds about one page alive, the one read ahead. Where the GC collects
    /// sooner by itself (smaller caches, a user's own settings), nothing is ever asked for; while
    /// the records are kept rather than dropped, less and less often.
    /// The cost is that page's copy at each collection. Measured over 100,000 mailboxes (6 runs,
    /// medians): 11 gen0 collections instead of 5, 30-100 ms more GC pause (1-3 %, within the
    /// run-to-run noise of the time) and 27 MiB less peak RSS; 16 MB: 44 MiB less for 110-250 ms.</summary>
    internal static class GarbageBound
    {
        /// <summary>About seven pages of 1000 full mailboxes.</summary>
        internal const long Bound = 32L << 20;

        /// <summary>The bound after collections that found most of it alive (records kept).</summary>
        internal const long MaxBound = 512L << 20;

        private static long bound = Bound;
        private static long mark;
        private static int seenCollections = -1;

        /// <summary>Called before each page of an enumeration after its first.</summary>
        internal static void BeforePage()
        {
            int collections = GC.CollectionCount(0);
            long allocated = GC.GetTotalAllocatedBytes(false);
            if (collections != Volatile.Read(ref seenCollections))
            {
                // A collection happened since the last look: count from here.
                Volatile.Write(ref mark, allocated);
                Volatile.Write(ref seenCollections, collections);
                return;
            }
            long limit = Volatile.Read(ref bound);
            if (allocated - Volatile.Read(ref mark) < limit) return;
            // A user's own choice of no (or few) collections stands.
            var mode = GCSettings.LatencyMode;
            if (mode == GCLatencyMode.NoGCRegion || mode == GCLatencyMode.LowLatency) return;
            // Not blocking: should the GC make it a full collection, it may run in the background.
            GC.Collect(0, GCCollectionMode.Forced, false);
            // Most of it still alive: the records are kept (in a variable, a list), not dropped,
            // and collecting sooner frees nothing; ask half as often, until one frees most again.
            long promoted = GC.GetGCMemoryInfo(GCKind.Ephemeral).PromotedBytes;
            Volatile.Write(ref bound, promoted > limit / 2 ? Math.Min(limit * 2, MaxBound) : Bound);
            Volatile.Write(ref mark, GC.GetTotalAllocatedBytes(false));
            Volatile.Write(ref seenCollections, GC.CollectionCount(0));
        }
    }
}
