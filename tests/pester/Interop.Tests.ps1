# The interop assembly's contracts with the native library: result codes equal the header's,
# error policy comes from the native error JSON, pages parse to the same PSObjects.
BeforeAll {
    $ModuleDir = Join-Path $PSScriptRoot '../../psmodule/ExoDelegated' | Resolve-Path
    Import-Module (Join-Path $ModuleDir 'ExoDelegated.psd1') -Force
    $HeaderPath = Join-Path $PSScriptRoot '../../src/exo_bridge.h'

    function Get-HeaderResultCode([string] $Header) {
        # `enum exo_result { EXO_RESULT_NULL_PARAMETER = 1, ... }` -> NullParameter = 1
        $code = [regex]::Replace($Header, '(?s)/\*.*?\*/|//[^\n]*', '')
        $body = [regex]::Match($code, '(?s)\benum exo_result\b[^{;]*\{(.*?)\}').Groups[1].Value
        foreach ($m in [regex]::Matches($body, '\bEXO_RESULT_([A-Z0-9_]+)\s*=\s*(\d+)')) {
            $name = -join ($m.Groups[1].Value.Split('_') | ForEach-Object { $_.Substring(0, 1) + $_.Substring(1).ToLowerInvariant() })
            [pscustomobject]@{ Name = $name; Value = [uint32]$m.Groups[2].Value }
        }
    }

    function Compare-ResultCode([string] $Header, [type] $Enum) {
        # Differences between the header's enum and the C# enum, as text; none when equal.
        $fromHeader = @(Get-HeaderResultCode $Header)
        if ($fromHeader.Count -eq 0) { return 'no EXO_RESULT_ members found in the header' }
        $csharp = foreach ($n in [Enum]::GetNames($Enum)) { [pscustomobject]@{ Name = $n; Value = [uint32][Enum]::Parse($Enum, $n) } }
        $h = $fromHeader | ForEach-Object { "$($_.Name)=$($_.Value)" }
        $c = $csharp | ForEach-Object { "$($_.Name)=$($_.Value)" }
        Compare-Object $h $c | ForEach-Object { '{0} only in {1}' -f $_.InputObject, $(if ($_.SideIndicator -eq '<=') { 'the header' } else { 'ResultCode' }) }
    }

    function New-NativeException([ExoDelegated.Interop.ResultCode] $Code, [string] $Message, [string] $Json) {
        $ctor = [ExoDelegated.Interop.ExoNativeException].GetConstructor(
            [Reflection.BindingFlags]'NonPublic, Instance', $null, [type[]]@([ExoDelegated.Interop.ResultCode], [string], [string]), $null)
        $ctor.Invoke(@($Code, $Message, $Json))
    }

    function Read-Page([string] $Json, [string] $TypeName, [string] $Tag, [string] $Tenant, [switch] $MultiTenant) {
        $bytes = [Text.Encoding]::UTF8.GetBytes($Json + [char]0)
        $p = [Runtime.InteropServices.Marshal]::AllocHGlobal($bytes.Length)
        try {
            [Runtime.InteropServices.Marshal]::Copy($bytes, 0, $p, $bytes.Length)
            if ($Tenant) { [ExoDelegated.Interop.PageReader]::Read($p, $TypeName, $Tag, $Tenant, [bool]$MultiTenant) }
            else { [ExoDelegated.Interop.PageReader]::Read($p, $TypeName, $Tag) }
        }
        finally { [Runtime.InteropServices.Marshal]::FreeHGlobal($p) }
    }
}

