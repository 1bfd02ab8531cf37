using System;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>TEMPORARY: the error policy the native library decides once its error JSON carries
    /// `category`, `recommendedAction`, `retryable` and `fatal` (branch core). Used only for a
    /// field the JSON lacks; delete this file when every native error carries them.</summary>
    internal static class ErrorPolicyFallback
    {
        internal static void Apply(ExoNativeException e, bool category, bool fatal)
        {
            e.SetFallbackPolicy(category ? Category(e) : (ErrorCategory?)null,
                category ? RecommendedAction(e) : null,
                fatal ? IsFatal(e.Code) : (bool?)null);
        }

        private static bool IsFatal(ResultCode code)
        {
            switch (code)
            {
                case ResultCode.NullParameter: case ResultCode.InvalidUtf8: case ResultCode.InvalidArgument:
                case ResultCode.Panic: case ResultCode.InvalidHandle: case ResultCode.Cancelled:
                case ResultCode.InsecureEndpoint: case ResultCode.AuthFailed: case ResultCode.Unauthorized:
                    return true;
                default:
                    return false;
            }
        }

        private static ErrorCategory Category(ExoNativeException e)
        {
            switch (e.Code)
            {
                case ResultCode.NullParameter: case ResultCode.InvalidUtf8: case ResultCode.InvalidArgument: return ErrorCategory.InvalidArgument;
                case ResultCode.InvalidHandle: return ErrorCategory.InvalidOperation;
                case ResultCode.Cancelled: return ErrorCategory.OperationStopped;
                case ResultCode.InsecureEndpoint: return ErrorCategory.SecurityError;
                case ResultCode.AuthFailed: return AuthCategory(e);
                case ResultCode.ExchangeError: return ExchangeCategory(e);
                case ResultCode.Throttled: return ErrorCategory.ResourceBusy;
                case ResultCode.Transient: return ErrorCategory.ResourceUnavailable;
                case ResultCode.Network: return ErrorCategory.ConnectionError;
                case ResultCode.Timeout: return ErrorCategory.OperationTimeout;
                case ResultCode.PageExpired: return ErrorCategory.InvalidOperation;
                case ResultCode.Unauthorized: return ErrorCategory.PermissionDenied;
                case ResultCode.Panic: case ResultCode.Internal: return ErrorCategory.InvalidResult;
                default: return ErrorCategory.NotSpecified;
            }
        }

        private static ErrorCategory AuthCategory(ExoNativeException e)
        {
            switch (e.Aadsts)
            {
                case 90002: case 500011: return ErrorCategory.ObjectNotFound;
                case 65001: case 53003: case 700016: return ErrorCategory.PermissionDenied;
                case 700025: case 700007: case 70011: return ErrorCategory.InvalidArgument;
                case 50076: case 50079: case 700082: case 70000: case 70008:
                case 7000215: case 7000222: case 7000218: return ErrorCategory.AuthenticationError;
            }
            string r = e.Reason ?? string.Empty;
            if (r.IndexOf("NotFound", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.ObjectNotFound;
            if (r.IndexOf("Consent", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("ConditionalAccess", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Relationship", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.PermissionDenied;
            return ErrorCategory.AuthenticationError;
        }

        private static ErrorCategory ExchangeCategory(ExoNativeException e)
        {
            string r = (e.Reason ?? string.Empty) + " " + (e.ExceptionType ?? string.Empty) + " " + (e.ServiceCode ?? string.Empty);
            if (r.IndexOf("NotFound", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.ObjectNotFound;
            if (r.IndexOf("AccessDenied", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Forbidden", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Unauthorized", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.PermissionDenied;
            if (r.IndexOf("AlreadyExists", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Duplicate", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.ResourceExists;
            if (r.IndexOf("BadRequest", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Parameter", StringComparison.OrdinalIgnoreCase) >= 0 ||
                r.IndexOf("Invalid", StringComparison.OrdinalIgnoreCase) >= 0) return ErrorCategory.InvalidArgument;
            return ErrorCategory.InvalidOperation;
        }

        private static string RecommendedAction(ExoNativeException e)
        {
            switch (e.Aadsts)
            {
                case 50076: case 50079:
                    return "The refresh token lacks an MFA claim for this tenant: create a new one by signing in interactively with MFA (Connect-ExoDelegated -DeviceCode), then store it.";
                case 700082:
                    return "The refresh token expired after 90 days without use: create a new one, and rotate it on a schedule (Export-ExoDelegatedRefreshToken after every run).";
                case 70000: case 70008:
                    return "The refresh token is invalid, expired or revoked: consent again and store the new token.";
                case 65001:
                    return "Consent the application in the customer tenant (partner pre-consent or GDAP app consent), then retry.";
                case 700016:
                    return "The application has no service principal in this tenant, or there is no delegated (GDAP) relationship with it: check the tenant id and the partner relationship.";
                case 7000215: case 7000222: case 7000218:
                    return "Check the client secret: it is wrong, missing or expired. Create a new secret for the application and store it.";
                case 700025:
                    return "The application is a public client: drop -ClientSecret, or make the application confidential.";
                case 700007:
                    return "Use the application id the refresh token was issued to (-ApplicationId).";
                case 53003:
                    return "Conditional Access blocked the sign-in: check the customer's sign-in logs with the correlation id.";
                case 90002:
                    return "Check the tenant id or domain, and -Environment (the tenant may live in another cloud).";
                case 500011:
                    return "Exchange Online is not provisioned in this tenant, or the tenant id is wrong.";
            }
            switch (e.Code)
            {
                case ResultCode.InvalidHandle: return "Connect again with Connect-ExoDelegated.";
                case ResultCode.InsecureEndpoint: return "Use https:// endpoints (http:// is allowed only for localhost, e.g. exo-emulator).";
                case ResultCode.Throttled: return "Exchange is throttling this tenant: retry later, run fewer commands at once against it, or raise -MaximumRetryCount.";
                case ResultCode.Transient: return "Exchange reported a transient failure: retry the command.";
                case ResultCode.Network: return "Check the network connection and the -AuthorityHost/-ExchangeHost addresses.";
                case ResultCode.Timeout: return "The service did not answer in time: retry, or raise -TimeoutSec.";
                case ResultCode.PageExpired: return "The enumeration took longer than Exchange keeps page links (30 minutes): run the command again, with a -Filter if possible.";
                case ResultCode.Unauthorized: return "Exchange refused the token: check the admin roles granted through GDAP for this tenant, then connect again.";
            }
            if (e.Code == ResultCode.ExchangeError && string.Equals(e.Reason, "NotFound", StringComparison.OrdinalIgnoreCase))
                return "Check the identity (user principal name, email address or GUID) and that the object exists in this tenant.";
            return null;
        }
    }
}
