# A hostile server on 127.0.0.1 (issue 14), through the whole module: pwsh -> ExoDelegated ->
# native library -> HTTP -> a tiny listener written here that answers crafted bytes. The Rust
# side of each finding is in tests/core_hostile.rs; this file checks what reaches the user.
BeforeAll {
    . $PSScriptRoot/ExoTestHelpers.ps1

    # The listener: token endpoint, a first page with hostile warnings and a nextLink, then a
    # page with a lone surrogate; an error body echoing the Authorization header for writes.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $script:url = "http://127.0.0.1:$port"
    $script:esc = [char]0x1b
    $script:hostile = "$esc]0;pwned$([char]7)$esc[2J`r`nWARNING: fake $([char]0x9b)31m gpj$([char]0x202E).exe"
    $script:server = Start-ThreadJob -ArgumentList $listener, $hostile -ScriptBlock {
        param($listener, $hostile)
        $token = 'eyJ0eXAiOiJKV1QifQ.pester-hostile-bearer.c2ln'
        $issued = 0
        while ($true) {
            try { $client = $listener.AcceptTcpClient() } catch { return }
            try {
                $stream = $client.GetStream()
                $stream.ReadTimeout = 5000
                while ($true) {
                    $head = [System.Text.StringBuilder]::new()
                    while (-not $head.ToString().EndsWith("`r`n`r`n")) {
                        $b = $stream.ReadByte()
                        if ($b -lt 0) { throw 'closed' }
                        $null = $head.Append([char]$b)
                    }
                    $text = $head.ToString()
                    $length = 0
                    if ($text -match '(?im)^content-length:\s*(\d+)') { $length = [int]$Matches[1] }
                    $buf = [byte[]]::new($length); $read = 0
                    while ($read -lt $length) { $read += $stream.Read($buf, $read, $length - $read) }
                    $path = ($text -split ' ')[1]
                    $auth = if ($text -match '(?im)^authorization:\s*(.+?)\r$') { $Matches[1] } else { '' }
                    $status = 200
                    if ($path -like '*oauth2/v2.0/token') {
                        # Every redemption rotates the refresh token, to one of another length.
                        $issued++
                        $body = @{ access_token = $token; expires_in = 3600; refresh_token = "rt-$issued-" + ('x' * ($issued % 97)) } | ConvertTo-Json -Compress
                    }
                    elseif ($text -match '(?im)^x-cmdletname:\s*Set-Mailbox') {
                        $status = 400
                        $body = "<html>you sent Authorization: $auth</html>"
                    }
                    elseif ($path -like '*skiptoken*') {
                        $body = '{"value":[{"Name":"\ud800"}]}'
                    }
                    else {
                        $next = "http://127.0.0.1:$($listener.LocalEndpoint.Port)$path" + '?$skiptoken=2'
                        $body = @{ value = @(@{ Name = 'a' }, @{ Name = 'b' }, @{ Name = 'c' }); '@odata.nextLink' = $next; '@adminapi.warnings' = @($hostile) } | ConvertTo-Json -Compress
                    }
                    $bytes = [System.Text.Encoding]::UTF8.GetBytes($body)
                    $headBytes = [System.Text.Encoding]::ASCII.GetBytes("HTTP/1.1 $status X`r`nContent-Type: application/json`r`nContent-Length: $($bytes.Length)`r`nConnection: close`r`n`r`n")
                    $stream.Write($headBytes, 0, $headBytes.Length)
                    $stream.Write($bytes, 0, $bytes.Length)
                    # One request per connection: a kept-alive one would hold this one-at-a-time server.
                    break
                }
            }
            catch { }
            finally { $client.Dispose() }
        }
    }
    $script:listener = $listener
    $script:conn = Connect-ExoDelegated -TenantId contoso.onmicrosoft.com -ApplicationId 11111111-2222-3333-4444-555555555555 `
        -RefreshToken (New-TestSecret 'rt-pester-hostile') -ClientSecret (New-TestSecret 'cs~pester hostile') `
        -AuthorityHost $url -ExchangeHost $url -Name hostile -ErrorAction Stop
}

AfterAll {
    if ($conn) { Disconnect-ExoDelegated -Connection $conn }
    $listener.Stop()
    $server | Wait-Job -Timeout 10 | Remove-Job -Force
}

