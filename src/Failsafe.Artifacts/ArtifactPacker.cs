namespace Failsafe.Artifacts;

/// <summary>
/// Packs a source tree into one artifact. The same tree and request give the same bytes: entries
/// in ordinal order, one timestamp everywhere, no owner names, deterministic gzip.
/// </summary>
public static class ArtifactPacker
{
    public static Task<PackResult> PackAsync(PackRequest request, Stream output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        return PackCoreAsync(request, output, new HashSet<string>(StringComparer.Ordinal), ct);
    }

    /// <summary>Writes a temporary file beside <paramref name="outputPath"/>, flushes it and renames it into place.</summary>
    public static async Task<PackResult> PackToFileAsync(PackRequest request, string outputPath, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = Path.GetFullPath(outputPath);
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Join(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");

        // The output may live inside the source tree (`pack . -o app.fsr`); it must not pack itself.
        var excluded = new HashSet<string>(StringComparer.Ordinal) { target, temporary };
        try
        {
            PackResult result;
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            await using (stream)
            {
                result = await PackCoreAsync(request, stream, excluded, ct);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
            return result;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static async Task<PackResult> PackCoreAsync(PackRequest request, Stream output, HashSet<string> excluded, CancellationToken ct)
    {
        ServiceName.Validate(request.Service);
        ReleaseVersion.Validate(request.Version);
        var sources = SourceTreeScanner.Scan(request.SourceDirectory, excluded);
        var createdAt = CreatedAtPolicy.Resolve(
            request.CreatedAt, Environment.GetEnvironmentVariable(CreatedAtPolicy.SourceDateEpochVariable), sources);

        var entries = new List<ManifestEntry>(sources.Count);
        foreach (var source in sources)
        {
            entries.Add(await SourceFiles.DescribeAsync(source, ct));
        }

        var manifest = new ReleaseManifest(
            ReleaseManifest.CurrentFormatVersion,
            request.Service,
            request.Version,
            createdAt,
            request.EntryCommand,
            request.HealthCheck,
            request.Hooks is null ? null! : [.. request.Hooks],
            entries.Sum(e => e.Size),
            entries.Count,
            [.. entries]);
        ManifestValidator.Validate(manifest);

        var (sha256, size) = await ArtifactWriter.WriteAsync(manifest, sources, output, ct);
        return new PackResult(manifest, sha256, size);
    }
}
