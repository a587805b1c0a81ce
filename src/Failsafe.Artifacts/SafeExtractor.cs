namespace Failsafe.Artifacts;

/// <summary>
/// Extracts an artifact into a new directory, refusing anything that could write outside it,
/// differ from the manifest or exhaust the disk. On a refusal, whatever was written stays inside
/// the destination, which the caller deletes.
/// </summary>
public static class SafeExtractor
{
    public static async Task<ReleaseManifest> ExtractAsync(
        Stream artifact, string destinationDirectory, ExtractLimits? limits = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        limits ??= ExtractLimits.Default;
        var root = PrepareDestination(destinationDirectory);
        var reader = new ArtifactTarStream(artifact);
        await using (reader)
        {
            var manifest = await reader.ReadManifestAsync(ct);
            CheckLimits(manifest, limits);
            var session = new ExtractionSession(root, manifest);
            while (await reader.NextAsync(ct) is { } entry)
            {
                await session.ExtractAsync(reader, entry, ct);
            }

            session.CheckComplete();
            await reader.DrainAsync(ct);
            session.ApplyDirectoryModesAndFlush();
            return manifest;
        }
    }

    private static string PrepareDestination(string destinationDirectory)
    {
        var root = Path.GetFullPath(destinationDirectory);
        var stat = PosixFile.TryLstat(root);
        if (stat is null)
        {
            Directory.CreateDirectory(root);
        }
        else if (stat.Value.Kind != PosixFileKind.Directory || Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new ArtifactException($"Extraction destination '{root}' must not exist or must be an empty directory.");
        }

        return root;
    }

    private static void CheckLimits(ReleaseManifest manifest, ExtractLimits limits)
    {
        var name = ArtifactLayout.ManifestEntryName;
        if (manifest.TotalSize > limits.MaxTotalSize)
        {
            throw ArtifactErrors.Refused(name, $"it declares {manifest.TotalSize} bytes of files, more than the limit of {limits.MaxTotalSize}");
        }

        if (manifest.EntryCount > limits.MaxEntryCount)
        {
            throw ArtifactErrors.Refused(name, $"it declares {manifest.EntryCount} entries, more than the limit of {limits.MaxEntryCount}");
        }
    }
}