Describe 'ResultCode' {
    It 'has the members of enum exo_result in src/exo_bridge.h, name for name and number for number' {
        $diff = Compare-ResultCode (Get-Content -Raw $HeaderPath) ([ExoDelegated.Interop.ResultCode])
        $diff | Should -BeNullOrEmpty
        @(Get-HeaderResultCode (Get-Content -Raw $HeaderPath)).Count | Should -Be ([Enum]::GetNames([ExoDelegated.Interop.ResultCode]).Count)
    }

    It 'reports a renamed, renumbered or missing code (the check can fail)' {
        $header = Get-Content -Raw $HeaderPath
        Compare-ResultCode ($header -replace 'EXO_RESULT_CANCELLED = 7', 'EXO_RESULT_CANCELED = 7') ([ExoDelegated.Interop.ResultCode]) |
            Should -Contain 'Canceled=7 only in the header'
        Compare-ResultCode ($header -replace 'EXO_RESULT_PENDING = 8', 'EXO_RESULT_PENDING = 80') ([ExoDelegated.Interop.ResultCode]) |
            Should -Contain 'Pending=8 only in ResultCode'
        Compare-ResultCode ($header -replace '(?m)^\s*EXO_RESULT_INTERNAL = 18,?\s*$', '') ([ExoDelegated.Interop.ResultCode]) |
            Should -Be 'Internal=18 only in ResultCode'
    }

    It 'is what exceptions carry' {
        (New-NativeException Throttled 'slow down' '{"reason":"Throttled"}').Code | Should -Be ([ExoDelegated.Interop.ResultCode]::Throttled)
    }
}

Describe 'Error policy from the native error JSON' {
    It 'shows the category, recommended action and flags the JSON gives' {
        $e = New-NativeException ExchangeError 'no such mailbox' '{"reason":"NotFound","category":"ObjectNotFound","recommendedAction":"Check the identity.","retryable":false,"fatal":false}'
        $e.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ObjectNotFound)
        $e.RecommendedAction | Should -Be 'Check the identity.'
        $e.Retryable | Should -BeFalse
        $e.Fatal | Should -BeFalse
        $record = [ExoDelegated.Interop.ErrorMapper]::ToErrorRecord($e, 'anna')
        $record.FullyQualifiedErrorId | Should -Be 'ExoDelegated.NotFound'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.ErrorDetails.RecommendedAction | Should -Be 'Check the identity.'
        $record.TargetObject | Should -Be 'anna'
    }

    It 'follows the JSON even where the result code alone would suggest otherwise' {
        $e = New-NativeException Transient 'busy' '{"reason":"ServerBusy","category":"LimitsExceeded","retryable":true,"fatal":true}'
        $e.Category | Should -Be ([System.Management.Automation.ErrorCategory]::LimitsExceeded)
        $e.Retryable | Should -BeTrue
        $e.Fatal | Should -BeTrue
        $e.RecommendedAction | Should -BeNullOrEmpty
    }

    It 'falls back to NotSpecified for a category PowerShell does not know' {
        $e = New-NativeException ExchangeError 'x' '{"reason":"Odd","category":"NoSuchCategory","fatal":false}'
        $e.Category | Should -Be ([System.Management.Automation.ErrorCategory]::NotSpecified)
    }
}

