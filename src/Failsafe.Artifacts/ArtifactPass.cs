namespace Failsafe.Artifacts;

/// <summary>
/// One full read of an artifact: the manifest and its limits, every entry through
/// <see cref="ExtractionSession"/>, every listed entry present, and nothing after the end of the
/// archive. The sink decides whether anything is written.
/// </summary>
internal static class ArtifactPass
{
    public static async Task<ReleaseManifest> RunAsync(Stream artifact, ExtractLimits limits, IEntrySink sink, CancellationToken ct)
    {
        var reader = new ArtifactTarStream(artifact);
        await using (reader)
        {
            var manifest = await reader.ReadManifestAsync(ct);
            CheckLimits(manifest, limits);
            var session = new ExtractionSession(manifest, sink);
            while (await reader.NextAsync(ct) is { } entry)
            {
                await session.AcceptAsync(reader, entry, ct);
            }

            session.CheckComplete();
            await reader.DrainAsync(ct);
            sink.Complete();
            return manifest;
        }
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
