using System.Runtime.InteropServices;

namespace Failsafe.Artifacts;

internal enum PosixFileKind
{
    Regular,
    Directory,
    Symlink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    Unknown,
}

internal readonly record struct PosixStat(PosixFileKind Kind, UnixFileMode Permissions, long Size, DateTimeOffset ModifiedAt);

/// <summary>
/// What .NET does not offer: the file type of a path without following links (FileSystemInfo
/// cannot tell a FIFO or a device from a file), and fsync of a directory.
/// statx is used rather than lstat because its struct is the same on every architecture.
/// </summary>
internal static partial class PosixFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int OReadOnlyCloseOnExec = 0x80000;
    private const int ENoEnt = 2;
    private const int ENotDir = 20;

    /// <summary>lstat: null when nothing exists at <paramref name="path"/>.</summary>
    public static PosixStat? TryLstat(string path)
    {
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, out var buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENoEnt or ENotDir)
            {
                return null;
            }

            throw new IOException($"Cannot read the attributes of '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        var modifiedAt = DateTimeOffset.FromUnixTimeSeconds(buffer.MtimeSeconds).AddTicks(buffer.MtimeNanoseconds / 100);
        return new PosixStat(KindOf(buffer.Mode), (UnixFileMode)(buffer.Mode & 0x1FF), (long)buffer.Size, modifiedAt);
    }

    public static void FsyncDirectory(string path) => Flush(path, Fsync, "flush directory");

    /// <summary>
    /// syncfs(2): every file and directory written so far on the file system holding
    /// <paramref name="path"/> reaches the disk. One call after a whole extraction costs a fraction
    /// of an fsync per file (measured: 2,000 files, 15 s down to a few), and gives the same promise
    /// at the point it matters — before the release is renamed into place.
    /// </summary>
    public static void SyncFileSystem(string path) => Flush(path, SyncFs, "flush the file system of");

    private static void Flush(string path, Func<int, int> flush, string what)
    {
        var fd = Open(path, OReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"Cannot open '{path}' to {what} it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }

        try
        {
            if (flush(fd) != 0)
            {
                throw new IOException($"Cannot {what} '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static PosixFileKind KindOf(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => PosixFileKind.Regular,
        0x4000 => PosixFileKind.Directory,
        0xA000 => PosixFileKind.Symlink,
        0x2000 => PosixFileKind.CharacterDevice,
        0x6000 => PosixFileKind.BlockDevice,
        0x1000 => PosixFileKind.Fifo,
        0xC000 => PosixFileKind.Socket,
        _ => PosixFileKind.Unknown,
    };

    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(112)]
        public long MtimeSeconds;

        [FieldOffset(120)]
        public uint MtimeNanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
