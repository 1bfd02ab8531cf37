namespace ExoDelegated.Interop
{
    /// <summary>Versions this assembly was built for. NativeVersion (the native library's
    /// version, from Cargo.toml) is generated at build time: see the project file.</summary>
    public static partial class BuildInfo
    {
    }
}
