using System;
using System.Management.Automation;

namespace ExoDelegated.Interop
{
    /// <summary>Whether one PSNoteProperty can be handed to Properties.Add again and again with a
    /// new value each time. PowerShell adds a copy of the member it is given (every version so
    /// far), so the note built per property per record was garbage at once: 48 bytes, 15 times
    /// a record. Checked once on probe objects; when a PowerShell ever keeps the given member
    /// instead, every property gets its own note as before.</summary>
    internal static class NoteTemplate
    {
        internal static readonly bool Reusable = Probe();

        private static bool Probe()
        {
            try
            {
                var note = new PSNoteProperty("ExoDelegatedProbe", 1);
                var a = new PSObject();
                a.Properties.Add(note, true);
                note.Value = 2;
                var b = new PSObject();
                b.Properties.Add(note, true);
                note.Value = 3;
                var fromA = a.Properties["ExoDelegatedProbe"];
                var fromB = b.Properties["ExoDelegatedProbe"];
                return fromA != null && fromB != null && !ReferenceEquals(fromA, note) && !ReferenceEquals(fromB, note)
                    && !ReferenceEquals(fromA, fromB) && 1.Equals(fromA.Value) && 2.Equals(fromB.Value);
            }
            catch (Exception)
            {
                return false;
            }
        }
    }
}
