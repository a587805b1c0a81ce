using Failsafe.Artifacts;

namespace Failsafe.DataPlane;

internal static class InstalledReleaseVerifier
{
    /// <summary>
    /// The verifier accepts nothing the manifest does not list, and the manifest cannot list its
    /// own copy; so the copy is listed as it is on disk (it is the reference, not what is checked).
    /// </summary>
    public static async Task VerifyAsync(string directory, ReleaseManifest manifest, CancellationToken cancellationToken)
    {
        var copy = Path.Combine(directory, ServicePaths.ManifestFileName);
        var size = new FileInfo(copy).Length;
        var mode = Convert.ToString((int)File.GetUnixFileMode(copy) & 0x1FF, 8).PadLeft(4, '0');
        var entry = new ManifestEntry(ServicePaths.ManifestFileName, EntryTypes.File, size, mode, await Sha256Hex.OfFileAsync(copy, cancellationToken).ConfigureAwait(false));
        var files = manifest.Files.Append(entry).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        var listed = manifest with { Files = files, EntryCount = files.Count, TotalSize = manifest.TotalSize + size };
        await ReleaseVerifier.VerifyDirectoryAsync(directory, listed, cancellationToken).ConfigureAwait(false);
    }
}
