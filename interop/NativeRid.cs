using System;
using System.Runtime.InteropServices;

namespace ExoDelegated.Interop
{
    /// <summary>The runtime identifier (RID) of this process and the native file names for a RID,
    /// for the module's import (ModuleLoader). The same mapping as tools/Get-ExoNativeRid.ps1,
    /// which build.ps1 and tools/ use before this assembly exists: tests/pester/NativeRid.Tests.ps1
    /// checks that the two agree for all six RIDs, so change both together.</summary>
    public static class NativeRid
    {
        private static readonly string[] Supported = { "win-x64", "win-arm64", "linux-x64", "linux-arm64", "osx-x64", "osx-arm64" };

        /// <summary>This process's RID; PlatformNotSupportedException for anything but the six supported.</summary>
        public static string Current()
        {
            string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : null;
            string arch = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "x64"
                : RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64"
                : null;
            string rid = os != null && arch != null ? os + "-" + arch : "";
            Check(rid, RuntimeInformation.OSDescription + " (" + RuntimeInformation.ProcessArchitecture + ")");
            return rid;
        }

        /// <summary>The file cargo writes for the cdylib on the RID's OS.</summary>
        public static string LibraryFile(string rid)
        {
            Check(rid, "RID '" + rid + "'");
            return rid.StartsWith("win-", StringComparison.Ordinal) ? "exo_bridge.dll"
                : rid.StartsWith("osx-", StringComparison.Ordinal) ? "libexo_bridge.dylib"
                : "libexo_bridge.so";
        }

        /// <summary>The file name of exo-emulator on the RID's OS.</summary>
        public static string EmulatorFile(string rid)
        {
            Check(rid, "RID '" + rid + "'");
            return rid.StartsWith("win-", StringComparison.Ordinal) ? "exo-emulator.exe" : "exo-emulator";
        }

        private static void Check(string rid, string platform)
        {
            if (Array.IndexOf(Supported, rid) < 0)
            {
                throw new PlatformNotSupportedException(
                    "ExoDelegated does not support this platform: " + platform + ". Supported: " + string.Join(", ", Supported) + ".");
            }
        }
    }
}
