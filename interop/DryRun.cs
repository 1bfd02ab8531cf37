using System;
using System.Globalization;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>What -WhatIf sent to the server (WhatIf = $true) may answer, and how the module says
    /// that a cmdlet cannot be dry-run.</summary>
    public static class DryRun
    {
        /// <summary>Exchange's binding error for a cmdlet without a WhatIf parameter: nothing ran.</summary>
        public static bool IsNoWhatIfError(Exception exception)
        {
            string message = exception == null ? null : exception.Message;
            return message != null && message.IndexOf("parameter name 'WhatIf'", StringComparison.OrdinalIgnoreCase) >= 0;
        }

        /// <summary>The warning that says clearly that a cmdlet cannot be dry-run on the server and
        /// that nothing was changed. sent: WhatIf was sent and refused by Exchange (rather than
        /// known from the module's cmdlet list).</summary>
        public static string NoDryRunWarning(string cmdletName, object target, bool sent)
        {
            string why = sent
                ? "Exchange answered that " + cmdletName + " has no WhatIf parameter"
                : "Exchange's " + cmdletName + " has no WhatIf parameter (the module's cmdlet list), so it was not sent";
            string on = target == null ? "" : " (target: " + LanguagePrimitives.ConvertTo<string>(target) + ")";
            return string.Format(CultureInfo.InvariantCulture,
                "{0} cannot be dry-run on the server: {1}. Nothing was changed, and its parameters and objects were not validated{2}.",
                cmdletName, why, on);
        }
    }
}
