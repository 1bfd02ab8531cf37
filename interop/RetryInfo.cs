
namespace ExoDelegated.Interop
{
    /// <summary>A retry the native core made, for -Verbose.</summary>
    public sealed class RetryInfo
    {
        public string Reason { get; set; }
        public int Attempt { get; set; }
        public long WaitMs { get; set; }
        public string RequestId { get; set; }
    }
}
