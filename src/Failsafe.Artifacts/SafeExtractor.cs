namespace Failsafe.Artifacts;

/// <summary>
/// Extracts an artifact into a new directory, refusing anything that could write outside it,
/// differ from the manifest or exhaust the disk. On a refusal, whatever was written stays inside
/// the destination, which the caller deletes. <see cref="ArtifactVerifier"/> applies the same
/// rules without writing.
/// </summary>
public static class SafeExtractor
{
    public static Task<ReleaseManifest> ExtractAsync(
        Stream artifact, string destinationDirectory, ExtractLimits? limits = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var root = PrepareDestination(destinationDirectory);
        return ArtifactPass.RunAsync(artifact, limits ?? ExtractLimits.Default, new DiskEntrySink(root), ct);
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
}
