using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ExoDelegated.Interop
{
    /// <summary>The module's list of Exchange Online cmdlets (Data/ExchangeOnlineCmdlets.txt):
    /// tab completion of Invoke-ExoCommand -Name, and which write cmdlets have no -WhatIf.
    /// Read once per process, on first use.</summary>
    public static class ExchangeCmdletCatalog
    {
        private static readonly Lazy<Dictionary<string, bool>> Entries = new Lazy<Dictionary<string, bool>>(Load);

        /// <summary>The data file beside the module: lib/../Data/ExchangeOnlineCmdlets.txt.</summary>
        public static string Path
        {
            get
            {
                string lib = System.IO.Path.GetDirectoryName(typeof(ExchangeCmdletCatalog).Assembly.Location) ?? ".";
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(lib, "..", "Data", "ExchangeOnlineCmdlets.txt"));
            }
        }

        public static string[] Names
        {
            get
            {
                var names = new List<string>(Entries.Value.Keys);
                names.Sort(StringComparer.OrdinalIgnoreCase);
                return names.ToArray();
            }
        }

        /// <summary>True: the cmdlet takes -WhatIf; false: listed as having none; null: not listed.</summary>
        public static bool? SupportsWhatIf(string cmdlet)
        {
            bool whatIf;
            if (cmdlet != null && Entries.Value.TryGetValue(cmdlet, out whatIf)) return whatIf;
            return null;
        }

        private static Dictionary<string, bool> Load()
        {
            var entries = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            string path = Path;
            if (!File.Exists(path)) return entries;
            foreach (string raw in File.ReadAllLines(path))
            {
                string line = raw.Trim();
                int hash = line.IndexOf('#');
                if (hash >= 0) line = line.Substring(0, hash).Trim();
                if (line.Length == 0) continue;
                string[] parts = line.Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
                bool noWhatIf = parts.Length > 1 && string.Equals(parts[1], "-NoWhatIf", StringComparison.OrdinalIgnoreCase);
                entries[parts[0]] = !noWhatIf;
            }
            return entries;
        }
    }

    /// <summary>Tab completion of Invoke-ExoCommand -Name from the module's cmdlet list.</summary>
    public sealed class ExchangeCmdletCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
            foreach (string name in ExchangeCmdletCatalog.Names)
            {
                if (pattern.IsMatch(name)) yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, name);
            }
        }
    }
}
