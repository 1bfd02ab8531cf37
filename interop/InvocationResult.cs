using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>One invocation's outcome in a batch run: every page's records, or its error.</summary>
    public sealed class InvocationResult
    {
        /// <summary>The caller's id of the invocation.</summary>
        public string Id { get; set; }
        public PSObject[] Records { get; set; }
        public string[] Warnings { get; set; }
        public RetryInfo[] Retries { get; set; }
        /// <summary>Pages the records came in (sub-requests answered with records).</summary>
        public int Pages { get; set; }
        /// <summary>Null when the invocation succeeded.</summary>
        public ExoNativeException Error { get; set; }
    }
}
