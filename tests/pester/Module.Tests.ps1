# Module-level tests: import, manifest, exports, help completeness.
BeforeDiscovery {
    $script:ModuleDir = Join-Path $PSScriptRoot '../../psmodule/ExoDelegated' | Resolve-Path
    $manifest = Import-PowerShellDataFile (Join-Path $ModuleDir 'ExoDelegated.psd1')
    $script:Exports = $manifest.FunctionsToExport | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    $ModuleDir = Join-Path $PSScriptRoot '../../psmodule/ExoDelegated' | Resolve-Path
    $ManifestPath = Join-Path $ModuleDir 'ExoDelegated.psd1'
    Import-Module $ManifestPath -Force
}

Describe 'Manifest' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'targets PowerShell 7.2+ Core' {
        $m = Import-PowerShellDataFile $ManifestPath
        $m.PowerShellVersion | Should -Be '7.2'
        $m.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'exports explicitly named functions, no cmdlets, variables or aliases' {
        $m = Import-PowerShellDataFile $ManifestPath
        $m.FunctionsToExport | Should -Not -Contain '*'
        @($m.CmdletsToExport).Count | Should -Be 0
        @($m.AliasesToExport).Count | Should -Be 0
    }

    It 'exports exactly the files in Public/' {
        $m = Import-PowerShellDataFile $ManifestPath
        $files = Get-ChildItem (Join-Path $ModuleDir 'Public') -Filter '*.ps1' | ForEach-Object BaseName
        ($m.FunctionsToExport | Sort-Object) | Should -Be ($files | Sort-Object)
        $exported = (Get-Module ExoDelegated).ExportedFunctions.Keys
        ($exported | Sort-Object) | Should -Be ($files | Sort-Object)
    }

    It 'has the same version as the native library' {
        $m = Import-PowerShellDataFile $ManifestPath
        (Get-ExoDelegatedVersion).NativeVersion | Should -Be $m.ModuleVersion
    }
}

Describe 'Import' {
    It 'is safe to repeat (Import-Module -Force)' {
        { Import-Module $ManifestPath -Force -ErrorAction Stop } | Should -Not -Throw
        { Import-Module $ManifestPath -Force -ErrorAction Stop } | Should -Not -Throw
        (Get-ExoDelegatedVersion).NativeVersion | Should -Not -BeNullOrEmpty
    }

    It 'reports module and native versions through the C ABI' {
        $v = Get-ExoDelegatedVersion
        $v.PSObject.TypeNames[0] | Should -Be 'ExoDelegated.Version'
        $v.ModuleVersion | Should -BeOfType [version]
        $v.NativeVersion | Should -Match '^\d+\.\d+\.\d+$'
        $v.Platform | Should -Match '^(linux|osx|win)-(x64|arm64)$'
        Test-Path $v.NativeLibrary | Should -BeTrue
    }

    It 'does not compile C# at import (the interop assembly is prebuilt)' {
        $pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
        # pwsh 7.6 loads Roslyn by itself in the background, so look for what a compilation
        # leaves behind instead: an assembly that exists only in memory (Add-Type -TypeDefinition).
        $out = & $pwsh -NoProfile -NonInteractive -Command "
            `$before = [AppDomain]::CurrentDomain.GetAssemblies()
            Import-Module '$ManifestPath'
            [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_ -notin `$before -and -not `$_.IsDynamic -and -not `$_.Location } | ForEach-Object { 'compiled:' + `$_.FullName }
            'loaded:' + ([ExoDelegated.Interop.Bridge].Assembly.Location)"
        $out | Where-Object { $_ -like 'compiled:*' } | Should -BeNullOrEmpty
        ($out | Where-Object { $_ -like 'loaded:*' }) | Should -BeLike '*ExoDelegated.Interop.dll'
    }

    It 'fails with a clear message naming the platform when the native library is missing' {
        $copy = Join-Path ([IO.Path]::GetTempPath()) "exo-missing-$PID/ExoDelegated"
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $copy
        $null = New-Item -ItemType Directory -Force $copy
        Copy-Item -Recurse (Join-Path $ModuleDir '*') $copy
        Remove-Item -Recurse -Force (Join-Path $copy 'runtimes')
        $pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
        $out = & $pwsh -NoProfile -NonInteractive -Command "try { Import-Module '$copy/ExoDelegated.psd1' -ErrorAction Stop; 'imported' } catch { 'error: ' + `$_.Exception.Message }"
        Remove-Item -Recurse -Force (Split-Path $copy)
        $rid = (Get-ExoDelegatedVersion).Platform
        "$out" | Should -BeLike "error: *native library for $rid is missing*build.ps1 build*"
    }

    It 'fails with a clear message when the interop assembly does not match the native version' {
        $copy = Join-Path ([IO.Path]::GetTempPath()) "exo-mismatch-$PID/ExoDelegated"
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $copy
        $null = New-Item -ItemType Directory -Force $copy
        Copy-Item -Recurse (Join-Path $ModuleDir '*') $copy
        # The interop project built for another native version, into the copy's lib/.
        $project = Join-Path (Split-Path $copy) 'interop'
        $null = New-Item -ItemType Directory -Force $project
        Copy-Item (Join-Path $ModuleDir '../../interop/*') $project -Include '*.cs', '*.csproj'
        Remove-Item (Join-Path $copy 'lib/ExoDelegated.Interop.dll')
        $build = & dotnet build (Join-Path $project 'ExoDelegated.Interop.csproj') -c Release -nologo -v quiet -p:NativeVersion=9.9.9 -o (Join-Path $copy 'lib') 2>&1
        $LASTEXITCODE | Should -Be 0 -Because "$build"
        $pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
        $out = & $pwsh -NoProfile -NonInteractive -Command "try { Import-Module '$copy/ExoDelegated.psd1' -ErrorAction Stop; 'imported' } catch { 'error: ' + `$_.Exception.Message }"
        Remove-Item -Recurse -Force (Split-Path $copy)
        "$out" | Should -BeLike 'error: *built for native library 9.9.9*is 0.*build.ps1 build*'
    }
}

