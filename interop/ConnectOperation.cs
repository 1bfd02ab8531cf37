using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Security;

namespace ExoDelegated.Interop
{
    /// <summary>Connect-ExoDelegated's work for one tenant: the options, the sign-in, the connection
    /// object, its tenant's domain and its registration under its name. In the interop rather than
    /// in script: the first Connect-ExoDelegated of a session compiles every line of script it runs
    /// (docs/BENCHMARKS.md, cold start). The script keeps the module state (which connection is
    /// current), the emulator variable, tenants from the pipeline and device code sign-in.</summary>
    public static class ConnectOperation
    {
        /// <summary>Connects one tenant given by parameters (not from the pipeline) with a secret
        /// or an access token, and registers it in registry (name -> Connection), replacing and
        /// closing an older connection of the same name with a warning. Null, doing nothing, for
        /// pipeline input and device code sign-in. A failed sign-in is a terminating error of the
        /// cmdlet (ExoDelegated.&lt;Reason&gt;, targeted at the tenant).</summary>
        public static ExoDelegated.Connection Connect(PSCmdlet cmdlet, string authorityHost, string exchangeHost, IDictionary registry)
        {
            if (cmdlet.MyInvocation.ExpectingInput || cmdlet.ParameterSetName == "DeviceCode") return null;
            var bound = cmdlet.MyInvocation.BoundParameters;
            string tenantId = ConnectOptions.Text(bound, "TenantId");
            string optionsJson = Options(cmdlet, tenantId, authorityHost, exchangeHost);
            CallResult call = Bridge.TryConnect(optionsJson, Secret(bound, "RefreshToken"), Secret(bound, "ClientSecret"), Secret(bound, "AccessToken"));
            if (call.Failed) ErrorMapper.Report(cmdlet, call.Error, tenantId, true);
            string name = ConnectOptions.Text(bound, "Name");
            return Complete(cmdlet, (ConnectionHandle)call.Value, string.IsNullOrEmpty(name) ? tenantId : name,
                ConnectOptions.Text(bound, "DefaultDomainName"), registry);
        }

        /// <summary>RefreshToken, AppSecret, AccessToken or DeviceCode: how the cmdlet signs in (its
        /// parameter set; the confidential RefreshToken set counts as RefreshToken).</summary>
        public static string Credential(PSCmdlet cmdlet)
        {
            return ConnectOptions.Credential(cmdlet);
        }

        /// <summary>The options JSON of exo_connect (written to the debug stream; it holds no
        /// secret), and the verbose "Connecting to tenant ..." line.</summary>
        public static string Options(PSCmdlet cmdlet, string tenantId, string authorityHost, string exchangeHost)
        {
            string json = ConnectOptions.Json(cmdlet, tenantId, authorityHost, exchangeHost);
            cmdlet.WriteDebug("exo_connect options: " + json);
            Streams.Verbose(cmdlet, "Connecting to tenant '" + tenantId + "' (" + ConnectOptions.Environment(cmdlet.MyInvocation.BoundParameters) +
                ") with " + ConnectOptions.Credential(cmdlet) + ".");
            return json;
        }

        /// <summary>After a successful exo_connect: the connection object, its tenant's domain
        /// (defaultDomainName, or looked up for a connection made by GUID), registration under its
        /// name (the caller makes it current).</summary>
        public static ExoDelegated.Connection Complete(PSCmdlet cmdlet, ConnectionHandle handle, string name, string defaultDomainName, IDictionary registry)
        {
            var connection = new ExoDelegated.Connection(handle, name);
            if (string.IsNullOrEmpty(connection.TenantDomain) && !string.IsNullOrEmpty(defaultDomainName)) connection.SetTenantDomain(defaultDomainName);
            if (string.IsNullOrEmpty(connection.TenantDomain))
            {
                connection.LookUpTenantDomain();
                Streams.Verbose(cmdlet, "Tenant " + connection.TenantId + ": its domain (the default accepted domain) is read meanwhile; TenantDomain shows it.");
            }
            Register(cmdlet, connection, registry);
            string who = string.IsNullOrEmpty(connection.User) ? "application " + connection.ApplicationId : connection.User;
            Streams.Verbose(cmdlet, "Connected to tenant '" + connection.TenantId + "' as " + who + "; token valid until " +
                Convert.ToString(connection.TokenExpiresUtc, CultureInfo.InvariantCulture) + " UTC.");
            return connection;
        }

        // A connection already open under the same name is disconnected and replaced, with a
        // warning (a runbook that reconnects in a loop keeps working; one that reuses a name by
        // mistake is told).
        private static void Register(PSCmdlet cmdlet, ExoDelegated.Connection connection, IDictionary registry)
        {
            object entry = registry[connection.Name];
            var previous = (entry is PSObject p ? p.BaseObject : entry) as ExoDelegated.Connection;
            if (previous != null && !ReferenceEquals(previous, connection))
            {
                Streams.Warning(cmdlet, string.Format(CultureInfo.InvariantCulture,
                    "A connection named '{0}' (tenant {1}) was already open: it has been closed and replaced by the new one (tenant {2}). Use -Name to keep several connections open.",
                    connection.Name, previous.TenantId, connection.TenantId));
                previous.Disconnect();
                registry.Remove(connection.Name);
            }
            registry[connection.Name] = connection;
        }

        private static SecureString Secret(System.Collections.Generic.Dictionary<string, object> bound, string parameter)
        {
            return ConnectOptions.Value(bound, parameter) as SecureString;
        }
    }
}
