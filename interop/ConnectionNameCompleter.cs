using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ExoDelegated.Interop
{
    /// <summary>Tab completion of -Connection: the names of the open connections of the
    /// calling runspace (Get-ExoDelegatedConnection), quoted when they need it.</summary>
    public sealed class ConnectionNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var results = new List<CompletionResult>();
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            using (var ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                ps.AddCommand("ExoDelegated\\Get-ExoDelegatedConnection");
                foreach (var item in ps.Invoke())
                {
                    var c = item == null ? null : item.BaseObject as ExoDelegated.Connection;
                    if (c == null || c.Name == null) continue;
                    if (!c.Name.StartsWith(word, System.StringComparison.OrdinalIgnoreCase)) continue;
                    string text = NeedsQuotes(c.Name) ? "'" + c.Name.Replace("'", "''") + "'" : c.Name;
                    results.Add(new CompletionResult(text, c.Name, CompletionResultType.ParameterValue, c.Name + ": tenant " + c.TenantId));
                }
            }
            return results;
        }

        private static bool NeedsQuotes(string name)
        {
            foreach (char ch in name)
            {
                if (char.IsWhiteSpace(ch) || "'\"$`;,(){}@|&#<>".IndexOf(ch) >= 0) return true;
            }
            return false;
        }
    }
}
