namespace ExoDelegated.Interop
{
    /// <summary>A prepared exo_batch (many invocations of one connection through $batch).</summary>
    public sealed class BatchHandle : ExoHandle
    {
        protected override bool ReleaseHandle() { NativeMethods.exo_batch_free(handle); return true; }
    }
}
