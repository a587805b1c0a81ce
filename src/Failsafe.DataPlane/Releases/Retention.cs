namespace Failsafe.DataPlane;

/// <summary>
/// Keeps the newest N installed releases of a service (in install order), and always the one
/// <c>current</c> points at, the "previous good" one and any release an instance runs from.
/// </summary>
internal static class Retention
{
    /// <summary>Deletes the releases beyond the newest <paramref name="keep"/>; returns their names.</summary>
    public static IReadOnlyList<string> Apply(ServicePaths service, int keep, IReadOnlySet<string> inUse)
    {
        var protectedNames = new HashSet<string>(inUse, StringComparer.Ordinal);
        if (CurrentLink.Read(service) is { } current)
        {
            protectedNames.Add(current);
        }

        if (PreviousRelease.Read(service) is { } previous)
        {
            protectedNames.Add(previous);
        }

        var removed = new List<string>();
        foreach (var release in InstalledNewestFirst(service).Skip(Math.Max(keep, 1)))
        {
            if (protectedNames.Contains(release))
            {
                continue;
            }

            ReleaseDirectories.MoveAsideAndDelete(service, release);
            VariableStore.Delete(service, release);
            removed.Add(release);
        }

        return removed;
    }

    /// <summary>Release directories, newest install first. The install time is that of the manifest copy written at install.</summary>
    public static IReadOnlyList<string> InstalledNewestFirst(ServicePaths service)
    {
        if (!Directory.Exists(service.Releases))
        {
            return [];
        }

        return Directory.EnumerateDirectories(service.Releases)
            .Select(path => Path.GetFileName(path))
            .Where(ReleaseNames.IsReleaseName)
            .Select(name => (Name: name, Installed: InstalledAt(service, name)))
            .OrderByDescending(r => r.Installed)
            .ThenByDescending(r => r.Name, StringComparer.Ordinal)
            .Select(r => r.Name)
            .ToList();
    }

    private static DateTime InstalledAt(ServicePaths service, string release)
    {
        var manifest = new FileInfo(service.ManifestFile(release));
        return manifest.Exists ? manifest.LastWriteTimeUtc : Directory.GetLastWriteTimeUtc(service.ReleaseDirectory(release));
    }
}
