using System;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>-ResultSize: a positive whole number or 'Unlimited' (any case), as
    /// `[ValidatePattern('^(?i:unlimited|[1-9]\d*)$')]` checked it, without a regular expression
    /// (see ValidateHttpUrlAttribute).</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class ValidateResultSizeAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            if (!IsValid(Convert.ToString(arguments is PSObject p ? p.BaseObject : arguments, System.Globalization.CultureInfo.InvariantCulture)))
                throw new ValidationMetadataException("ResultSize must be a positive number or 'Unlimited'.");
        }

        internal static bool IsValid(string text)
        {
            if (string.IsNullOrEmpty(text)) return false;
            if (string.Equals(text, "Unlimited", StringComparison.OrdinalIgnoreCase)) return true;
            if (text[0] < '1' || text[0] > '9') return false;
            for (int i = 1; i < text.Length; i++) if (text[i] < '0' || text[i] > '9') return false;
            // A number beyond a 64-bit count is not a size either.
            long ignored;
            return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ignored);
        }

        /// <summary>The most records to emit for a valid -ResultSize: 'Unlimited' is 0 (no limit).</summary>
        public static long ToLimit(string resultSize)
        {
            if (string.Equals(resultSize, "Unlimited", StringComparison.OrdinalIgnoreCase)) return 0;
            if (!IsValid(resultSize)) throw new ArgumentException("ResultSize must be a positive number or 'Unlimited'.", nameof(resultSize));
            return long.Parse(resultSize, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
