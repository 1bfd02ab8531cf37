using System;
using System.Management.Automation;
using System.Security;

namespace ExoDelegated.Interop
{
    /// <summary>Lets a SecureString parameter take a plain string too (what PartnerCenter took and
    /// what Get-AzKeyVaultSecret -AsPlainText returns): the string becomes a read-only SecureString
    /// at the parameter boundary, so the module itself only ever holds SecureStrings. The caller's
    /// string stays in managed memory (that is why a SecureString is preferred), but the module
    /// makes no further copy of it.</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject p ? p.BaseObject : inputData;
            if (value == null || value is SecureString) return value;
            var text = value as string;
            if (text == null)
            {
                // Only the type is named: the value may be a secret.
                throw new ArgumentTransformationMetadataException(
                    "Expected a SecureString or a string, not a " + value.GetType().FullName + ".");
            }
            return FromString(text);
        }

        /// <summary>A read-only SecureString with the characters of text.</summary>
        public static unsafe SecureString FromString(string text)
        {
            SecureString secure;
            fixed (char* chars = text) { secure = new SecureString(chars, text.Length); }
            secure.MakeReadOnly();
            return secure;
        }
    }
}
