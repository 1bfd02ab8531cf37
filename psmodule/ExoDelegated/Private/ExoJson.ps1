function ConvertTo-ExoJson {
    # A flat dictionary of strings, integers and booleans (the native connect options) as a
    # JSON object. Not ConvertTo-Json: its first call loads and compiles a JSON library, a
    # quarter second of every cold start (docs/BENCHMARKS.md).
    param([Parameter(Mandatory)][System.Collections.IDictionary] $Dictionary)
    $json = [System.Text.StringBuilder]::new('{')
    foreach ($entry in $Dictionary.GetEnumerator()) {
        if ($json.Length -gt 1) { $null = $json.Append(',') }
        $null = $json.Append((ConvertTo-ExoJsonString $entry.Key)).Append(':')
        $value = $entry.Value
        if ($value -is [bool]) { $null = $json.Append($(if ($value) { 'true' } else { 'false' })) }
        elseif ($value -is [int] -or $value -is [long]) { $null = $json.Append($value.ToString([cultureinfo]::InvariantCulture)) }
        else { $null = $json.Append((ConvertTo-ExoJsonString "$value")) }
    }
    $json.Append('}').ToString()
}

function ConvertTo-ExoJsonString {
    # A JSON string literal: quotes, backslashes and control characters as \u escapes.
    param([Parameter(Mandatory)][AllowEmptyString()][string] $Text)
    # Most values need no escape; the script-block evaluator costs milliseconds per call.
    if ($Text -notmatch '[\x00-\x1f"\\]') { return '"' + $Text + '"' }
    '"' + [regex]::Replace($Text, '[\x00-\x1f"\\]', { param($m) '\u{0:x4}' -f [int][char]$m.Value }) + '"'
}
