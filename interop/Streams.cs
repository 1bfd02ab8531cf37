using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>Verbose and warning lines written the way a script's Write-Verbose / Write-Warning
    /// writes them. A command given -Debug (without -Verbose, or without -WarningAction) gets
    /// PowerShell's legacy Inquire for its own WriteVerbose / WriteWarning calls: every line asks
    /// "Continue?", and in a non-interactive session (Azure Automation, pwsh -NonInteractive,
    /// a scheduled job) the question throws and the command fails. Write-Verbose and
    /// Write-Warning read $VerbosePreference / $WarningPreference instead (what -Debug,
    /// -Verbose and -WarningAction set in the command's scope), so in that one case the line
    /// goes through them, in the caller's scope; otherwise straight to the command runtime.</summary>
    public static class Streams
    {
        /// <summary>A verbose line of cmdlet (the public command whose streams it is).</summary>
        public static void Verbose(PSCmdlet cmdlet, string text)
        {
            if (!WouldInquire(cmdlet, "Verbose")) { cmdlet.WriteVerbose(text); return; }
            Write(cmdlet, "param([string] $Message) Write-Verbose -Message $Message", text);
        }

        /// <summary>A warning of cmdlet.</summary>
        public static void Warning(PSCmdlet cmdlet, string text)
        {
            if (!WouldInquire(cmdlet, "WarningAction")) { cmdlet.WriteWarning(text); return; }
            Write(cmdlet, "param([string] $Message) Write-Warning -Message $Message", text);
        }

        // A script block per call, made in the caller's runspace (PowerShell caches the parse):
        // one shared by all runspaces would be bound to the first that ran it.
        private static void Write(PSCmdlet cmdlet, string script, string text)
        {
            cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create(script), null, text);
        }

        // -Debug given and the stream's own common parameter not: the runtime would ask.
        private static bool WouldInquire(PSCmdlet cmdlet, string streamParameter)
        {
            var bound = cmdlet.MyInvocation.BoundParameters;
            object debug;
            if (!bound.TryGetValue("Debug", out debug)) return false;
            bool on = debug is SwitchParameter s ? s.IsPresent : debug is bool b && b;
            return on && !bound.ContainsKey(streamParameter);
        }
    }
}
