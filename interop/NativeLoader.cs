using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ExoDelegated.Interop
{
    /// <summary>Points DllImport("exo_bridge") at the module's runtimes/&lt;rid&gt;/native library.</summary>
    public static class NativeLoader
    {
        private static readonly object Gate = new object();
        private static string loadedPath;
        private static IntPtr handle;

        public static string LoadedPath { get { return loadedPath; } }

        /// <summary>Load the native library once per process; later calls must name the same file.</summary>
        public static void Initialize(string libraryPath)
        {
            lock (Gate)
            {
                if (loadedPath != null)
                {
                    if (!string.Equals(Path.GetFullPath(libraryPath), loadedPath, StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException(string.Format(
                            "The ExoDelegated native library is already loaded from '{0}' in this process; " +
                            "it cannot also be loaded from '{1}'. Start a new PowerShell session to switch versions.",
                            loadedPath, libraryPath));
                    }
                    return;
                }
                string full = Path.GetFullPath(libraryPath);
                handle = NativeLibrary.Load(full);
                NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);
                loadedPath = full;
            }
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        {
            return name == NativeMethods.Library ? handle : IntPtr.Zero;
        }
    }
}
