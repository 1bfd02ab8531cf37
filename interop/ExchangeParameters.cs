using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>The Exchange cmdlet parameters of a request, taken from a command's bound parameters.</summary>
    public static class ExchangeParameters
    {
        /// <summary>The bound parameters named (only those given), switches as booleans, added to
        /// into (a new ordered dictionary when null), which is returned.</summary>
        public static IDictionary Copy(IDictionary boundParameters, string[] names, IDictionary into)
        {
            if (into == null) into = new OrderedDictionary(System.StringComparer.OrdinalIgnoreCase);
            foreach (string n in names)
            {
                if (!boundParameters.Contains(n)) continue;
                object value = boundParameters[n];
                object inner = value is PSObject p ? p.BaseObject : value;
                if (inner is SwitchParameter s) value = s.IsPresent;
                into[n] = value;
            }
            return into;
        }
    }
}