Describe 'PageReader' {
    It 'turns a page into typed PSObjects with note properties, skipping OData annotations' {
        $json = '{"page":3,"more":true,"requestId":"r-1","warnings":["w1",{"x":1}],' +
            '"retries":[{"reason":"Throttled","attempt":2,"waitMs":1500,"requestId":"r-0"}],' +
            '"value":[{"@odata.type":"#x","Name":"a","Count":7,"Big":5000000000,"Ratio":0.5,"On":true,"Off":false,"None":null,' +
            '"Emails":["SMTP:a@x","smtp:b@x"],"Nested":{"K":"v"},"Esc\u0061ped":"e"},{"Name":"b","Count":8}]}'
        $page = Read-Page $json 'ExoDelegated.Mailbox' 'ExoDelegated.Origin#abc'
        $page.Number | Should -Be 3
        $page.More | Should -BeTrue
        $page.RequestId | Should -Be 'r-1'
        $page.Warnings | Should -Be @('w1', '{"x":1}')
        $page.Retries[0].Reason | Should -Be 'Throttled'
        $page.Retries[0].Attempt | Should -Be 2
        $page.Retries[0].WaitMs | Should -Be 1500
        $page.Records.Count | Should -Be 2
        $a = $page.Records[0]
        $a.PSObject.Properties.Name | Should -Be @('Name', 'Count', 'Big', 'Ratio', 'On', 'Off', 'None', 'Emails', 'Nested', 'Escaped')
        $a.Count | Should -BeOfType [int]
        $a.Big | Should -BeOfType [long]
        $a.Ratio | Should -Be 0.5
        $a.On | Should -BeTrue
        $a.Off | Should -BeFalse
        $a.None | Should -BeNullOrEmpty
        $a.Emails | Should -Be @('SMTP:a@x', 'smtp:b@x')
        $a.Nested.K | Should -Be 'v'
        $a.Escaped | Should -Be 'e'
        $a.PSObject.TypeNames[0] | Should -Be 'ExoDelegated.Mailbox'
        $a.PSObject.TypeNames[-1] | Should -Be 'ExoDelegated.Origin#abc'
        $page.Records[1].PSObject.Properties.Name | Should -Be @('Name', 'Count')
    }

    It 'types values from their annotations and keeps no property whose name has an @ (real Exchange rows)' {
        # Annotations before each value, as Exchange writes them (docs/PROTOCOL.md §5).
        $row = '{"Name":"adele","Guid@odata.type":"#Guid","Guid@data.type":"System.Guid","Guid":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",' +
            '"WhenCreated@data.type":"System.DateTime","WhenCreated":"2024-01-02T03:04:05+00:00",' +
            '"WhenChanged@data.type":"System.DateTime","WhenChanged":"2024-01-02T05:04:05.1234567+02:00",' +
            '"WhenChangedUTC@data.type":"System.DateTime","WhenChangedUTC":"2024-01-02T03:04:05Z",' +
            '"LitigationHoldDate@data.type":"System.DateTime","LitigationHoldDate":"2024-01-02T03:04:05",' +
            '"OldDate@data.type":"System.DateTime","OldDate":"/Date(1704164645000)/",' +
            '"RecipientSoftDeletedStatus@data.type":"System.Int32","RecipientSoftDeletedStatus":0,' +
            '"UsnCreated@odata.type":"#Int64","UsnCreated@data.type":"System.Int64","UsnCreated":12345,' +
            '"Count@data.type":"System.Int32","Count":"42",' +
            '"IsMailboxEnabled@data.type":"System.Boolean","IsMailboxEnabled":true,' +
            '"AccountDisabled@data.type":"System.Boolean","AccountDisabled":"False",' +
            '"EmailAddresses@odata.type":"#Collection(String)","EmailAddresses":["SMTP:adele@x","smtp:a@x"],' +
            '"Languages@odata.type":"#Collection(String)","Languages":"en-US",' +
            '"GrantSendOnBehalfTo@odata.type":"#Collection(String)","GrantSendOnBehalfTo":null,' +
            '"ArchiveGuid@data.type":"System.Guid","ArchiveGuid":null,' +
            '"DisabledArchiveGuid@data.type":"System.Guid","DisabledArchiveGuid":"{00000000-0000-0000-0000-000000000001}",' +
            '"Bad@data.type":"System.DateTime","Bad":"not a date",' +
            '"Quota@data.type":"Microsoft.Exchange.Data.Unlimited`1[Microsoft.Exchange.Data.ByteQuantifiedSize]","Quota":"99 GB (106,300,440,576 bytes)",' +
            '"Ids@odata.type":"#Collection(Guid)","Ids":["0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"],' +
            '"Nested":{"@odata.type":"#Exchange.GenericHashTable","At@data.type":"System.DateTime","At":"2024-01-02T03:04:05Z"},' +
            '"Members@odata.count":2,"@odata.id":"x","Gone@data.type":"System.Guid"}'
        $a = (Read-Page "{`"value`":[$row,$row]}" $null $null).Records[0]
        $names = @($a.PSObject.Properties.Name)
        $names | Where-Object { $_ -like '*@*' } | Should -BeNullOrEmpty
        $names | Should -Be @('Name', 'Guid', 'WhenCreated', 'WhenChanged', 'WhenChangedUTC', 'LitigationHoldDate', 'OldDate',
            'RecipientSoftDeletedStatus', 'UsnCreated', 'Count', 'IsMailboxEnabled', 'AccountDisabled', 'EmailAddresses', 'Languages',
            'GrantSendOnBehalfTo', 'ArchiveGuid', 'DisabledArchiveGuid', 'Bad', 'Quota', 'Ids', 'Nested')
        $a.Guid | Should -BeOfType [guid]
        $a.Guid | Should -Be ([guid]'0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0')
        $expected = [DateTime]::new(2024, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)
        foreach ($p in 'WhenCreated', 'WhenChangedUTC', 'LitigationHoldDate', 'OldDate') {
            $a.$p | Should -BeOfType [DateTime]
            $a.$p.Kind | Should -Be 'Utc' -Because $p
            $a.$p | Should -Be $expected -Because $p
        }
        $a.WhenChanged.Kind | Should -Be 'Utc'
        $a.WhenChanged | Should -Be $expected.AddTicks(1234567)
        $a.RecipientSoftDeletedStatus | Should -BeOfType [int]
        $a.UsnCreated | Should -BeOfType [long]
        $a.Count | Should -BeOfType [int]
        $a.Count | Should -Be 42
        $a.IsMailboxEnabled | Should -BeOfType [bool]
        $a.AccountDisabled | Should -BeOfType [bool]
        $a.AccountDisabled | Should -BeFalse
        , $a.EmailAddresses | Should -BeOfType [object[]]
        $a.EmailAddresses | Should -Be @('SMTP:adele@x', 'smtp:a@x')
        , $a.Languages | Should -BeOfType [object[]]
        $a.Languages | Should -Be @('en-US')
        , $a.GrantSendOnBehalfTo | Should -BeOfType [object[]]
        $a.GrantSendOnBehalfTo.Count | Should -Be 0
        $a.ArchiveGuid | Should -BeNullOrEmpty
        $a.DisabledArchiveGuid | Should -BeOfType [guid]
        $a.Bad | Should -Be 'not a date'
        $a.Quota | Should -Be '99 GB (106,300,440,576 bytes)'
        $a.Ids[0] | Should -BeOfType [guid]
        @($a.Nested.PSObject.Properties.Name) | Should -Be @('At')
        $a.Nested.At | Should -Be $expected
    }

    It 'applies annotations that come after their property, in any order, and escaped ones' {
        $json = '{"value":[{"Guid":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","Guid@data.type":"System.Guid",' +
            '"When":"2024-01-02T03:04:05Z","Name":"n","When@data.type":"System.DateTime",' +
            '"A@data.type":"System.Int32","B@data.type":"System.Int64","A":"1","B":2,' +
            '"C\u0040data.type":"System.Boolean","C":"true","D@data.type":"System.Guid","D":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}]}'
        $a = (Read-Page $json $null $null).Records[0]
        @($a.PSObject.Properties.Name) | Should -Be @('Guid', 'When', 'Name', 'A', 'B', 'C', 'D')
        $a.Guid | Should -BeOfType [guid]
        $a.When | Should -BeOfType [DateTime]
        $a.A | Should -BeOfType [int]
        $a.B | Should -BeOfType [long]
        $a.C | Should -BeOfType [bool]
        $a.D | Should -BeOfType [guid]
    }

    It 'gives every record the TypeNames the public API would, and an edit of one record stays on that record' {
        $tag = 'ExoDelegated.Origin#0123456789abcdef0123456789abcdef'
        $json = '{"value":[{"Name":"a"},{"Name":"b"},{"Name":"c"}]}'
        foreach ($multi in $false, $true) {
            $expected = [psobject]::new().PSObject.TypeNames
            $expected.Insert(0, 'ExoDelegated.Mailbox')
            if ($multi) { $expected.Insert(0, 'ExoDelegated.Mailbox#ExoTenant') }
            $expected.Add($tag)
            $records = (Read-Page $json 'ExoDelegated.Mailbox' $tag -Tenant 'contoso.example' -MultiTenant:$multi).Records
            foreach ($r in $records) { @($r.PSObject.TypeNames) | Should -Be @($expected) }
            $records[0].PSObject.TypeNames.Insert(0, 'Mine.Edited')
            $records[0].PSObject.TypeNames.Remove($tag) | Should -BeTrue
            @($records[0].PSObject.TypeNames)[0] | Should -Be 'Mine.Edited'
            @($records[1].PSObject.TypeNames) | Should -Be @($expected)
            @($records[2].PSObject.TypeNames) | Should -Be @($expected)
            $records[2].ExoTenant | Should -Be 'contoso.example'
        }
        # A page of other values than objects keeps their own .NET type names.
        $plain = (Read-Page '{"value":["s",7]}' 'ExoDelegated.Mailbox' $tag).Records
        @($plain[0].PSObject.TypeNames) | Should -Be @('ExoDelegated.Mailbox', 'System.String', 'System.Object', $tag)
        @($plain[1].PSObject.TypeNames)[1] | Should -Be 'System.Int32'
    }

    It 'shares the page''s TypeNames list and reuses note templates on this PowerShell (the public API is the fallback)' {
        # Both rely on how this PowerShell behaves (checked on probe objects at load); a
        # PowerShell that behaves otherwise gets the old path, and this test says so.
        $assembly = [ExoDelegated.Interop.PageReader].Assembly
        $assembly.GetType('ExoDelegated.Interop.SharedTypeNames').GetProperty('Available', [Reflection.BindingFlags]'NonPublic, Static').GetValue($null) | Should -BeTrue
        $assembly.GetType('ExoDelegated.Interop.NoteTemplate').GetField('Reusable', [Reflection.BindingFlags]'NonPublic, Static').GetValue($null) | Should -BeTrue
    }

    It 'gives every record its own properties: values stay apart, and a change to one record changes no other' {
        $json = '{"value":[{"Name":"a","Size":1,"When@data.type":"System.DateTime","When":"2024-01-02T03:04:05Z","Late":"1","Late@data.type":"System.Int32"},' +
            '{"Name":"b","Size":2,"When@data.type":"System.DateTime","When":"2025-01-02T03:04:05Z","Late":"2","Late@data.type":"System.Int32"},' +
            '{"Name":"c","Size":3,"When@data.type":"System.DateTime","When":"2026-01-02T03:04:05Z","Late":"3","Late@data.type":"System.Int32"}]}'
        $records = (Read-Page $json 'ExoDelegated.Mailbox' $null -Tenant 'contoso.example').Records
        $records.Name | Should -Be @('a', 'b', 'c')
        $records.Size | Should -Be @(1, 2, 3)
        $records.Late | Should -Be @(1, 2, 3)
        $records[1].Late | Should -BeOfType [int]
        $records.When.Year | Should -Be @(2024, 2025, 2026)
        $records[0].Name = 'changed'
        $records[0].ExoTenant = 'other'
        $records[1].Name | Should -Be 'b'
        $records[2].ExoTenant | Should -Be 'contoso.example'
        [object]::ReferenceEquals($records[0].PSObject.Properties['Size'], $records[1].PSObject.Properties['Size']) | Should -BeFalse
    }

    It 'reads records of different shapes in one page with their own properties, in order' {
        $json = '{"value":[{"A":1},{"A":1,"B":2,"C":3,"D":4,"E":5,"F":6,"G":7,"H":8,"I":9,"J":10,"K":11,"L":12,"M":13,"N":14,"O":15,"P":16,"Q":17,"R":18},{},{"Z":"z","Y":"y"}]}'
        $records = (Read-Page $json 'ExoDelegated.Mailbox' $null -Tenant 't').Records
        @($records[0].PSObject.Properties.Name) | Should -Be @('A', 'ExoTenant')
        @($records[1].PSObject.Properties.Name) | Should -Be @(@([char[]](65..82) | ForEach-Object { "$_" }) + 'ExoTenant')
        $records[1].R | Should -Be 18
        @($records[2].PSObject.Properties.Name) | Should -Be @('ExoTenant')
        @($records[3].PSObject.Properties.Name) | Should -Be @('Z', 'Y', 'ExoTenant')
    }

    It 'shares one string between equal short values of a page and keeps every different value as sent' {
        $long = 'L' * 200
        $values = @('UserMailbox', 'UserMailbox', 'SharedMailbox', 'usermailbox', 'abcdefgh-1-12345678', 'abcdefgh-2-12345678',
            'abcdefgh-12345678', 'x', 'y', '', 'café', 'café', 'caf\u00e9', 'UserMailbo\u0078', 'a\"b', $long, $long)
        $json = '{"value":[' + (@(0..2 | ForEach-Object {
                    '{' + (@(for ($i = 0; $i -lt $values.Count; $i++) { '"V{0}":"{1}"' -f $i, $values[$i] }) -join ',') + '}'
                }) -join ',') + ']}'
        $records = (Read-Page $json $null $null).Records
        $expected = @('UserMailbox', 'UserMailbox', 'SharedMailbox', 'usermailbox', 'abcdefgh-1-12345678', 'abcdefgh-2-12345678',
            'abcdefgh-12345678', 'x', 'y', '', 'café', 'café', 'café', 'UserMailbox', 'a"b', $long, $long)
        foreach ($r in $records) {
            for ($i = 0; $i -lt $expected.Count; $i++) { $r."V$i" | Should -BeExactly $expected[$i] -Because "V$i" }
        }
        # Shared: a repeat within a record and across records (ASCII, short, unescaped).
        [object]::ReferenceEquals($records[0].V0, $records[0].V1) | Should -BeTrue
        [object]::ReferenceEquals($records[0].V0, $records[2].V0) | Should -BeTrue
        [object]::ReferenceEquals($records[0].V2, $records[1].V2) | Should -BeTrue
        # Not shared: long values (the cache holds short ones only).
        [object]::ReferenceEquals($records[0].V15, $records[0].V16) | Should -BeFalse
    }

    It 'reads thousands of distinct values exactly (the value cache is bounded and evicts, never mixes up)' {
        $names = 0..4999 | ForEach-Object { 'user{0:d5}@contoso.example' -f $_ }
        $json = '{"value":[{"A":[' + (($names | ForEach-Object { '"' + $_ + '"' }) -join ',') + '],"B":[' + (($names | ForEach-Object { '"' + $_ + '"' }) -join ',') + ']}]}'
        $r = (Read-Page $json $null $null).Records[0]
        $r.A.Count | Should -Be 5000
        $r.B.Count | Should -Be 5000
        # Joined: one comparison instead of 10,000 (Should on arrays is slow).
        $r.A -join ',' | Should -BeExactly ($names -join ',')
        $r.B -join ',' | Should -BeExactly ($names -join ',')
    }

    It 'reads an empty last page' {
        $page = Read-Page '{"value":[],"more":false}' $null $null
        $page.Records.Count | Should -Be 0
        $page.More | Should -BeFalse
    }
}

Describe 'Paging through the native cursor' {
    BeforeAll {
        . $PSScriptRoot/ExoTestHelpers.ps1
        $emu = Start-ExoEmulator -Tenants 1 -Mailboxes 20
        $paged = Connect-TestTenant $emu -Options @{ Name = 'prefetch'; PageSize = 5 }
    }
    AfterAll {
        Disconnect-ExoDelegated -All -ErrorAction SilentlyContinue
        Stop-ExoEmulator $emu
    }

    It 'works two pages ahead of the pipeline: the next one read, the one after it fetched' {
        Reset-ExoEmulatorStats $emu
        $script:servedDuringFirst = 0
        $n = 0
        Get-EXOMailbox -Connection $paged -ResultSize Unlimited | ForEach-Object {
            if ($n++ -eq 0) {
                # Bounded wait: pages 2 and 3 arrive in the background, without asking for record 6.
                $deadline = [DateTime]::UtcNow.AddSeconds(10)
                do { $script:servedDuringFirst = (Get-ExoEmulatorStats $emu).pages.served; Start-Sleep -Milliseconds 20 }
                while ($script:servedDuringFirst -lt 3 -and [DateTime]::UtcNow -lt $deadline)
                # Never further ahead than that, however long the pipeline holds the first record.
                Start-Sleep -Milliseconds 300
                $script:servedDuringFirst = (Get-ExoEmulatorStats $emu).pages.served
            }
        }
        $n | Should -Be 20
        $script:servedDuringFirst | Should -Be 3
        (Get-ExoEmulatorStats $emu).pages.served | Should -Be 4
    }

    It 'fetches at most two pages ahead and stops with the pipeline' {
        Reset-ExoEmulatorStats $emu
        $first = @(Get-EXOMailbox -Connection $paged -ResultSize Unlimited | Select-Object -First 3)
        $first.Count | Should -Be 3
        Start-Sleep -Milliseconds 300
        (Get-ExoEmulatorStats $emu).pages.served | Should -BeLessOrEqual 3
        @(Get-EXOMailbox -Connection $paged -ResultSize Unlimited).Count | Should -Be 20
    }
}

Describe 'The commands'' shared steps (compiled)' {
    It 'selects the Minimum set, then the named sets and properties, in order, once each, any case' {
        $minimum = [ExoDelegated.Interop.PropertySets]::Get('Mailbox', 'Minimum')
        $minimum | Should -Contain 'PrimarySmtpAddress'
        $select = [ExoDelegated.Interop.PropertySets]::Select('mailbox', [string[]]('archive', 'Minimum'), [string[]]('ArchiveGuid', 'Extra1', 'extra1'))
        $select[0..($minimum.Count - 1)] | Should -Be $minimum
        $select | Should -Contain 'ArchiveDatabase'
        @($select | Where-Object { $_ -eq 'ArchiveGuid' }).Count | Should -Be 1
        @($select | Where-Object { $_ -eq 'ExternalDirectoryObjectId' }).Count | Should -Be 1
        $select[-1] | Should -BeExactly 'Extra1'
    }
    It 'asks for every property with the set All or the property *, and for a kind without sets given no properties' {
        [ExoDelegated.Interop.PropertySets]::Select('Mailbox', [string[]]('all'), $null) | Should -BeNullOrEmpty
        [ExoDelegated.Interop.PropertySets]::Select('Recipient', $null, [string[]]('*')) | Should -BeNullOrEmpty
        [ExoDelegated.Interop.PropertySets]::Select('MailboxPermission', $null, $null) | Should -BeNullOrEmpty
        [ExoDelegated.Interop.PropertySets]::Select('MailboxPermission', $null, [string[]]('User', 'AccessRights')) | Should -Be @('User', 'AccessRights')
    }
    It 'copies only the Exchange parameters given, switches as booleans, into an ordered dictionary' {
        $bound = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
        $bound['Identity'] = 'x'; $bound['Archive'] = [switch]$true; $bound['Connection'] = 'not sent'; $bound['SoftDeletedMailbox'] = [switch]$false
        $p = [ExoDelegated.Interop.ExchangeParameters]::Copy($bound, [string[]]('Identity', 'Archive', 'Filter', 'SoftDeletedMailbox'), $null)
        @($p.Keys) | Should -Be @('Identity', 'Archive', 'SoftDeletedMailbox')
        $p['Archive'] | Should -BeOfType [bool]
        $p['Archive'] | Should -BeTrue
        $p['SoftDeletedMailbox'] | Should -BeFalse
        $p['identity'] | Should -Be 'x'
    }
    It 'reads -ResultSize as a limit (Unlimited = 0) and refuses what is not one' {
        [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit('unlimited') | Should -Be 0
        [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit('250') | Should -Be 250
        { [ExoDelegated.Interop.ValidateResultSizeAttribute]::ToLimit('99999999999999999999') } | Should -Throw '*positive number*'
        { Get-EXOMailbox -ResultSize 99999999999999999999 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Get-EXOMailbox'
    }
    It 'hands out a new progress activity id each time' {
        $a = [ExoDelegated.Interop.ProgressIds]::Next()
        $b = [ExoDelegated.Interop.ProgressIds]::Next()
        $b | Should -Not -Be $a
        $a | Should -BeGreaterThan 0
    }
}
