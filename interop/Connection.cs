using System;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using System.Threading;
using ExoDelegated.Interop;

namespace ExoDelegated
{
    /// <summary>One connection to one customer tenant. Holds no secret: the tokens stay in
    /// the native library. The handle is hidden from formatting and Get-Member.</summary>
    public sealed class Connection
    {
        private readonly object gate = new object();
        private string state = "Connected";

        public Connection(ConnectionHandle handle, string name)
        {
            if (handle == null || handle.IsInvalid) throw new ArgumentException("a valid connection handle is required", "handle");
            Handle = handle;
            Id = Guid.NewGuid();
            ConnectedUtc = DateTime.UtcNow;
            Refresh();
            Name = string.IsNullOrEmpty(name) ? TenantId : name;
            Guid unused;
            // Connected by domain: that is the domain. By GUID: the module learns it (SetTenantDomain).
            if (TenantId != null && !Guid.TryParse(TenantId, out unused)) tenantDomain = TenantId;
            Interlocked.Increment(ref open);
        }

        private static int open;

        /// <summary>Connections open in this process (all runspaces). Records show their tenant
        /// in the default table view when more than one is open.</summary>
        public static int OpenCount { get { return Volatile.Read(ref open); } }

        private string tenantDomain;
        private TenantDomainLookup.Background domainLookup;
        // How long reading TenantDomain waits for a lookup still under way: it takes one request;
        // a server that does not answer within this leaves the domain unknown, and nothing hangs.
        private static readonly TimeSpan DomainWait = TimeSpan.FromSeconds(10);

        /// <summary>The tenant's domain: the one connected to, or, for a connection made by
        /// GUID, the tenant's default accepted domain when Exchange could tell (else null). The
        /// lookup runs while the runbook goes on; reading this waits for it.</summary>
        public string TenantDomain
        {
            get
            {
                TenantDomainLookup.Background lookup;
                lock (gate) { lookup = domainLookup; }
                if (lookup != null && lookup.Result.Wait(DomainWait))
                {
                    lock (gate)
                    {
                        if (ReferenceEquals(domainLookup, lookup))
                        {
                            domainLookup = null;
                            if (tenantDomain == null && !string.IsNullOrEmpty(lookup.Result.Result)) tenantDomain = lookup.Result.Result;
                        }
                    }
                }
                lock (gate) { return tenantDomain; }
            }
        }

        /// <summary>Starts looking up the tenant's default accepted domain (Get-AcceptedDomain) for a
        /// connection made by GUID, without waiting for it: a runbook connecting to hundreds of
        /// tenants by id does not pay one more round trip per tenant. Best effort: a failure (no
        /// permission to read accepted domains) leaves TenantDomain empty.</summary>
        internal void LookUpTenantDomain()
        {
            lock (gate)
            {
                if (tenantDomain != null || domainLookup != null || Handle.IsClosed) return;
                domainLookup = new TenantDomainLookup.Background(Handle);
            }
        }

        /// <summary>The Exchange endpoint when it is not the cloud's default (the emulator, a
        /// proxy); null for the default endpoint of Environment.</summary>
        public string Endpoint
        {
            get
            {
                string host = ExchangeHost;
                if (string.IsNullOrEmpty(host)) return null;
                string standard = DefaultExchangeHost(Environment);
                return standard != null && string.Equals(host.TrimEnd('/'), standard, StringComparison.OrdinalIgnoreCase) ? null : host;
            }
        }

        /// <summary>The tenant as records carry it (ExoTenant): the tenant id as connected.</summary>
        public string ExoTenant { get { return TenantId; } }

        public void SetTenantDomain(string domain)
        {
            if (string.IsNullOrEmpty(domain)) return;
            lock (gate) { tenantDomain = domain; }
        }

        private static string DefaultExchangeHost(string environment)
        {
            switch (environment)
            {
                case "O365Default": return "https://outlook.office365.com";
                case "O365USGovGCCHigh": return "https://outlook.office365.us";
                case "O365USGovDoD": return "https://outlook-dod.office365.us";
                case "O365China": return "https://partner.outlook.cn";
                default: return null;
            }
        }

