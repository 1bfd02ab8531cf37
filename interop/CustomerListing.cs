using System;
using System.Management.Automation;
using System.Security;
using System.Threading;

namespace ExoDelegated.Interop
{
    /// <summary>The partner's GDAP customers from Microsoft Graph (exo_customers_*): one JSON
    /// answer, cancelled when the calling command is stopped (Ctrl+C).</summary>
    public static class CustomerListing
    {
        public static CallResult TryList(string optionsJson, SecureString refreshToken, SecureString clientSecret, Cmdlet stopSignal)
        {
            return CallResult.Run(() => List(optionsJson, refreshToken, clientSecret, stopSignal), "customer listing");
        }

        /// <summary>{"customers":[…],"pages":n,"relationships":n,"retries":[…],"warnings":[…]} (docs/ABI.md).</summary>
        public static string List(string optionsJson, SecureString refreshToken, SecureString clientSecret, Cmdlet stopSignal)
        {
            CustomersHandle listing = null;
            ErrorHandle err = null;
            byte[] options = NativeString.Utf8Z(optionsJson);
            ResultCode code = Bridge.WithSecret(refreshToken, (rt, rtLen) =>
                Bridge.WithSecret(clientSecret, (cs, csLen) =>
                    NativeMethods.exo_customers_new(options, rt, rtLen, cs, csLen, out listing, out err)));
            if (code != ResultCode.Ok && listing != null) listing.Dispose();
            ExoNativeException.ThrowIfFailed(code, err);
            using (listing)
            {
                IntPtr json;
                using (var watch = stopSignal == null ? null : new Timer(CancelWhenStopping, new Watch(listing, stopSignal), 100, 100))
                {
                    code = NativeMethods.exo_customers_run(listing, out json, out err);
                }
                ExoNativeException.ThrowIfFailed(code, err);
                return NativeString.Take(json);
            }
        }

        private sealed class Watch
        {
            internal readonly CustomersHandle Listing;
            internal readonly Cmdlet Command;
            internal Watch(CustomersHandle listing, Cmdlet command) { Listing = listing; Command = command; }
        }

        private static void CancelWhenStopping(object state)
        {
            var w = (Watch)state;
            try
            {
                if (w.Command.Stopping) NativeMethods.exo_customers_cancel(w.Listing);
            }
            catch (Exception)
            {
                // Freed after the call returned; never let an exception leave a timer callback.
            }
        }
    }
}
