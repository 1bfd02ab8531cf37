namespace ExoDelegated.Interop
{
    /// <summary>What the import loaded ($script:ExoNative; Get-ExoDelegatedVersion shows it).</summary>
    public sealed class NativeInfo
    {
        internal NativeInfo(string rid, string libraryPath, string nativeVersion)
        {
            Rid = rid;
            LibraryPath = libraryPath;
            NativeVersion = nativeVersion;
        }

        public string Rid { get; private set; }
        public string LibraryPath { get; private set; }
        public string NativeVersion { get; private set; }
    }
}
