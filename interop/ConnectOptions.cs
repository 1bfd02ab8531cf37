using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>The options JSON of exo_connect from Connect-ExoDelegated's bound parameters. Only
    /// values given explicitly are written (the parameter defaults shown by Get-Help are the native
    /// library's, so it stays the one place that applies them); never a secret: those travel
    /// separately, as zeroed unmanaged buffers.</summary>
    internal static class ConnectOptions
    {
        /// <summary>The Environment parameter's default (Connect-ExoDelegated's param block), always sent.</summary>
        private const string DefaultEnvironment = "O365Default";

        /// <summary>RefreshToken, AppSecret, AccessToken or DeviceCode: the parameter set, the
        /// confidential RefreshToken set counting as RefreshToken.</summary>
        internal static string Credential(PSCmdlet cmdlet)
        {
            string set = cmdlet.ParameterSetName;
            return set == "RefreshTokenConfidential" ? "RefreshToken" : set;
        }

        internal static string Environment(Dictionary<string, object> bound)
        {
            string environment = Text(bound, "Environment");
            return string.IsNullOrEmpty(environment) ? DefaultEnvironment : environment;
        }

        /// <summary>tenantId and the hosts come from the script: a piped tenant, and the hosts
        /// EXODELEGATED_EMULATOR_URL may have set.</summary>
        internal static string Json(PSCmdlet cmdlet, string tenantId, string authorityHost, string exchangeHost)
        {
            var bound = cmdlet.MyInvocation.BoundParameters;
            string credential = Credential(cmdlet);
            // Written by the module's one flat-options writer (RequestWriter.Options), in this order.
            var options = new OrderedDictionary();
            options["tenantId"] = tenantId ?? "";
            options["credential"] = credential ?? "";
            options["environment"] = Environment(bound);
            string applicationId = Text(bound, "ApplicationId");
            if (!string.IsNullOrEmpty(applicationId)) options["applicationId"] = applicationId;
            // The access token already names its application; the native options still want an id.
            else if (credential == "AccessToken") options["applicationId"] = Guid.Empty.ToString();
            if (!string.IsNullOrEmpty(authorityHost)) options["authorityHost"] = authorityHost.TrimEnd('/');
            if (!string.IsNullOrEmpty(exchangeHost)) options["exchangeHost"] = exchangeHost.TrimEnd('/');
            string anchorMailbox = Text(bound, "AnchorMailbox");
            if (!string.IsNullOrEmpty(anchorMailbox)) options["anchorMailbox"] = anchorMailbox;
            AddIfBound(options, bound, "PageSize", "pageSize", 1);
            AddIfBound(options, bound, "ConnectTimeoutSec", "connectTimeoutMs", 1000);
            AddIfBound(options, bound, "TimeoutSec", "readTimeoutMs", 1000);
            AddIfBound(options, bound, "MaximumRetryCount", "maxRetries", 1);
            AddIfBound(options, bound, "MaximumRetryWaitSec", "maxRetryWaitMs", 1000);
            AddIfBound(options, bound, "ThrottleLimit", "throttleLimit", 1);
            options["clientApplication"] = "ExoDelegated";
            return RequestWriter.Options(options);
        }

        private static void AddIfBound(OrderedDictionary options, Dictionary<string, object> bound, string parameter, string option, int factor)
        {
            object value = Value(bound, parameter);
            if (value != null) options[option] = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) * factor;
        }

        internal static object Value(Dictionary<string, object> bound, string parameter)
        {
            object value;
            if (!bound.TryGetValue(parameter, out value)) return null;
            return value is PSObject p ? p.BaseObject : value;
        }

        internal static string Text(Dictionary<string, object> bound, string parameter)
        {
            return Value(bound, parameter) as string;
        }
    }
}