Describe 'Merged module (ExoDelegated.Merged.ps1, written by build.ps1 build)' {
    BeforeAll {
        $pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
        $publicNames = @(Get-ChildItem (Join-Path $ModuleDir 'Public') -Filter '*.ps1' | ForEach-Object BaseName | Sort-Object)
        $root = Join-Path ([IO.Path]::GetTempPath()) "exo-merged-$PID"
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $root
        # build.ps1's own Write-MergedModule, run on copies of the module: these tests do not
        # depend on whether (or how recently) this tree was built.
        $buildAst = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $ModuleDir '../../build.ps1'), [ref]$null, [ref]$null)
        $writeMerged = $buildAst.Find({ param($a) $a -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $a.Name -eq 'Write-MergedModule' }, $true)
        . ([scriptblock]::Create($writeMerged.Extent.Text))
        function Write-Step([string] $Message) { }

        function New-ModuleCopy([string] $Name, [switch] $Merged, [switch] $WithoutSources) {
            $copy = Join-Path $root "$Name/ExoDelegated"
            $null = New-Item -ItemType Directory -Force $copy
            Copy-Item -Recurse (Join-Path $ModuleDir '*') $copy -Exclude 'ExoDelegated.Merged.ps1'
            if ($Merged) { $ModuleDir = $copy; Write-MergedModule }
            if ($WithoutSources) { Remove-Item -Recurse -Force (Join-Path $copy 'Public'), (Join-Path $copy 'Private') }
            $copy
        }

        function Get-ImportedModuleFacts([string] $Copy, [switch] $Help) {
            # Imports a copy in a new process: which file defines the commands, what is
            # exported, and (-Help) the comment-based help of every exported command.
            $script = @"
Import-Module '$Copy/ExoDelegated.psd1' -ErrorAction Stop
`$m = Get-Module ExoDelegated
[pscustomobject]@{
    File     = (Get-Command Get-EXOMailbox).ScriptBlock.File
    Exported = @(`$m.ExportedFunctions.Keys | Sort-Object)
    Help     = @(foreach (`$name in `$(if (`$$Help) { `$m.ExportedFunctions.Keys | Sort-Object })) {
        `$h = Get-Help `$name -Full
        [pscustomobject]@{
            Name        = `$name
            Synopsis    = `$h.Synopsis
            Description = (`$h.Description | Out-String).Trim()
            Parameters  = @(foreach (`$p in `$h.Parameters.Parameter) { `$p.Name + ': ' + (`$p.Description | Out-String).Trim() })
            Examples    = @(foreach (`$e in `$h.Examples.Example) { `$e.Code })
        }
    })
} | ConvertTo-Json -Depth 5 -Compress
"@
            $json = & $pwsh -NoProfile -NonInteractive -Command $script
            $json | Should -Not -BeNullOrEmpty -Because "importing '$Copy' must work"
            $json | ConvertFrom-Json
        }
    }

    AfterAll { Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $root }

    It 'alone (the package: no Public/ or Private/) exports exactly the Public/*.ps1 commands, with the same help as the source files' {
        $package = Get-ImportedModuleFacts (New-ModuleCopy 'package' -Merged -WithoutSources) -Help
        $package.File | Should -BeLike '*ExoDelegated.Merged.ps1'
        @($package.Exported) | Should -Be $publicNames

        $source = Get-ImportedModuleFacts (New-ModuleCopy 'source') -Help
        $source.File | Should -BeLike '*Public?Get-EXOMailbox.ps1'
        @($source.Exported) | Should -Be $publicNames

        $source.Help.Count | Should -Be $publicNames.Count
        foreach ($h in $package.Help) {
            $h.Synopsis | Should -Not -BeLike "*$($h.Name)*[<]CommonParameters[>]*" -Because "$($h.Name) keeps its comment-based help"
            @($h.Examples).Count | Should -BeGreaterThan 0
        }
        ($package.Help | ConvertTo-Json -Depth 5) | Should -Be ($source.Help | ConvertTo-Json -Depth 5)
    }

    It 'is used next to the source files while it is current, and ignored once a source file is newer' {
        $copy = New-ModuleCopy 'current' -Merged
        (Get-ImportedModuleFacts $copy).File | Should -BeLike '*ExoDelegated.Merged.ps1'
        $newest = (Get-ChildItem (Join-Path $copy 'Private'), (Join-Path $copy 'Public') -Filter '*.ps1' | Measure-Object -Property LastWriteTimeUtc -Maximum).Maximum
        (Get-Item (Join-Path $copy 'ExoDelegated.Merged.ps1')).LastWriteTimeUtc = $newest.AddMinutes(-1)
        (Get-ImportedModuleFacts $copy).File | Should -BeLike '*Public?Get-EXOMailbox.ps1'
    }
}

