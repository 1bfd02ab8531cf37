using System;
using System.Management.Automation;
using System.Reflection;
using System.Reflection.Emit;

namespace ExoDelegated.Interop
{
    /// <summary>Empty PSObjects whose member table is sized for the properties they will get.
    /// An unsized one grows its table (a Hashtable and a list) several times while note
    /// properties are added: about 1.3 KB more per 14-property record. PowerShell 7's public
    /// PSObject(int instanceMemberCapacity) sizes it; the reference assemblies this project
    /// builds against predate it, so it is bound once at run time, and without it records
    /// are made as before.</summary>
    internal static class PSObjectFactory
    {
        private static readonly Func<int, PSObject> Sized = BindSizedConstructor();

        /// <summary>A PSObject (PSCustomObject base) with room for members instance members.</summary>
        internal static PSObject New(int members)
        {
            return members > 0 && Sized != null ? Sized(members) : new PSObject();
        }

        private static Func<int, PSObject> BindSizedConstructor()
        {
            try
            {
                ConstructorInfo ctor = typeof(PSObject).GetConstructor(new[] { typeof(int) });
                if (ctor == null) return null;
                var method = new DynamicMethod("NewSizedPSObject", typeof(PSObject), new[] { typeof(int) }, typeof(PSObjectFactory).Module);
                ILGenerator il = method.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Newobj, ctor);
                il.Emit(OpCodes.Ret);
                return (Func<int, PSObject>)method.CreateDelegate(typeof(Func<int, PSObject>));
            }
            catch (Exception)
            {
                // No dynamic code (a locked-down host): the unsized constructor does the same job.
                return null;
            }
        }
    }
}
