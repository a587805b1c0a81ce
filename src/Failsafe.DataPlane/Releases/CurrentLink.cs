using System.Security.Cryptography;

namespace Failsafe.DataPlane;

/// <summary>
/// The <c>current</c> symlink of a service. It is only ever replaced by rename(2) of a fresh link
/// over it, so a reader (or a crash) sees either the old target or the new one, never nothing.
/// </summary>
internal static class CurrentLink
{
    private const string TempPrefix = "current.tmp-";

    /// <summary>The release <c>current</c> points at, or null when there is no link.</summary>
    public static string? Read(ServicePaths service)
    {
        var info = new FileInfo(service.Current);
        if (info.LinkTarget is not { } target)
        {
            return null;
        }

        var name = Path.GetFileName(target.TrimEnd('/'));
        return ReleaseNames.IsReleaseName(name) ? name : null;
    }

    public static void Switch(ServicePaths service, string release)
    {
        if (!ReleaseNames.IsReleaseName(release))
        {
            throw new ArgumentException($"'{release}' is not a release name.", nameof(release));
        }

        if (!Directory.Exists(service.ReleaseDirectory(release)))
        {
            throw new InvalidOperationException($"Release {release} of {service.Name} is not installed.");
        }

        var temp = Path.Combine(service.Directory, TempPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        File.CreateSymbolicLink(temp, "releases/" + release);
        try
        {
            PosixFile.Rename(temp, service.Current);
        }
        catch
        {
            TryUnlink(temp);
            throw;
        }

        PosixFile.FsyncDirectory(service.Directory);
    }

    /// <summary>Removes <c>current</c> (the release files stay). True when there was a link.</summary>
    public static bool Remove(ServicePaths service)
    {
        if (new FileInfo(service.Current).LinkTarget is null)
        {
            return false;
        }

        PosixFile.Unlink(service.Current);
        PosixFile.FsyncDirectory(service.Directory);
        return true;
    }

    /// <summary>Links left behind by a switch that was interrupted before its rename.</summary>
    public static int RemoveLeftovers(ServicePaths service)
    {
        if (!Directory.Exists(service.Directory))
        {
            return 0;
        }

        var count = 0;
        foreach (var path in Directory.EnumerateFileSystemEntries(service.Directory, TempPrefix + "*"))
        {
            TryUnlink(path);
            count++;
        }

        return count;
    }

    private static void TryUnlink(string path)
    {
        try
        {
            PosixFile.Unlink(path);
        }
        catch (IOException)
        {
        }
    }
}
