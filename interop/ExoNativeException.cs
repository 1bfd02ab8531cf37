using System;
using System.Management.Automation;
using System.Text.Json;

namespace ExoDelegated.Interop
{
    /// <summary>A failure reported by the native library, with every detail it gave. The policy
    /// (category, recommended action, retryable, fatal) is decided by the native library and
    /// carried in its error JSON; this class only reads it.</summary>
    public sealed class ExoNativeException : Exception
    {
        public ResultCode Code { get; private set; }
        public string CodeName { get; private set; }
        public string Reason { get; private set; }
        public uint Aadsts { get; private set; }
        public string ServiceCode { get; private set; }
        public string ExceptionType { get; private set; }
        public string CorrelationId { get; private set; }
        public string RequestId { get; private set; }
        public int HttpStatus { get; private set; }
        public int Retries { get; private set; }
        /// <summary>The PowerShell error category the native library chose (NotSpecified if none).</summary>
        public ErrorCategory Category { get; private set; }
        /// <summary>One sentence telling the user what to do, or null.</summary>
        public string RecommendedAction { get; private set; }
        /// <summary>True when running the same command again later may succeed.</summary>
        public bool Retryable { get; private set; }
        /// <summary>True when every later call on the same connection would fail the same way.</summary>
        public bool Fatal { get; private set; }

        /// <summary>Whom a sign-in failure concerns, decided by the native library: "Credential"
        /// (the partner's token or secret: every tenant will fail, stop the run), "Tenant" (this
        /// customer only: skip it), or null.</summary>
        public string Scope { get; private set; }

        /// <summary>A handle that was closed (disconnected) while a command still held it.</summary>
        internal static ExoNativeException Closed(string what)
        {
            return new ExoNativeException(ResultCode.InvalidHandle, "the " + what + " is closed or invalid; connect again",
                "InvalidHandle", ErrorCategory.InvalidOperation, "Connect again with Connect-ExoDelegated.", false, true);
        }

        /// <summary>A request the module cannot send (the native library's own checks give the same code).</summary>
        internal static ExoNativeException InvalidArgument(string message)
        {
            return new ExoNativeException(ResultCode.InvalidArgument, message,
                "InvalidArgument", ErrorCategory.InvalidArgument, null, false, true);
        }

        /// <summary>A page the interop's reader could not read (the native library's own
        /// refusals of such pages have the same reason).</summary>
        internal static ExoNativeException MalformedResponse(string message)
        {
            return new ExoNativeException(ResultCode.Internal, message,
                "MalformedResponse", ErrorCategory.InvalidResult, null, false, false);
        }

        private ExoNativeException(ResultCode code, string message, string reason, ErrorCategory category,
            string recommendedAction, bool retryable, bool fatal) : base(message)
        {
            Code = code;
            CodeName = code.ToString();
            Reason = reason;
            Category = category;
            RecommendedAction = recommendedAction;
            Retryable = retryable;
            Fatal = fatal;
        }

        internal ExoNativeException(ResultCode code, string message, string json) : base(message)
        {
            Code = code;
            CodeName = code.ToString();
            Reason = CodeName;
            bool? retryable = null, fatal = null;
            string category = null;
            if (!string.IsNullOrEmpty(json))
            {
                try
                {
                    using (var doc = JsonDocument.Parse(json))
                    {
                        var r = doc.RootElement;
                        Reason = JsonFields.Str(r, "reason") ?? CodeName;
                        ServiceCode = JsonFields.Str(r, "serviceCode");
                        ExceptionType = JsonFields.Str(r, "exceptionType");
                        CorrelationId = JsonFields.Str(r, "correlationId");
                        RequestId = JsonFields.Str(r, "requestId");
                        Aadsts = (uint)(JsonFields.Long(r, "aadsts") ?? 0);
                        HttpStatus = JsonFields.Int(r, "httpStatus") ?? 0;
                        Retries = JsonFields.Int(r, "retries") ?? 0;
                        category = JsonFields.Str(r, "category");
                        RecommendedAction = JsonFields.Str(r, "recommendedAction");
                        retryable = JsonFields.Bool(r, "retryable");
                        fatal = JsonFields.Bool(r, "fatal");
                        Scope = JsonFields.Str(r, "scope");
                    }
                }
                catch (JsonException) { }
            }
            ErrorCategory parsed;
            Category = category != null && Enum.TryParse(category, false, out parsed) ? parsed : ErrorCategory.NotSpecified;
            Retryable = retryable ?? false;
            Fatal = fatal ?? false;
        }

        /// <summary>An error that arrived as JSON (exo_error_json's shape): one invocation's failure in
        /// a batch's results, or one tenant's failure in a fan-out; <paramref name="prefix"/> goes before
        /// its message (the tenant it concerns).</summary>
        internal static ExoNativeException FromJson(string json, string prefix = "")
        {
            ResultCode code = ResultCode.Internal;
            string message = null;
            try
            {
                using (var doc = JsonDocument.Parse(json))
                {
                    ResultCode parsed;
                    string name = JsonFields.Str(doc.RootElement, "code");
                    if (name != null && Enum.TryParse(name, false, out parsed)) code = parsed;
                    message = JsonFields.Str(doc.RootElement, "message");
                }
            }
            catch (JsonException) { }
            return new ExoNativeException(code, prefix + (message ?? ("native call failed: " + code)), json);
        }

        internal static void ThrowIfFailed(ResultCode code, ErrorHandle err)
        {
            using (err)
            {
                if (code == ResultCode.Ok) return;
                string message = null, json = null;
                if (err != null && !err.IsInvalid)
                {
                    IntPtr h = err.DangerousGetHandle();
                    message = NativeString.Borrow(NativeMethods.exo_error_message(h));
                    json = NativeString.Borrow(NativeMethods.exo_error_json(h));
                }
                throw new ExoNativeException(code, message ?? ("native call failed: " + code), json);
            }
        }
    }
}