Describe 'A hostile server' {
    It 'cannot reach the terminal with escape sequences or bidi controls, and a page no reader accepts ends the enumeration with an ExoDelegated error saying where it stopped' {
        $w = $null; $e = $null
        $records = @(Get-EXOMailbox -Connection $conn -ResultSize Unlimited -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e -ErrorAction SilentlyContinue)
        $records.Count | Should -Be 3
        $w.Count | Should -Be 1
        $text = $w[0].Message
        $text | Should -Match 'WARNING: fake'
        $text | Should -Match 'gpj\.exe'
        foreach ($c in $text.ToCharArray()) {
            ([char]::IsControl($c) -or ($c -ge [char]0x202A -and $c -le [char]0x202E) -or ($c -ge [char]0x2066 -and $c -le [char]0x2069)) | Should -BeFalse -Because ('U+{0:X4} is in the warning' -f [int]$c)
        }
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'ExoDelegated.MalformedResponse,Get-EXOMailbox'
        $e[0].Exception.Message | Should -Match 'page 2 was refused'
        $e[0].Exception.Message | Should -Match 'surrogate'
        $e[0].Exception.Message | Should -Match '1 page with 3 record\(s\) was delivered before it'
    }

    It 'never shows the bearer token it echoes back' {
        $e = $null
        Invoke-ExoCommand -Connection $conn Set-Mailbox @{ Identity = 'x'; CustomAttribute1 = 'y' } -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $all = ConvertTo-TestText $e
        $all | Should -Match '<redacted>'
        $all | Should -Not -Match 'pester-hostile-bearer'
    }
}

Describe 'Refresh-token export while the token rotates' {
    It 'always returns one whole token the server issued, never a stale length, a NUL or garbage' {
        # Another runspace connects the same credential to ever new tenants: each connect
        # redeems and rotates the credential's newest token to one of a different length.
        $manifest = $ModuleManifest
        $rotator = Start-ThreadJob -ArgumentList $manifest, $url -ScriptBlock {
            param($manifest, $url)
            Import-Module $manifest
            $rt = ConvertTo-SecureString 'rt-pester-hostile' -AsPlainText -Force
            $cs = ConvertTo-SecureString 'cs~pester hostile' -AsPlainText -Force
            foreach ($i in 1..30) {
                $c = Connect-ExoDelegated -TenantId "t$i.onmicrosoft.com" -ApplicationId 11111111-2222-3333-4444-555555555555 `
                    -RefreshToken $rt -ClientSecret $cs -AuthorityHost $url -ExchangeHost $url -Name "r$i" -ErrorAction Stop
                Disconnect-ExoDelegated -Connection $c
            }
        }
        $bad = [System.Collections.Generic.List[string]]::new()
        $exports = 0
        while ($rotator.State -eq 'Running' -or $rotator.State -eq 'NotStarted') {
            $s = Export-ExoDelegatedRefreshToken -Connection $conn -ErrorAction Stop
            $t = ConvertFrom-TestSecret $s
            $exports++
            if ($t -notmatch '^rt-(\d+)-(x*)$' -or $Matches[2].Length -ne ([int]$Matches[1] % 97)) { $bad.Add($t) }
            $s = Export-ExoDelegatedRefreshToken -ErrorAction Stop
            $t = ConvertFrom-TestSecret $s
            if ($t -notmatch '^rt-(\d+)-(x*)$' -or $Matches[2].Length -ne ([int]$Matches[1] % 97)) { $bad.Add($t) }
        }
        # The job's state can read as no longer Running a moment before it is finished (seen under
        # heavy load): wait for it, bounded, before receiving and removing it.
        $null = $rotator | Wait-Job -Timeout 120
        $rotator | Receive-Job -ErrorAction Stop
        $rotator | Remove-Job -Force
        $exports | Should -BeGreaterThan 20
        $bad | Should -BeNullOrEmpty
        # The last rotation is what the newest export returns now.
        ConvertFrom-TestSecret (Export-ExoDelegatedRefreshToken) | Should -Match '^rt-\d+-x*$'
    }
}

Describe 'The interop page reader' {
    It 'turns a page it cannot read into ExoDelegated.MalformedResponse, never a reader exception' {
        foreach ($json in '{"value":[{"Name":"\ud800"}]}', ('{"value":[' + ('[' * 300) + (']' * 300) + ']}'), '{"value":[{"a":') {
            $bytes = [System.Text.Encoding]::UTF8.GetBytes($json + [char]0)
            $p = [System.Runtime.InteropServices.Marshal]::AllocHGlobal($bytes.Length)
            try {
                [System.Runtime.InteropServices.Marshal]::Copy($bytes, 0, $p, $bytes.Length)
                $err = $null
                try { $null = [ExoDelegated.Interop.PageReader]::ReadChecked($p, 'X') } catch { $err = $_.Exception.InnerException }
                $err | Should -BeOfType ([ExoDelegated.Interop.ExoNativeException])
                $err.Reason | Should -Be 'MalformedResponse'
            }
            finally { [System.Runtime.InteropServices.Marshal]::FreeHGlobal($p) }
        }
    }
}
