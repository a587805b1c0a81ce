using System.Runtime.InteropServices;

namespace Failsafe.DataPlane;

/// <summary>
/// The few libc calls .NET does not expose: an atomic rename that may replace a symlink to a
/// directory, fsync of a directory (so a rename survives a power cut) and signals to a process group.
/// </summary>
internal static partial class PosixFile
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;
    private const int Esrch = 3;

    // O_DIRECTORY differs between architectures: 0x4000 on arm/arm64, 0x10000 on x86/x64.
    private static readonly int ODirectory =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x4000 : 0x10000;

    public static void Rename(string from, string to)
    {
        if (rename(from, to) != 0)
        {
            throw Error($"rename {from} -> {to}");
        }
    }

    public static void Unlink(string path)
    {
        if (unlink(path) != 0)
        {
            throw Error($"unlink {path}");
        }
    }

    public static void FsyncDirectory(string path)
    {
        var fd = open(path, ORdOnly | ODirectory | OCloExec, 0);
        if (fd < 0)
        {
            throw Error($"open {path}");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw Error($"fsync {path}");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary>Sends a signal; false when no such process (or group) exists any more.</summary>
    public static bool Kill(int pid, int signal)
    {
        if (kill(pid, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Esrch
            ? false
            : throw new IOException($"kill({pid}, {signal}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Signals the process group led by <paramref name="pid"/> and the process itself (in case it has not called setsid yet).</summary>
    public static bool KillGroup(int pid, int signal)
    {
        var group = Kill(-pid, signal);
        var single = Kill(pid, signal);
        return group || single;
    }

    private static IOException Error(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string oldpath, string newpath);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlink(string path);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
