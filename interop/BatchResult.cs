namespace ExoDelegated.Interop
{
    /// <summary>What exo_batch_run returned: one result per invocation, in input order.</summary>
    public sealed class BatchResult
    {
        public InvocationResult[] Results { get; set; }
        /// <summary>$batch requests sent (retries and next pages included).</summary>
        public int Batches { get; set; }
    }
}
