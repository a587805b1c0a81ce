using System.Text;

namespace Failsafe.Artifacts;

/// <summary>
/// The one place that decides which paths and link targets may exist in a release. Each method
/// returns why a value is refused (a phrase that completes "… is refused: "), or null.
/// </summary>
internal static class EntryPathRules
{
    public const int MaxPathLength = 4096;
    private const int MaxSegmentBytes = 255;

    /// <summary>A path relative to the release root, with '/' separators.</summary>
    public static string? ProblemWithRelativePath(string path)
    {
        if (path.Length == 0)
        {
            return "it has an empty name";
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "it contains a NUL character";
        }

        if (path.Contains('\\', StringComparison.Ordinal))
        {
            return "it contains a backslash";
        }

        if (path[0] == '/')
        {
            return "it is an absolute path";
        }

        var segments = path.Split('/');
        if (segments.Contains(".."))
        {
            return "it leaves the release directory";
        }

        if (segments.Any(s => s.Length == 0 || s == "."))
        {
            return "it has an empty or '.' path segment";
        }

        if (path.Length > MaxPathLength)
        {
            return $"it is longer than {MaxPathLength} characters";
        }

        return segments.Any(s => Encoding.UTF8.GetByteCount(s) > MaxSegmentBytes)
            ? $"a path segment is longer than {MaxSegmentBytes} bytes"
            : null;
    }

    /// <summary>A tar entry name: a valid relative path under <see cref="ArtifactLayout.FilesPrefix"/>.</summary>
    public static string? ProblemWithEntryName(string name)
    {
        var problem = ProblemWithRelativePath(name);
        if (problem is not null)
        {
            return problem;
        }

        return name.StartsWith(ArtifactLayout.FilesPrefix, StringComparison.Ordinal)
            ? ProblemWithReservedName(name[ArtifactLayout.FilesPrefix.Length..])
            : $"it is not under '{ArtifactLayout.FilesPrefix}'";
    }

    /// <summary>
    /// A release path that an installer needs for itself: only <see cref="ArtifactLayout.InstalledManifestName"/>
    /// and <see cref="ArtifactLayout.InstalledRenderingName"/> at the root (the same names deeper down are the release's own business).
    /// </summary>
    public static string? ProblemWithReservedName(string path) => path switch
    {
        ArtifactLayout.InstalledManifestName => "its name is reserved at the release root for the manifest copy an installer keeps",
        ArtifactLayout.InstalledRenderingName => "its name is reserved at the release root for the rendering record an installer keeps",
        _ => null,
    };

    /// <summary>
    /// Link targets must be relative and may use '..' only as leading segments, never more of them
    /// than the link is deep. A '..' after a name is refused even when it looks harmless: the name
    /// could be another symlink, and the kernel resolves '..' from wherever that link leads, not
    /// lexically. With this rule every link lands inside the release, whatever the other links are.
    /// </summary>
    public static string? ProblemWithLinkTarget(string linkPath, string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            return "it is a symlink without a target";
        }

        if (target.Contains('\0', StringComparison.Ordinal) || target.Contains('\\', StringComparison.Ordinal))
        {
            return $"its link target '{target}' contains a NUL character or a backslash";
        }

        if (target[0] == '/')
        {
            return $"its link target '{target}' is absolute and leaves the release directory";
        }

        if (target.Length > MaxPathLength)
        {
            return $"its link target is longer than {MaxPathLength} characters";
        }

        var depth = linkPath.Count(c => c == '/');
        var ups = 0;
        var seenName = false;
        foreach (var segment in target.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment != "..")
            {
                seenName = true;
            }
            else if (seenName)
            {
                return $"its link target '{target}' uses '..' after a name (only leading '..' segments are allowed)";
            }
            else if (++ups > depth)
            {
                return $"its link target '{target}' leaves the release directory";
            }
        }

        return null;
    }

    /// <summary>
    /// An entry's parent must be a directory placed before it: never a symlink, which would send
    /// the entry wherever the link points. <paramref name="parentType"/> is the
    /// <see cref="EntryTypes"/> value of what is at the parent, or null when nothing is.
    /// </summary>
    public static string? ProblemWithParent(string shownParent, string? parentType) => parentType switch
    {
        null => $"its parent directory '{shownParent}' does not come before it",
        EntryTypes.Directory => null,
        EntryTypes.Symlink => $"it would be written through the symlink '{shownParent}'",
        _ => $"its parent '{shownParent}' is not a directory",
    };

    /// <summary>"a/b/c" → "a/b"; a top-level path has the empty parent (the release root).</summary>
    public static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }
}
