using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Reflection;
using System.Reflection.Emit;

namespace ExoDelegated.Interop
{
    /// <summary>One TypeNames list shared by all records of a page. Editing a record's TypeNames
    /// through the public API costs about 850 bytes per record: each Insert/Add copies the list
    /// and joins all its names into a new lookup key. PowerShell itself shares one read-only list
    /// between all objects of a .NET type and gives an object its own copy on the first write
    /// through TypeNames; records get the same treatment here. That needs two non-public members
    /// of System.Management.Automation (the read-only ConsolidatedString constructor and the
    /// PSObject.InternalTypeNames setter): they are bound once and checked on a probe object
    /// (same list, copy on write); when either is missing or the check fails, Create returns
    /// null and records get their names through the public API as before.</summary>
    internal static class SharedTypeNames
    {
        private static readonly Func<IEnumerable<string>, object> NewReadOnly;
        private static readonly Action<PSObject, object> Assign;

        static SharedTypeNames()
        {
            try
            {
                Type list = typeof(PSObject).Assembly.GetType("System.Management.Automation.Runspaces.ConsolidatedString");
                if (list == null) return;
                ConstructorInfo ctor = list.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null,
                    new[] { typeof(IEnumerable<string>), typeof(bool) }, null);
                PropertyInfo prop = typeof(PSObject).GetProperty("InternalTypeNames", BindingFlags.NonPublic | BindingFlags.Instance);
                MethodInfo setter = prop == null || prop.PropertyType != list ? null : prop.GetSetMethod(true);
                if (ctor == null || setter == null) return;

                var make = new DynamicMethod("NewReadOnlyTypeNames", typeof(object), new[] { typeof(IEnumerable<string>) }, typeof(SharedTypeNames).Module, true);
                ILGenerator il = make.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldc_I4_1); // read-only: the first write through TypeNames copies it
                il.Emit(OpCodes.Newobj, ctor);
                il.Emit(OpCodes.Ret);
                var assign = new DynamicMethod("AssignTypeNames", null, new[] { typeof(PSObject), typeof(object) }, typeof(SharedTypeNames).Module, true);
                il = assign.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Castclass, list);
                il.Emit(OpCodes.Callvirt, setter);
                il.Emit(OpCodes.Ret);
                var newReadOnly = (Func<IEnumerable<string>, object>)make.CreateDelegate(typeof(Func<IEnumerable<string>, object>));
                var assignTo = (Action<PSObject, object>)assign.CreateDelegate(typeof(Action<PSObject, object>));
                if (!Probe(newReadOnly, assignTo)) return;
                NewReadOnly = newReadOnly;
                Assign = assignTo;
            }
            catch (Exception)
            {
                // Another PowerShell's internals, or no dynamic code: the public API it is.
            }
        }

        /// <summary>Whether records share their page's list (false: the public API is used).</summary>
        internal static bool Available { get { return Assign != null; } }

        /// <summary>A shareable read-only copy of names, or null when sharing is unavailable.</summary>
        internal static object Create(Collection<string> names)
        {
            return NewReadOnly == null ? null : NewReadOnly(new List<string>(names));
        }

        /// <summary>Gives a record (a PSCustomObject without TypeNames edits) the shared list.</summary>
        internal static void Apply(PSObject record, object shared)
        {
            Assign(record, shared);
        }

        /// <summary>The shared list reads back as given, and a write through one object's
        /// TypeNames changes neither the list nor another object that shares it.</summary>
        private static bool Probe(Func<IEnumerable<string>, object> newReadOnly, Action<PSObject, object> assign)
        {
            var expected = new PSObject().TypeNames;
            expected.Insert(0, "ExoDelegated.Probe");
            expected.Add("ExoDelegated.Probe#Last");
            object shared = newReadOnly(new List<string>(expected));
            var a = new PSObject();
            var b = new PSObject();
            assign(a, shared);
            assign(b, shared);
            if (!Same(a.TypeNames, expected)) return false;
            a.TypeNames.Insert(0, "ExoDelegated.Probe#Edit");
            return a.TypeNames.Count == expected.Count + 1 && Same(b.TypeNames, expected) && Same((Collection<string>)shared, expected);
        }

        private static bool Same(Collection<string> a, Collection<string> b)
        {
            if (a.Count != b.Count) return false;
            for (int i = 0; i < a.Count; i++)
            {
                if (!string.Equals(a[i], b[i], StringComparison.Ordinal)) return false;
            }
            return true;
        }
    }
}
