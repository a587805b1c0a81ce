namespace Failsafe.Artifacts;

/// <summary>For other libraries that replace files by rename: the rename is durable only once its directory is fsynced.</summary>
public static class DurableDirectory
{
    public static void Fsync(string path) => PosixFile.FsyncDirectory(path);
}
