# A ReadyToRun copy of the PowerShell that runs this script, for the benchmark's cold start.
#
# The official PowerShell packages (MSI, deb/rpm, tar.gz, the Azure Automation runtime) ship
# System.Management.Automation and its neighbours ReadyToRun-compiled: most of the engine starts
# as precompiled native code. The `dotnet tool install --global PowerShell` package is IL only,
# so every engine path is JIT-compiled the first time it runs, which triples a bare pwsh's start
# here and inflates every first-use cost a module pays. This script compiles the startup
# assemblies with crossgen2 (from NuGet, the runtime's own version) into a copy of $PSHOME, so
# that the benchmark can also measure the module as users run it.
#
# Outputs an object: Command (what to start: the copy's pwsh.dll through dotnet; empty when this
# pwsh is ReadyToRun already, so the caller keeps using it), ReadyToRun ($true when the engine is
# precompiled) and Note (what was done, or why it could not be).
param(
    # Where the copy goes (reused while it matches this pwsh's version).
    [Parameter(Mandatory)][string] $Destination,
    # Where crossgen2 is restored from NuGet.
    [Parameter(Mandatory)][string] $PackageCache
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function Test-ReadyToRun([string] $Path) {
    $stream = [System.IO.File]::OpenRead($Path)
    try {
        $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        try { $pe.PEHeaders.CorHeader -and $pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 }
        finally { $pe.Dispose() }
    }
    finally { $stream.Dispose() }
}

$sma = [System.Management.Automation.PSObject].Assembly.Location
if (Test-ReadyToRun $sma) {
    return [pscustomobject]@{ Command = @(); ReadyToRun = $true; Note = 'this pwsh is ReadyToRun already' }
}
if (-not $IsLinux -and -not $IsMacOS -and -not $IsWindows) {
    return [pscustomobject]@{ Command = $null; ReadyToRun = $false; Note = 'unknown platform' }
}

$runtimeVersion = [System.Environment]::Version.ToString()
$arch = [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
$os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
$rid = "$os-$arch"
$stamp = Join-Path $Destination '.exodelegated-r2r'
$wanted = "$($PSVersionTable.PSVersion) $runtimeVersion $rid"
$pwshDll = Join-Path $Destination 'pwsh.dll'
if ((Test-Path $stamp) -and (Get-Content -Raw $stamp).Trim() -eq $wanted -and (Test-Path $pwshDll)) {
    return [pscustomobject]@{ Command = @('dotnet', $pwshDll); ReadyToRun = $true; Note = "crossgen2 $runtimeVersion ($rid), cached" }
}

# crossgen2 for this runtime, restored like Pester (a throwaway project with PackageDownload).
$package = "Microsoft.NETCore.App.Crossgen2.$rid"
$tool = Join-Path $PackageCache "$($package.ToLowerInvariant())/$runtimeVersion/tools/$(if ($IsWindows) { 'crossgen2.exe' } else { 'crossgen2' })"
if (-not (Test-Path $tool)) {
    $proj = Join-Path $PackageCache 'crossgen2-restore'
    $null = New-Item -ItemType Directory -Force -Path $proj
    @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net$($runtimeVersion.Split('.')[0]).0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="$package" Version="[$runtimeVersion]" /></ItemGroup>
</Project>
"@ | Set-Content (Join-Path $proj 'crossgen2-restore.csproj')
    $out = & dotnet restore $proj --packages $PackageCache 2>&1
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $tool)) {
        return [pscustomobject]@{ Command = $null; ReadyToRun = $false; Note = "crossgen2 $runtimeVersion for $rid could not be restored from NuGet: $(($out | Select-Object -Last 2) -join ' ')" }
    }
}

# The assemblies a cold start runs (the official build compiles these and more).
$assemblies = 'System.Management.Automation.dll', 'Microsoft.PowerShell.ConsoleHost.dll', 'pwsh.dll',
'Microsoft.PowerShell.Commands.Utility.dll', 'Microsoft.PowerShell.Commands.Management.dll', 'Microsoft.PowerShell.Security.dll',
'Microsoft.PowerShell.CoreCLR.Eventing.dll', 'Microsoft.ApplicationInsights.dll', 'Newtonsoft.Json.dll', 'Microsoft.PowerShell.MarkdownRender.dll',
'System.Management.dll', 'Microsoft.Win32.Registry.AccessControl.dll', 'System.Security.Permissions.dll',
'System.Configuration.ConfigurationManager.dll', 'System.Diagnostics.EventLog.dll', 'System.Security.Cryptography.Pkcs.dll',
'Microsoft.Extensions.ObjectPool.dll', 'Json.More.dll', 'JsonPointer.Net.dll', 'JsonSchema.Net.dll', 'Humanizer.dll', 'Markdig.Signed.dll'
if (Test-Path $Destination) { Remove-Item -Recurse -Force $Destination }
$null = New-Item -ItemType Directory -Force -Path (Split-Path $Destination)
Copy-Item -Recurse $PSHOME $Destination
$framework = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()
$compiled = 0
foreach ($name in $assemblies) {
    $source = Join-Path $PSHOME $name
    if (-not (Test-Path $source) -or (Test-ReadyToRun $source)) { continue }
    $target = Join-Path $Destination $name
    $null = & $tool -r "$framework" -r "$PSHOME" --targetos $os --targetarch $arch -O $source -o $target 2>&1
    if ($LASTEXITCODE -eq 0) { $compiled++ }
    else { Copy-Item -Force $source $target }
}
if (-not (Test-ReadyToRun (Join-Path $Destination 'System.Management.Automation.dll'))) {
    return [pscustomobject]@{ Command = $null; ReadyToRun = $false; Note = 'crossgen2 failed on System.Management.Automation.dll' }
}
Set-Content -Path $stamp -Value $wanted
[pscustomobject]@{ Command = @('dotnet', $pwshDll); ReadyToRun = $true; Note = "crossgen2 $runtimeVersion ($rid): $compiled assemblies compiled" }
