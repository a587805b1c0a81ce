using System.Formats.Tar;

namespace Failsafe.Artifacts;

/// <summary>
/// Checks each tar entry against the path rules, the disk and the manifest, in that order, and
/// only then creates it. Entries must arrive in manifest order, so a parent always exists (as a
/// directory this session created) before its children.
/// </summary>
internal sealed class ExtractionSession
{
    private readonly string _root;
    private readonly ReleaseManifest _manifest;
    private readonly Dictionary<string, ManifestEntry> _byPath;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<(string FullPath, UnixFileMode Mode)> _directories = [];
    private readonly ExtractionBudget _budget;
    private int _next;

    public ExtractionSession(string root, ReleaseManifest manifest)
    {
        _root = root;
        _manifest = manifest;
        _byPath = manifest.Files.ToDictionary(e => e.Path, StringComparer.Ordinal);
        _budget = new ExtractionBudget(manifest.TotalSize, manifest.EntryCount);
    }

    public async Task ExtractAsync(ArtifactTarStream reader, TarEntry entry, CancellationToken ct)
    {
        var name = entry.Name;
        var problem = EntryPathRules.ProblemWithEntryName(name);
        if (problem is not null)
        {
            throw ArtifactErrors.Refused(name, problem);
        }

        var type = TypeOf(entry);
        var path = name[ArtifactLayout.FilesPrefix.Length..];
        problem = type == EntryTypes.Symlink ? EntryPathRules.ProblemWithLinkTarget(path, entry.LinkName) : null;
        if (problem is not null)
        {
            throw ArtifactErrors.Refused(name, problem);
        }

        CheckParentOnDisk(name, path);
        _budget.CountEntry(name);
        var expected = Expect(name, path);
        CheckAgainstManifest(entry, type, expected);

        var fullPath = Path.Join(_root, path);
        if (PosixFile.TryLstat(fullPath) is not null)
        {
            throw ArtifactErrors.Refused(name, "it already exists in the destination");
        }

        switch (type)
        {
            case EntryTypes.Directory:
                EntryWriter.CreateDirectory(fullPath);
                _directories.Add((fullPath, ModeText.Parse(expected.Mode)));
                break;
            case EntryTypes.Symlink:
                EntryWriter.CreateSymlink(fullPath, expected.LinkTarget!);
                break;
            default:
                await EntryWriter.WriteFileAsync(reader, entry, expected, fullPath, _budget, ct);
                break;
        }

        _seen.Add(path);
        _next++;
    }

    public void CheckComplete()
    {
        if (_next < _manifest.Files.Count)
        {
            var missing = ArtifactLayout.FilesPrefix + _manifest.Files[_next].Path;
            throw ArtifactErrors.Corrupt($"entry '{missing}' listed in the manifest is missing");
        }
    }

    /// <summary>Deepest first, so no directory loses its write bit before its children are done.</summary>
    public void ApplyDirectoryModesAndFlush()
    {
        for (var i = _directories.Count - 1; i >= 0; i--)
        {
            var (fullPath, mode) = _directories[i];
            File.SetUnixFileMode(fullPath, mode);
            PosixFile.FsyncDirectory(fullPath);
        }

        PosixFile.FsyncDirectory(_root);
    }

    private static string TypeOf(TarEntry entry) => entry.EntryType switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile => EntryTypes.File,
        TarEntryType.Directory => EntryTypes.Directory,
        TarEntryType.SymbolicLink => EntryTypes.Symlink,
        TarEntryType.HardLink => throw ArtifactErrors.Refused(entry.Name, "hard links are not allowed"),
        TarEntryType.CharacterDevice => throw ArtifactErrors.Refused(entry.Name, "character devices are not allowed"),
        TarEntryType.BlockDevice => throw ArtifactErrors.Refused(entry.Name, "block devices are not allowed"),
        TarEntryType.Fifo => throw ArtifactErrors.Refused(entry.Name, "FIFOs are not allowed"),
        var other => throw ArtifactErrors.Refused(entry.Name, $"entry type {other} is not allowed (only files, directories and symlinks)"),
    };

    // The manifest already forbids children of symlinks; this checks what is really on disk.
    private void CheckParentOnDisk(string name, string path)
    {
        var parent = EntryPathRules.ParentOf(path);
        if (parent.Length == 0)
        {
            return;
        }

        var shown = ArtifactLayout.FilesPrefix + parent;
        var problem = PosixFile.TryLstat(Path.Join(_root, parent))?.Kind switch
        {
            null => $"its parent directory '{shown}' has not been extracted before it",
            PosixFileKind.Symlink => $"it would be written through the symlink '{shown}'",
            PosixFileKind.Directory => null,
            _ => $"its parent '{shown}' is not a directory",
        };
        if (problem is not null)
        {
            throw ArtifactErrors.Refused(name, problem);
        }
    }

    private ManifestEntry Expect(string name, string path)
    {
        if (!_byPath.TryGetValue(path, out var expected))
        {
            throw ArtifactErrors.Refused(name, "it is not listed in the manifest");
        }

        if (_seen.Contains(path))
        {
            throw ArtifactErrors.Refused(name, "it appears twice");
        }

        if (!ReferenceEquals(_manifest.Files[_next], expected))
        {
            throw ArtifactErrors.Refused(name, $"it is out of order ('{ArtifactLayout.FilesPrefix}{_manifest.Files[_next].Path}' was expected next)");
        }

        return expected;
    }

    private static void CheckAgainstManifest(TarEntry entry, string type, ManifestEntry expected)
    {
        var problem =
            type != expected.Type ? $"it is a {type} but the manifest says {expected.Type}"
            : entry.Mode != ModeText.Parse(expected.Mode) ? $"its mode 0{Convert.ToString((int)entry.Mode, 8)} differs from the manifest's {expected.Mode}"
            : entry.Length != expected.Size ? $"it is {entry.Length} bytes but the manifest declares {expected.Size}"
            : type == EntryTypes.Symlink && entry.LinkName != expected.LinkTarget ? $"its link target '{entry.LinkName}' differs from the manifest's '{expected.LinkTarget}'"
            : null;
        if (problem is not null)
        {
            throw ArtifactErrors.Refused(entry.Name, problem);
        }
    }
}
