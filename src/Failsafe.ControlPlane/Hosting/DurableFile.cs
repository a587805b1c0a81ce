using System.Runtime.InteropServices;
using System.Text;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>
/// Writes to files holding secrets that must survive a power cut once the call returns: the bytes are fsynced, and a
/// replaced file's directory too, since a rename is only durable once its directory is.
/// </summary>
internal static partial class DurableFile
{
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;

    // O_DIRECTORY differs between architectures: 0x4000 on arm/arm64, 0x10000 on x86/x64.
    private static readonly int ODirectory =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x4000 : 0x10000;

    /// <summary>Replaces the file atomically (mode 0600).</summary>
    public static void Replace(string path, string content)
    {
        SecretFile.Write(path, content);
        FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Appends to an existing file in place: no rename, so the fsync of the file is enough.</summary>
    public static void Append(string path, string content)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
        stream.Write(Encoding.UTF8.GetBytes(content));
        stream.Flush(flushToDisk: true);
    }

    private static void FsyncDirectory(string path)
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

    private static IOException Error(string what) =>
        new($"{what} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
