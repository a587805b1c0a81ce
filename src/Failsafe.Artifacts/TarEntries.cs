using System.Formats.Tar;

namespace Failsafe.Artifacts;

/// <summary>
/// Tar headers that depend only on the manifest: one timestamp for mtime, atime and ctime, owner
/// 0:0 with no names. GNU format, because .NET names PAX extended headers after the process id.
/// </summary>
internal static class TarEntries
{
    public const UnixFileMode SymlinkMode = (UnixFileMode)0x1FF;

    public static GnuTarEntry Create(TarEntryType type, string name, UnixFileMode mode, DateTimeOffset time, string? linkName = null)
    {
        var entry = new GnuTarEntry(type, name)
        {
            Mode = mode,
            ModificationTime = time,
            AccessTime = time,
            ChangeTime = time,
            Uid = 0,
            Gid = 0,
            UserName = "",
            GroupName = "",
        };
        if (linkName is not null)
        {
            entry.LinkName = linkName;
        }

        return entry;
    }
}
