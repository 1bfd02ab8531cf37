using System.Threading;

namespace ExoDelegated.Interop
{
    /// <summary>Activity ids for Write-Progress: each long-running enumeration, fan-out or
    /// per-item loop gets its own bar, so nested ones do not overwrite each other.</summary>
    public static class ProgressIds
    {
        private static int last;

        /// <summary>A new activity id (1, 2, ...).</summary>
        public static int Next()
        {
            // Ids wrap long after any session could notice; 0 is never handed out.
            int id = Interlocked.Increment(ref last) & int.MaxValue;
            return id == 0 ? Next() : id;
        }
    }
}
