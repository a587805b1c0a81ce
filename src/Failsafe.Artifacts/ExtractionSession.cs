using System.Formats.Tar;

namespace Failsafe.Artifacts;

/// <summary>
/// Checks each tar entry against the path rules, the entries before it and the manifest, in that
/// order, and only then hands it to the sink. Extraction and verification both run through here,
/// so they refuse the same artifacts with the same words. Entries must arrive in manifest order,
/// so a parent has always been accepted (as a directory) before its children.
/// </summary>
internal sealed class ExtractionSession
{
    private readonly ReleaseManifest _manifest;
    private readonly IEntrySink _sink;
    private readonly Dictionary<string, ManifestEntry> _byPath;

    // Path → type of every entry accepted so far: the lexical view of the tree, which is all a
    // verifier has and which the extractor checks too before it looks at the disk.
    private readonly Dictionary<string, string> _accepted = new(StringComparer.Ordinal);
    private readonly ExtractionBudget _budget;
    private int _next;

    public ExtractionSession(ReleaseManifest manifest, IEntrySink sink)
    {
        _manifest = manifest;
        _sink = sink;
        _byPath = manifest.Files.ToDictionary(e => e.Path, StringComparer.Ordinal);
        _budget = new ExtractionBudget(manifest.TotalSize, manifest.EntryCount);
    }

    public async Task AcceptAsync(ArtifactTarStream reader, TarEntry entry, CancellationToken ct)
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
        problem ??= ProblemWithParent(path);
        if (problem is not null)
        {
            throw ArtifactErrors.Refused(name, problem);
        }

        _budget.CountEntry(name);
        var expected = Expect(name, path);
        CheckAgainstManifest(entry, type, expected);
        _sink.CheckPlace(name, path);

        var mode = ModeText.Parse(expected.Mode);
        switch (type)
        {
            case EntryTypes.Directory:
                _sink.CreateDirectory(path, mode);
                break;
            case EntryTypes.Symlink:
                _sink.CreateSymlink(path, expected.LinkTarget!);
                break;
            default:
                await _sink.WriteFileAsync(path, mode, file => EntryContent.CopyCheckedAsync(reader, entry, expected, _budget, file, ct));
                break;
        }

        _accepted.Add(path, type);
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

    // The manifest already forbids children of symlinks; this holds the tar to the same rule
    // whether or not the entry is listed, so nothing is ever placed under an accepted symlink.
    private string? ProblemWithParent(string path)
    {
        var parent = EntryPathRules.ParentOf(path);
        return parent.Length == 0
            ? null
            : EntryPathRules.ProblemWithParent(ArtifactLayout.FilesPrefix + parent, _accepted.GetValueOrDefault(parent));
    }

    private ManifestEntry Expect(string name, string path)
    {
        if (!_byPath.TryGetValue(path, out var expected))
        {
            throw ArtifactErrors.Refused(name, "it is not listed in the manifest");
        }

        if (_accepted.ContainsKey(path))
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
