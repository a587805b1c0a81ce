namespace Failsafe.Artifacts;

/// <summary>
/// Re-checks an installed release against its manifest before it is switched to again: every
/// entry present with its type, mode, size, hash or link target, and nothing else. A release
/// directory is immutable, so anything added since extraction counts as tampering; the
/// exceptions are the installer's manifest copy (<see cref="ArtifactLayout.InstalledManifestName"/>)
/// and rendering record (<see cref="ArtifactLayout.InstalledRenderingName"/>), regular files at the
/// root whose names no manifest may list. Files the installer rendered (substituted variables into)
/// are checked against the rendered hashes of that record instead of the manifest's.
/// </summary>
public static class ReleaseVerifier
{
    /// <summary>
    /// Verifies an installed release against the manifest copy kept inside it (see
    /// <see cref="InstalledManifest"/>) and returns that manifest.
    /// </summary>
    public static async Task<ReleaseManifest> VerifyInstalledAsync(string releaseDirectory, CancellationToken ct = default)
    {
        var root = RequireDirectory(releaseDirectory);
        var manifest = InstalledManifest.Read(root);
        await VerifyDirectoryAsync(root, manifest, InstalledRendering.Read(root), ct);
        return manifest;
    }

    public static Task VerifyDirectoryAsync(string releaseDirectory, ReleaseManifest manifest, CancellationToken ct = default) =>
        VerifyDirectoryAsync(releaseDirectory, manifest, rendering: null, ct);

    /// <param name="rendering">The files an installer rendered: checked against these sizes and hashes, not the manifest's.</param>
    public static async Task VerifyDirectoryAsync(string releaseDirectory, ReleaseManifest manifest, ReleaseRendering? rendering, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ManifestValidator.Validate(manifest);
        var root = RequireDirectory(releaseDirectory);
        var rendered = RenderedEntries(root, manifest, rendering);
        foreach (var listed in manifest.Files)
        {
            ct.ThrowIfCancellationRequested();
            var entry = rendered.TryGetValue(listed.Path, out var file) ? listed with { Size = file.Size, Sha256 = file.Sha256 } : listed;
            var problem = await ProblemWithAsync(Path.Join(root, entry.Path), entry, ct);
            if (problem is not null)
            {
                throw Mismatch(root, entry.Path, problem);
            }
        }

        var unlisted = FindUnlisted(root, manifest);
        if (unlisted is { } found)
        {
            throw Mismatch(root, found.Path, found.Problem);
        }
    }

    internal static string Describe(PosixFileKind kind) => kind switch
    {
        PosixFileKind.Regular => EntryTypes.File,
        PosixFileKind.Directory => EntryTypes.Directory,
        PosixFileKind.Symlink => EntryTypes.Symlink,
        _ => "special file",
    };

    private static Dictionary<string, RenderedFile> RenderedEntries(string root, ReleaseManifest manifest, ReleaseRendering? rendering)
    {
        var rendered = new Dictionary<string, RenderedFile>(StringComparer.Ordinal);
        foreach (var file in rendering?.Files ?? [])
        {
            if (!manifest.Files.Any(e => e.Path == file.Path && e.Type == EntryTypes.File) || !rendered.TryAdd(file.Path, file))
            {
                throw new ArtifactException(
                    $"Release '{root}' has a rendering record naming '{file.Path}', which is not a file of its manifest (or is named twice).");
            }
        }

        return rendered;
    }

    private static string RequireDirectory(string releaseDirectory)
    {
        var root = Path.GetFullPath(releaseDirectory);
        return PosixFile.TryLstat(root)?.Kind == PosixFileKind.Directory
            ? root
            : throw new ArtifactException($"Release directory '{root}' does not exist.");
    }

    private static async Task<string?> ProblemWithAsync(string fullPath, ManifestEntry entry, CancellationToken ct)
    {
        if (PosixFile.TryLstat(fullPath) is not { } stat)
        {
            return "is missing";
        }

        var type = Describe(stat.Kind);
        if (type != entry.Type)
        {
            return $"is a {type} but the manifest says {entry.Type}";
        }

        if (type == EntryTypes.Symlink)
        {
            var target = new FileInfo(fullPath).LinkTarget;
            return target == entry.LinkTarget ? null : $"points to '{target}' but the manifest says '{entry.LinkTarget}'";
        }

        if (ModeText.Format(stat.Permissions) != entry.Mode)
        {
            return $"has mode {ModeText.Format(stat.Permissions)} but the manifest says {entry.Mode}";
        }

        if (type == EntryTypes.Directory)
        {
            return null;
        }

        if (stat.Size != entry.Size)
        {
            return $"is {stat.Size} bytes but the manifest says {entry.Size}";
        }

        return await Sha256Hex.OfFileAsync(fullPath, ct) == entry.Sha256 ? null : "has been modified (its SHA-256 differs from the manifest)";
    }

    // Only the root and the manifest's directories need listing: every one of them was just checked.
    private static (string Path, string Problem)? FindUnlisted(string root, ReleaseManifest manifest)
    {
        var listed = manifest.Files.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var directories = manifest.Files.Where(e => e.Type == EntryTypes.Directory).Select(e => e.Path).Prepend("");
        foreach (var directory in directories)
        {
            var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false };
            foreach (var child in Directory.EnumerateFileSystemEntries(Path.Join(root, directory), "*", options).Order(StringComparer.Ordinal))
            {
                var path = directory.Length == 0 ? Path.GetFileName(child) : directory + "/" + Path.GetFileName(child);
                if (path is ArtifactLayout.InstalledManifestName or ArtifactLayout.InstalledRenderingName)
                {
                    var kind = PosixFile.TryLstat(child)?.Kind;
                    if (kind is PosixFileKind.Regular or null)
                    {
                        continue;
                    }

                    var what = path == ArtifactLayout.InstalledManifestName ? "manifest copy" : "rendering record";
                    return (path, $"is a {Describe(kind.Value)}, but the {what} an installer keeps under that name is a regular file");
                }

                if (!listed.Contains(path))
                {
                    return (path, "is not listed in the manifest");
                }
            }
        }

        return null;
    }

    private static ArtifactException Mismatch(string root, string path, string problem) =>
        new($"Release '{root}' does not match its manifest: '{path}' {problem}.");
}
