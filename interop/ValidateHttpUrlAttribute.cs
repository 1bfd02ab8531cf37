using System;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>An absolute http(s) URL (case-insensitive scheme), as `[ValidatePattern('^https?://')]`
    /// checked it, without a regular expression: the first Regex of a process costs about a tenth
    /// of a second, which every cold start paid (docs/BENCHMARKS.md).</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class ValidateHttpUrlAttribute : ValidateArgumentsAttribute
    {
        private readonly string parameterName;

        public ValidateHttpUrlAttribute(string parameterName) { this.parameterName = parameterName; }

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string text = Convert.ToString(arguments is PSObject p ? p.BaseObject : arguments, System.Globalization.CultureInfo.InvariantCulture);
            if (text != null && (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))) return;
            throw new ValidationMetadataException(parameterName + " must be an absolute http(s) URL.");
        }
    }
}
