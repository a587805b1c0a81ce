namespace Failsafe.Artifacts;

/// <summary>Reads what an artifact declares without extracting it: only its first entry is read.</summary>
public static class ArtifactReader
{
    public static async Task<ReleaseManifest> ReadManifestAsync(Stream artifact, CancellationToken ct = default)
    {
        var reader = new ArtifactTarStream(artifact);
        await using (reader)
        {
            return await reader.ReadManifestAsync(ct);
        }
    }

    public static async Task<ReleaseManifest> ReadManifestAsync(string path, CancellationToken ct = default)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArtifactException($"Cannot open artifact '{path}': {ex.Message}", ex);
        }

        await using (stream)
        {
            return await ReadManifestAsync(stream, ct);
        }
    }
}
