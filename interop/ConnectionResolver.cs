using System.Collections.Generic;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>
    /// Which connection(s) a command uses: -Connection, else the connection the piped record
    /// came from (RecordOrigin), else the module's current connection (which the script module
    /// keeps and passes in). A command with none, or with a disconnected one, ends with a
    /// terminating error that says what to do.
    /// </summary>
    public static class ConnectionResolver
    {
        /// <summary>The one connection a command uses.</summary>
        public static ExoDelegated.Connection Resolve(PSCmdlet cmdlet, ExoDelegated.Connection connection, object inputObject, ExoDelegated.Connection current)
        {
            var resolved = connection;
            if (resolved == null && inputObject != null) resolved = RecordOrigin.Get(inputObject);
            if (resolved == null) resolved = current;
            if (resolved == null)
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.Create(
                    "NotConnected", "There is no ExoDelegated connection.", ErrorCategory.ConnectionError, null,
                    "Run Connect-ExoDelegated first, or pass -Connection."));
            }
            if (resolved.State != "Connected")
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.Create(
                    "Disconnected", "The connection '" + resolved.Name + "' is disconnected.", ErrorCategory.ConnectionError, resolved.Name,
                    "Connect again with Connect-ExoDelegated."));
            }
            return resolved;
        }

        /// <summary>-Connection with one or several connections (each must be open), else as Resolve.</summary>
        public static ExoDelegated.Connection[] ResolveSet(PSCmdlet cmdlet, ExoDelegated.Connection[] connection, object inputObject, ExoDelegated.Connection current)
        {
            if (connection == null || connection.Length <= 1)
            {
                var one = connection != null && connection.Length == 1 ? connection[0] : null;
                return new[] { Resolve(cmdlet, one, inputObject, current) };
            }
            foreach (var c in connection) Resolve(cmdlet, c, null, current);
            return connection;
        }

        /// <summary>Connections piped into a listing command (Connect-ExoDelegated ... | Get-EXOMailbox)
        /// are collected, to be fanned out together in the end block: true when inputObject was one.</summary>
        public static bool AddPiped(object inputObject, List<ExoDelegated.Connection> into)
        {
            var p = inputObject as PSObject;
            var value = p != null ? p.BaseObject : inputObject;
            var c = value as ExoDelegated.Connection;
            if (c == null) return false;
            into.Add(c);
            return true;
        }
    }
}
