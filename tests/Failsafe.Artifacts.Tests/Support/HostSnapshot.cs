namespace Failsafe.Artifacts.Tests.Support;

/// <summary>Everything under a folder, except one subtree if given: name, kind, size, mtime, link target.</summary>
internal static class HostSnapshot
{
    public static List<string> Take(string root, string? excludedSubtree = null)
    {
        var excluded = excludedSubtree is null ? null : Path.GetFullPath(excludedSubtree).TrimEnd('/') + "/";
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        return [.. new DirectoryInfo(root).EnumerateFileSystemInfos("*", options)
            .Where(i => excluded is null || !(i.FullName + "/").StartsWith(excluded, StringComparison.Ordinal))
            .Select(Describe)
            .Order(StringComparer.Ordinal)];
    }

    private static string Describe(FileSystemInfo info)
    {
        var size = info is FileInfo { LinkTarget: null } file ? file.Length : 0;
        return $"{info.FullName} {info.Attributes} {size} {info.LastWriteTimeUtc.Ticks} {info.LinkTarget}";
    }
}