Describe 'ConvertTo-ExoJson (the native connect options)' {
    It 'writes JSON that reads back unchanged: quotes, backslashes, control and non-ASCII characters, numbers, booleans' {
        $options = [ordered]@{ tenantId = "a`"b\c`n`t`u{1}d"; name = 'Zoë 東京'; empty = ''; pageSize = 250; timeoutMs = [long]30000; flag = $true; off = $false }
        $json = & (Get-Module ExoDelegated) { param($o) ConvertTo-ExoJson $o } $options
        $json | Should -Match '^\{"tenantId":'
        $back = $json | ConvertFrom-Json -AsHashtable
        foreach ($key in $options.Keys) { $back[$key] | Should -Be $options[$key] -Because $key }
        $back.Count | Should -Be $options.Count
    }
}

Describe 'Formatting, help topic and import time' {
    It 'has a table view for the output type of every command' {
        $types = foreach ($name in (Get-Module ExoDelegated).ExportedFunctions.Keys) {
            (Get-Command $name).OutputType.Name | Where-Object { $_ -like 'ExoDelegated.*' }
        }
        $types = @($types | Sort-Object -Unique)
        $types.Count | Should -BeGreaterThan 10
        foreach ($t in $types) {
            $view = Get-FormatData -TypeName $t
            $view | Should -Not -BeNullOrEmpty -Because "$t needs a view in ExoDelegated.Format.ps1xml"
            $view.FormatViewDefinition[0].Control | Should -BeOfType ([System.Management.Automation.TableControl])
        }
        (Get-FormatData -TypeName ExoDelegated.CalendarPermission) | Should -Not -BeNullOrEmpty
    }

    It 'lists the format file in FormatsToProcess' {
        (Import-PowerShellDataFile $ManifestPath).FormatsToProcess | Should -Be @('ExoDelegated.Format.ps1xml')
    }

    It 'has the about_ExoDelegated help topic' {
        $text = Get-Help about_ExoDelegated | Out-String
        foreach ($section in 'MIGRATING A REMOTE POWERSHELL RUNBOOK', 'THE KEY VAULT REFRESH TOKEN ROTATION PATTERN', 'RUNNING ACROSS TENANTS IN PARALLEL', 'TESTING RUNBOOKS AGAINST EXO-EMULATOR',
            'INSTALLING', 'USING IT BESIDE EXCHANGEONLINEMANAGEMENT', 'AZURE AUTOMATION', 'PLATFORMS') {
            $text | Should -Match $section
        }
    }
}

Describe 'Help of <Name>' -ForEach $Exports {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    }

    It 'has a synopsis' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "*$Name*[<]CommonParameters[>]*"
    }

    It 'has a description' {
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code' {
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $help.Examples.Example[0].Code | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $parameters = $command.Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($p in $parameters) {
            $ph = $help.Parameters.Parameter | Where-Object Name -eq $p
            ($ph.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "parameter -$p of $Name needs help"
        }
    }
}
