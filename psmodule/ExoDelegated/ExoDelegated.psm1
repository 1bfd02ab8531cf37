# ExoDelegated: Exchange Online admin cmdlets over delegated partner access
# (GDAP/AOBO, Secure Application Model), backed by the exo_bridge native library.
Set-StrictMode -Version 3.0

# The interop assembly (interop/, built by 'build.ps1 build' with dotnet) ships prebuilt in lib/;
# importing never runs a compiler. It is loaded before the functions are parsed: PowerShell resolves
# the type names a script uses ([ExoDelegated.Interop.Bridge], ...) while parsing it, and a type not
# loaded yet is searched for in every loaded assembly, at each use (a tenth of a second per import).
if (-not ('ExoDelegated.Interop.Bridge' -as [type])) {
    # Loaded first, checked on failure: each .NET call made here costs a compilation of its own.
    try { $null = [System.Reflection.Assembly]::LoadFrom("$PSScriptRoot/lib/ExoDelegated.Interop.dll") }
    catch {
        $interop = [System.IO.Path]::Combine($PSScriptRoot, 'lib', 'ExoDelegated.Interop.dll')
        if (-not [System.IO.File]::Exists($interop)) {
            throw [System.IO.FileNotFoundException]::new(
                "ExoDelegated's interop assembly is missing: '$interop'. Build it with 'pwsh ./build.ps1 build'.", $interop)
        }
        throw
    }
}

# The rest of the import is the interop's (ModuleLoader): script run here is compiled first,
# statement by statement, which cost more than the work. It fails the import with a clear message
# when the platform is unsupported, the native library is missing or its version is not the one
# the interop was built for. Safe to repeat, and in many runspaces of one process: the interop
# assembly and the native library are loaded once per process.
# (A .NET method's exception reaches script wrapped in a MethodInvocationException: unwrapped.)
try { $script:ExoNative = [ExoDelegated.Interop.ModuleLoader]::Initialize($PSScriptRoot) }
catch {
    if ($_.Exception.InnerException) { throw $_.Exception.InnerException }
    throw
}

# The functions come from Private/ and Public/. `pwsh ./build.ps1 build` merges those files
# into ExoDelegated.Merged.ps1 (git-ignored; the package ships only it): one file to read
# and parse instead of one per function makes the import faster. A source tree without a current merged
# file (never built, or a source file changed since) dot-sources the source files instead.
foreach ($file in [ExoDelegated.Interop.ModuleLoader]::ScriptFiles($PSScriptRoot)) { . $file }

# The module's state, one per runspace that imports it (set here rather than by functions: the first
# call of a function is compiled first). The open connections by name and the current one
# (Private/ExoConnectionRegistry.ps1): connection objects themselves (and the native library behind
# them) are shared by the whole process, so a connection made in one runspace can be passed to
# another ($using:).
$script:ExoConnections = [System.Collections.Specialized.OrderedDictionary]::new([System.StringComparer]::OrdinalIgnoreCase)
$script:ExoCurrentConnection = $null
# The emulators Start-ExoDelegatedEmulator started (Private/ExoEmulatorRegistry.ps1): they stop with
# the module and with PowerShell. The PowerShell-exit subscription is made by Register-ExoEmulator
# with the first emulator: the eventing machinery's first use costs about a tenth of a second,
# which every import paid.
$script:ExoModuleRoot = $PSScriptRoot
$script:ExoEmulators = [System.Collections.Generic.List[object]]::new()
$script:ExoEmulatorExitSubscriber = $null
$ExecutionContext.SessionState.Module.OnRemove = {
    Stop-ExoEmulatorList $script:ExoEmulators
    $subscriber = $script:ExoEmulatorExitSubscriber
    if ($subscriber) {
        Unregister-Event -SubscriptionId $subscriber.Id -ErrorAction SilentlyContinue
        Remove-Job -Id $subscriber.Id -Force -ErrorAction SilentlyContinue
    }
}
