using System;

namespace ExoDelegated.Interop
{
    /// <summary>The outcome of a native call made from script: a value or an error, never an
    /// exception. (An exception caught by a script's try/catch still ends up in the command's
    /// -ErrorVariable, so the module's script code calls these Try methods instead.)</summary>
    public sealed class CallResult
    {
        public object Value { get; private set; }
        public ExoNativeException Error { get; private set; }
        public bool Failed { get { return Error != null; } }

        internal CallResult With(object value)
        {
            Value = value;
            return this;
        }

        internal static CallResult Fail(ExoNativeException error)
        {
            return new CallResult { Error = error };
        }

        internal static CallResult Run(Func<object> call, string what)
        {
            try { return new CallResult { Value = call() }; }
            catch (ExoNativeException e) { return new CallResult { Error = e }; }
            catch (ObjectDisposedException) { return new CallResult { Error = ExoNativeException.Closed(what) }; }
        }
    }
}
