namespace ExoDelegated.Interop
{
    /// <summary>The native library's result codes: `enum exo_result` of src/exo_bridge.h, named like
    /// the Rust `ExoResult` members. tests/pester/Interop.Tests.ps1 checks this list against the header.</summary>
    public enum ResultCode : uint
    {
        Ok = 0,
        NullParameter = 1,
        InvalidUtf8 = 2,
        InvalidArgument = 3,
        Panic = 4,
        InvalidHandle = 5,
        BufferTooSmall = 6,
        Cancelled = 7,
        Pending = 8,
        InsecureEndpoint = 9,
        AuthFailed = 10,
        ExchangeError = 11,
        Throttled = 12,
        Transient = 13,
        Network = 14,
        Timeout = 15,
        PageExpired = 16,
        Unauthorized = 17,
        Internal = 18,
    }
}
