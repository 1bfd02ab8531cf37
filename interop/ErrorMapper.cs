using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace ExoDelegated.Interop
{
    /// <summary>Turns failures into the ErrorRecords the module writes: ErrorId
    /// ExoDelegated.&lt;Reason&gt;, the category and recommended action the native library
    /// chose, the target, the service's ids.</summary>
    public static class ErrorMapper
    {
        /// <summary>The ExoNativeException inside a script-call wrapper, or null.</summary>
        public static ExoNativeException Unwrap(Exception e)
        {
            for (var x = e; x != null; x = x.InnerException)
            {
                var n = x as ExoNativeException;
                if (n != null) return n;
            }
            return null;
        }

        /// <summary>The exception a script's method call wrapped (MethodInvocationException), or e itself.</summary>
        internal static Exception UnwrapInvocation(Exception e)
        {
            while (e is MethodInvocationException && e.InnerException != null) e = e.InnerException;
            return e;
        }

        /// <summary>The message shown to the user: the service message plus the ids support asks for.</summary>
        public static string DetailMessage(ExoNativeException e)
        {
            string message = e.Message ?? e.CodeName;
            var sb = new StringBuilder(message);
            var ids = new List<string>();
            // The native message usually names these already; add only what it lacks.
            string aadsts = "AADSTS" + e.Aadsts.ToString(CultureInfo.InvariantCulture);
            if (e.Aadsts != 0 && message.IndexOf(aadsts, StringComparison.Ordinal) < 0) ids.Add(aadsts);
            if (!string.IsNullOrEmpty(e.CorrelationId) && message.IndexOf(e.CorrelationId, StringComparison.OrdinalIgnoreCase) < 0) ids.Add("correlation id " + e.CorrelationId);
            if (!string.IsNullOrEmpty(e.RequestId) && message.IndexOf(e.RequestId, StringComparison.OrdinalIgnoreCase) < 0) ids.Add("client-request-id " + e.RequestId);
            if (ids.Count > 0) sb.Append(" (").Append(string.Join("; ", ids)).Append(')');
            return sb.ToString();
        }

        /// <summary>An ErrorRecord for any failure; ExoNativeExceptions get their reason and details.</summary>
        public static ErrorRecord ToErrorRecord(Exception exception, object target)
        {
            var native = Unwrap(exception);
            if (native == null)
            {
                return new ErrorRecord(UnwrapInvocation(exception), "ExoDelegated.Unexpected", ErrorCategory.NotSpecified, target);
            }
            var record = new ErrorRecord(native, "ExoDelegated." + (string.IsNullOrEmpty(native.Reason) ? native.CodeName : native.Reason), native.Category, target);
            record.ErrorDetails = new ErrorDetails(DetailMessage(native));
            if (native.RecommendedAction != null) record.ErrorDetails.RecommendedAction = native.RecommendedAction;
            return record;
        }

        /// <summary>Reports a failed native call on behalf of a public command: per-item failures
        /// (not found, throttled beyond retries, ...) as non-terminating errors; failures that
        /// would repeat for every item (the native library marks them fatal: authentication,
        /// closed connection, invalid arguments), or terminating = true, as terminating errors.
        /// A call cancelled because the user pressed Ctrl+C stops the pipeline quietly.</summary>
        public static void Report(PSCmdlet cmdlet, ExoNativeException exception, object target, bool terminating)
        {
            if (exception.Code == ResultCode.Cancelled && cmdlet.Stopping) throw new PipelineStoppedException();
            var record = ToErrorRecord(exception, target);
            if (terminating || exception.Fatal) cmdlet.ThrowTerminatingError(record);
            cmdlet.WriteError(record);
        }

        /// <summary>An ErrorRecord raised by the module itself (not connected, calendar not found, ...).</summary>
        public static ErrorRecord Create(string reason, string message, ErrorCategory category, object target, string recommendedAction)
        {
            var record = new ErrorRecord(new InvalidOperationException(message), "ExoDelegated." + reason, category, target);
            if (recommendedAction != null)
            {
                record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction };
            }
            return record;
        }
    }
}
