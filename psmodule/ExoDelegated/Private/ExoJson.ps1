function ConvertTo-ExoJson {
    # A flat dictionary of strings, integers and booleans (the native connect options) as a
    # JSON object, written by the interop (RequestWriter.Options). Not ConvertTo-Json: its first
    # call loads and compiles a JSON library; nor a script loop with regular expressions: the
    # first Regex of a process costs about a tenth of a second. Both were paid by every cold
    # start (docs/BENCHMARKS.md).
    param([Parameter(Mandatory)][System.Collections.IDictionary] $Dictionary)
    [ExoDelegated.Interop.RequestWriter]::Options($Dictionary)
}
