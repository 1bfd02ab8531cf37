using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>One page of records from a cursor.</summary>
    public sealed class Page
    {
        public PSObject[] Records { get; set; }
        public string[] Warnings { get; set; }
        public RetryInfo[] Retries { get; set; }
        public string RequestId { get; set; }
        public int Number { get; set; }
        public bool More { get; set; }
    }
}
