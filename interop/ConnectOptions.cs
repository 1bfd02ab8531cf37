using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;

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
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    w.WriteString("tenantId", tenantId ?? "");
                    w.WriteString("credential", credential ?? "");
                    w.WriteString("environment", Environment(bound));
                    string applicationId = Text(bound, "ApplicationId");
                    if (!string.IsNullOrEmpty(applicationId)) w.WriteString("applicationId", applicationId);
                    // The access token already names its application; the native options still want an id.
                    else if (credential == "AccessToken") w.WriteString("applicationId", Guid.Empty.ToString());
                    if (!string.IsNullOrEmpty(authorityHost)) w.WriteString("authorityHost", authorityHost.TrimEnd('/'));
                    if (!string.IsNullOrEmpty(exchangeHost)) w.WriteString("exchangeHost", exchangeHost.TrimEnd('/'));
                    string anchorMailbox = Text(bound, "AnchorMailbox");
                    if (!string.IsNullOrEmpty(anchorMailbox)) w.WriteString("anchorMailbox", anchorMailbox);
                    WriteIfBound(w, bound, "PageSize", "pageSize", 1);
                    WriteIfBound(w, bound, "ConnectTimeoutSec", "connectTimeoutMs", 1000);
                    WriteIfBound(w, bound, "TimeoutSec", "readTimeoutMs", 1000);
                    WriteIfBound(w, bound, "MaximumRetryCount", "maxRetries", 1);
                    WriteIfBound(w, bound, "MaximumRetryWaitSec", "maxRetryWaitMs", 1000);
                    WriteIfBound(w, bound, "ThrottleLimit", "throttleLimit", 1);
                    w.WriteString("clientApplication", "ExoDelegated");
                    w.WriteEndObject();
                }
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }

        private static void WriteIfBound(Utf8JsonWriter w, Dictionary<string, object> bound, string parameter, string option, int factor)
        {
            object value = Value(bound, parameter);
            if (value != null) w.WriteNumber(option, Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) * factor);
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
