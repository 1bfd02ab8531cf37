using System.Collections;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>The commands' one call for a read over one or several connections: one connection
    /// goes through the paging loop (PagedCommand), several through the native fan-out
    /// (FanoutCommand).</summary>
    public static class TenantCommand
    {
        public static void Run(PSCmdlet cmdlet, ExoDelegated.Connection[] connections, string cmdletName, IDictionary parameters,
            string[] select, string typeName, long resultSize, object target, string anchorMailbox, int throttleLimit, bool dryRun)
        {
            if (connections.Length == 1)
            {
                PagedCommand.Run(cmdlet, connections[0], cmdletName, parameters, select, typeName, resultSize, target, anchorMailbox, null, null, dryRun);
                return;
            }
            FanoutCommand.Run(cmdlet, connections, cmdletName, parameters, select, typeName, resultSize, anchorMailbox, throttleLimit);
        }
    }
}
