using System;
using System.Collections.Generic;
using System.IO;

namespace ExoDelegated.Interop
{
    /// <summary>The import's work after the psm1 has loaded this assembly: which script file(s) to
    /// dot-source, and the native library for this platform, loaded and checked. In the interop
    /// rather than in script: every statement and member access of script run at import is
    /// compiled first, which cost more than the work itself (docs/BENCHMARKS.md, cold start).</summary>
    public static class ModuleLoader
    {
        /// <summary>Loads runtimes/&lt;rid&gt;/native/&lt;library&gt; of the module (once per process),
        /// checks it is the version this assembly was built for, and starts the warm-up. Fails with
        /// a message that says what to do when the platform is unsupported, the library is missing
        /// or the versions disagree.</summary>
        public static NativeInfo Initialize(string moduleRoot)
        {
            string rid = NativeRid.Current();
            string libraryPath = Path.Combine(moduleRoot, "runtimes", rid, "native", NativeRid.LibraryFile(rid));
            if (!File.Exists(libraryPath))
            {
                throw new FileNotFoundException(
                    "ExoDelegated's native library for " + rid + " is missing: '" + libraryPath + "'. " +
                    "Build it with 'pwsh ./build.ps1 build' or install a package built for " + rid + ".", libraryPath);
            }
            NativeLoader.Initialize(libraryPath);
            string nativeVersion = Bridge.NativeVersion();
            // Compared as the script did (-ne: case-insensitive).
            if (!string.Equals(nativeVersion, BuildInfo.NativeVersion, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    "ExoDelegated's interop assembly was built for native library " + BuildInfo.NativeVersion + ", but '" + libraryPath + "' is " + nativeVersion + ". " +
                    "Rebuild with 'pwsh ./build.ps1 build', or start a new PowerShell session if another version was loaded earlier.");
            }
            // The interop's per-command code is compiled on an idle core meanwhile (once per process).
            Warmup.Start();
            return new NativeInfo(rid, libraryPath, nativeVersion);
        }

        /// <summary>The files that define the module's functions: ExoDelegated.Merged.ps1 (written by
        /// 'build.ps1 build'; the package ships only it) while no file of Private/ or Public/ is newer,
        /// else those files (a source tree never built, or changed since).</summary>
        public static string[] ScriptFiles(string moduleRoot)
        {
            var sources = new List<string>();
            foreach (string dir in new[] { "Private", "Public" })
            {
                string path = Path.Combine(moduleRoot, dir);
                if (Directory.Exists(path)) sources.AddRange(Directory.GetFiles(path, "*.ps1"));
            }
            string merged = Path.Combine(moduleRoot, "ExoDelegated.Merged.ps1");
            if (!File.Exists(merged)) return sources.ToArray();
            DateTime builtUtc = File.GetLastWriteTimeUtc(merged);
            foreach (string file in sources)
            {
                if (File.GetLastWriteTimeUtc(file) > builtUtc) return sources.ToArray();
            }
            return new[] { merged };
        }
    }
}
