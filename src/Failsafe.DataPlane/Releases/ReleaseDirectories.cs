using System.Security.Cryptography;

namespace Failsafe.DataPlane;

/// <summary>Removing release and staging directories without ever leaving a half-deleted one under a release name.</summary>
internal static class ReleaseDirectories
{
    /// <summary>Removes every staging directory of a service (work an interrupted agent left behind).</summary>
    public static int RemoveStaging(ServicePaths service)
    {
        if (!Directory.Exists(service.Releases))
        {
            return 0;
        }

        var count = 0;
        foreach (var path in Directory.EnumerateDirectories(service.Releases, ServicePaths.StagingPrefix + "*"))
        {
            DeleteQuietly(path);
            count++;
        }

        return count;
    }

    /// <summary>
    /// Deletes a release without ever leaving a half-deleted directory under its release name:
    /// it is renamed into staging first, and staging is junk by definition.
    /// </summary>
    public static void MoveAsideAndDelete(ServicePaths service, string release)
    {
        var id = ReleaseNames.IdFromName(release) ?? "deleted";
        var aside = Path.Combine(service.Releases, $"{ServicePaths.StagingPrefix}{id}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        PosixFile.Rename(service.ReleaseDirectory(release), aside);
        PosixFile.FsyncDirectory(service.Releases);
        DeleteQuietly(aside);
    }

    public static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                MakeWritable(directory);
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // A release may contain read-only directories (mode 0555); deleting their entries needs write permission.
    private static void MakeWritable(string directory)
    {
        foreach (var sub in Directory.EnumerateDirectories(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }).Prepend(directory))
        {
            try
            {
                var mode = File.GetUnixFileMode(sub);
                if ((mode & UnixFileMode.UserWrite) == 0)
                {
                    File.SetUnixFileMode(sub, mode | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
            catch (IOException)
            {
            }
        }
    }
}
