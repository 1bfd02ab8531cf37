function Get-ExoReadVerb {
    # Cmdlets whose verb is Get or Test only read (docs/ABI.md); every other verb may change state.
    param([Parameter(Mandatory)][string] $CmdletName)
    $verb = $CmdletName.Split('-', 2)[0]
    $verb -in 'Get', 'Test'
}
