namespace Failsafe.Artifacts;

/// <summary>
/// Reads what an artifact declares without extracting it: only its first entry is read, so the rest
/// may still be damaged. Use <see cref="ArtifactVerifier"/> before accepting an artifact.
/// </summary>
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
        var stream = ArtifactFile.OpenRead(path);
        await using (stream)
        {
            return await ReadManifestAsync(stream, ct);
        }
    }
}