        public string Name { get; private set; }
        public string TenantId { get; private set; }
        public string Environment { get; private set; }
        /// <summary>RefreshToken, AppSecret, AccessToken or DeviceCode.</summary>
        public string Credential { get; private set; }
        /// <summary>The signed-in user for delegated connections; null for app-only.</summary>
        public string User { get; private set; }
        public string ApplicationId { get; private set; }
        public DateTime? TokenExpiresUtc { get; private set; }
        /// <summary>True once the identity platform returned a new refresh token: store it (Export-ExoDelegatedRefreshToken).</summary>
        public bool RefreshTokenRotated { get; private set; }
        public string State { get { lock (gate) { return Handle.IsClosed ? "Disconnected" : state; } } }
        public string AuthorityHost { get; private set; }
        public string ExchangeHost { get; private set; }
        public string AnchorMailbox { get; private set; }
        public int PageSize { get; private set; }
        /// <summary>The connection's request window: how many of its requests may be in flight at once.</summary>
        public int ThrottleLimit { get; private set; }
        public DateTime ConnectedUtc { get; private set; }
        public Guid Id { get; private set; }

        [Hidden]
        public ConnectionHandle Handle { get; private set; }

        /// <summary>Re-reads token expiry, rotation and state from the native library.</summary>
        public void Refresh()
        {
            lock (gate)
            {
                if (Handle.IsClosed || state == "Disconnected") { state = "Disconnected"; return; }
                string json;
                try { json = Bridge.ConnectionInfo(Handle); }
                catch (ExoNativeException e)
                {
                    if (e.Code == ResultCode.InvalidHandle) { state = "Disconnected"; return; }
                    throw;
                }
                catch (ObjectDisposedException) { state = "Disconnected"; return; }
                using (var doc = JsonDocument.Parse(json))
                {
                    var r = doc.RootElement;
                    TenantId = JsonFields.Str(r, "tenantId") ?? TenantId;
                    Environment = JsonFields.Str(r, "environment") ?? Environment;
                    AuthorityHost = JsonFields.Str(r, "authorityHost") ?? AuthorityHost;
                    ExchangeHost = JsonFields.Str(r, "exchangeHost") ?? ExchangeHost;
                    ApplicationId = JsonFields.Str(r, "applicationId") ?? ApplicationId;
                    Credential = JsonFields.Str(r, "credential") ?? Credential;
                    User = JsonFields.Str(r, "user") ?? User;
                    AnchorMailbox = JsonFields.Str(r, "anchorMailbox") ?? AnchorMailbox;
                    PageSize = JsonFields.Int(r, "pageSize") ?? PageSize;
                    ThrottleLimit = JsonFields.Int(r, "throttleLimit") ?? ThrottleLimit;
                    RefreshTokenRotated = JsonFields.Bool(r, "refreshTokenRotated") ?? RefreshTokenRotated;
                    var expires = JsonFields.Str(r, "tokenExpiresUtc");
                    DateTime when;
                    if (expires != null && DateTime.TryParse(expires, CultureInfo.InvariantCulture,
                            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out when))
                    {
                        TokenExpiresUtc = DateTime.SpecifyKind(when, DateTimeKind.Utc);
                    }
                    if (JsonFields.Bool(r, "connected") == false) state = "Disconnected";
                }
            }
        }

        /// <summary>Signs out and frees the native connection; later commands on it fail with InvalidHandle.</summary>
        public void Disconnect()
        {
            lock (gate)
            {
                if (domainLookup != null) domainLookup.Cancel();
                if (!Handle.IsClosed)
                {
                    Bridge.Disconnect(Handle);
                    Handle.Dispose();
                    Interlocked.Decrement(ref open);
                }
                state = "Disconnected";
            }
        }

        public override string ToString() { return Name; }

    }
}
