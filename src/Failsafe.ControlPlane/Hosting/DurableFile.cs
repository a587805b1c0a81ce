using System.Text;
using Failsafe.Artifacts;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>
/// Writes to files holding secrets that must survive a power cut once the call returns: the bytes are fsynced, and a
/// replaced file's directory too, since a rename is only durable once its directory is.
/// </summary>
internal static class DurableFile
{
    /// <summary>Replaces the file atomically (mode 0600).</summary>
    public static void Replace(string path, string content)
    {
        SecretFile.Write(path, content);
        DurableDirectory.Fsync(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Appends to an existing file in place: no rename, so the fsync of the file is enough.</summary>
    public static void Append(string path, string content)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
        stream.Write(Encoding.UTF8.GetBytes(content));
        stream.Flush(flushToDisk: true);
    }
}
