namespace Failsafe.Artifacts;

/// <summary>One entry of the source tree, as the scanner saw it.</summary>
internal sealed record SourceEntry(
    string Path, string FullPath, string Type, long Size, UnixFileMode Mode, string? LinkTarget, DateTimeOffset ModifiedAt);

/// <summary>
/// Lists a source tree without following symlinks, in ordinal order of relative path, refusing
/// what a release cannot hold (devices, FIFOs, sockets, links that leave the tree).
/// </summary>
internal static class SourceTreeScanner
{
    /// <summary>A GNU tar header stores a size in 11 octal digits.</summary>
    public const long MaxFileSize = (1L << 33) - 1;

    private static readonly EnumerationOptions ListEverything = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    public static List<SourceEntry> Scan(string sourceDirectory, IReadOnlySet<string> excludedFullPaths)
    {
        var root = ResolveRoot(sourceDirectory);

        // Exclusions may be spelled through the symlink the caller named the root by.
        var alias = System.IO.Path.GetFullPath(sourceDirectory);
        var entries = new List<SourceEntry>();
        var pending = new Stack<(string FullPath, string Path)>();
        pending.Push((root, ""));
        while (pending.Count > 0)
        {
            var (directory, directoryPath) = pending.Pop();
            foreach (var fullPath in List(directory, directoryPath))
            {
                var name = System.IO.Path.GetFileName(fullPath);
                var path = directoryPath.Length == 0 ? name : directoryPath + "/" + name;
                if (excludedFullPaths.Contains(fullPath) || excludedFullPaths.Contains(System.IO.Path.Join(alias, path)))
                {
                    continue;
                }

                var entry = Describe(fullPath, path);
                if (entry is null)
                {
                    continue;
                }

                entries.Add(entry);
                if (entry.Type == EntryTypes.Directory)
                {
                    pending.Push((fullPath, path));
                }
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return entries;
    }

    private static string ResolveRoot(string sourceDirectory)
    {
        var root = System.IO.Path.GetFullPath(sourceDirectory);
        if (!Directory.Exists(root))
        {
            throw new ArtifactException($"Source directory '{sourceDirectory}' does not exist or is not a directory.");
        }

        // A root given through a symlink is packed as the directory it leads to.
        return Directory.ResolveLinkTarget(root, returnFinalTarget: true)?.FullName ?? root;
    }

    private static List<string> List(string directory, string directoryPath)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries(directory, "*", ListEverything)];
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            var shown = directoryPath.Length == 0 ? directory : directoryPath;
            throw new ArtifactException($"Cannot read source directory '{shown}': {ex.Message}", ex);
        }
    }

    private static SourceEntry? Describe(string fullPath, string path)
    {
        var problem = EntryPathRules.ProblemWithRelativePath(path) ?? EntryPathRules.ProblemWithReservedName(path);
        if (problem is not null)
        {
            throw new ArtifactException($"Source entry '{path}' cannot be packed: {problem}.");
        }

        // Gone between listing and stat: it was never part of what we pack.
        if (PosixFile.TryLstat(fullPath) is not { } stat)
        {
            return null;
        }

        switch (stat.Kind)
        {
            case PosixFileKind.Regular when stat.Size > MaxFileSize:
                throw new ArtifactException($"Source file '{path}' is larger than 8 GiB, the most a release file can hold.");
            case PosixFileKind.Regular:
                return new SourceEntry(path, fullPath, EntryTypes.File, stat.Size, stat.Permissions, null, stat.ModifiedAt);
            case PosixFileKind.Directory:
                return new SourceEntry(path, fullPath, EntryTypes.Directory, 0, stat.Permissions, null, stat.ModifiedAt);
            case PosixFileKind.Symlink:
                var target = new FileInfo(fullPath).LinkTarget;
                problem = EntryPathRules.ProblemWithLinkTarget(path, target);
                if (problem is not null)
                {
                    throw new ArtifactException($"Symlink '{path}' cannot be packed: {problem}; links must point inside the source tree.");
                }

                // Linux ignores a symlink's own permission bits; 0777 is what lstat reports anyway.
                return new SourceEntry(path, fullPath, EntryTypes.Symlink, 0, (UnixFileMode)0x1FF, target, stat.ModifiedAt);
            default:
                throw new ArtifactException(
                    $"Source entry '{path}' is {Describe(stat.Kind)}; only files, directories and symlinks can be packed.");
        }
    }

    private static string Describe(PosixFileKind kind) => kind switch
    {
        PosixFileKind.CharacterDevice => "a character device",
        PosixFileKind.BlockDevice => "a block device",
        PosixFileKind.Fifo => "a FIFO (named pipe)",
        PosixFileKind.Socket => "a socket",
        _ => "a special file",
    };
}
