using System;
using System.Collections.ObjectModel;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>Lets -Connection take a connection's name as well as the object: the name is
    /// looked up among the open connections of the calling runspace (the module's registry,
    /// through Get-ExoDelegatedConnection), exactly, without wildcards.</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class ConnectionTransformationAttribute : ArgumentTransformationAttribute
    {
        private const string Lookup =
            "param($n) ExoDelegated\\Get-ExoDelegatedConnection -Name ([System.Management.Automation.WildcardPattern]::Escape($n))";

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject p ? p.BaseObject : inputData;
            if (value == null || value is ExoDelegated.Connection) return value;
            // -Connection of Disconnect-ExoDelegated takes several.
            if (value is object[] many)
            {
                var resolved = new object[many.Length];
                for (int i = 0; i < many.Length; i++) resolved[i] = Transform(engineIntrinsics, many[i]);
                return resolved;
            }
            var name = value as string;
            if (name == null)
            {
                throw new ArgumentTransformationMetadataException(
                    "Expected an ExoDelegated.Connection or the name of an open connection, not a " + value.GetType().FullName + ".");
            }
            if (engineIntrinsics == null) throw new ArgumentTransformationMetadataException("Connection names can only be resolved in a PowerShell session.");
            Collection<PSObject> found = engineIntrinsics.InvokeCommand.InvokeScript(
                true, ScriptBlock.Create(Lookup), null, name);
            foreach (var item in found)
            {
                if (item != null && item.BaseObject is ExoDelegated.Connection c) return c;
            }
            throw new ArgumentTransformationMetadataException(
                "There is no open connection named '" + name + "'. Get-ExoDelegatedConnection lists the open connections; " +
                "Connect-ExoDelegated -Name '" + name + "' opens one.");
        }
    }
}
