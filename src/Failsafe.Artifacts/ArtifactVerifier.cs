namespace Failsafe.Artifacts;

/// <summary>
/// Reads a whole artifact and applies every rule <see cref="SafeExtractor"/> applies, each file's
/// SHA-256 included, without writing anything: an artifact that passes here extracts, barring
/// disk errors. Meant for accepting an upload, where reading only the manifest
/// (<see cref="ArtifactReader"/>) would let a damaged artifact through to every host.
/// </summary>
public static class ArtifactVerifier
{
    public static Task<ReleaseManifest> VerifyAsync(Stream artifact, ExtractLimits? limits = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return ArtifactPass.RunAsync(artifact, limits ?? ExtractLimits.Default, HashOnlyEntrySink.Instance, ct);
    }

    public static async Task<ReleaseManifest> VerifyAsync(string path, ExtractLimits? limits = null, CancellationToken ct = default)
    {
        var stream = ArtifactFile.OpenRead(path);
        await using (stream)
        {
            return await VerifyAsync(stream, limits, ct);
        }
    }
}
