using System.Text;

namespace Failsafe.Artifacts;

/// <summary>
/// The manifest copy an installer keeps at the root of an installed release
/// (<see cref="ArtifactLayout.InstalledManifestName"/>): what <see cref="ReleaseVerifier.VerifyInstalledAsync"/>
/// checks the release against later.
/// </summary>
public static class InstalledManifest
{
    private const UnixFileMode CopyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// Writes the copy so that a crash leaves either no copy or a complete one: a temporary file,
    /// flushed, renamed over the name, then the directory flushed.
    /// </summary>
    public static async Task WriteAsync(string releaseDirectory, ReleaseManifest manifest, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);

        // A copy that would not read back must not be written: it would make the release unverifiable.
        ManifestValidator.Validate(manifest);
        var root = Path.GetFullPath(releaseDirectory);
        var temporary = Path.Join(root, $"{ArtifactLayout.InstalledManifestName}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = CopyMode };
        try
        {
            var file = new FileStream(temporary, options);
            await using (file)
            {
                await file.WriteAsync(Encoding.UTF8.GetBytes(ManifestJson.Serialize(manifest)), ct);
                file.Flush(flushToDisk: true);
            }

            // With overwrite, File.Move is rename(2): atomic, replacing any older copy.
            File.Move(temporary, Path.Join(root, ArtifactLayout.InstalledManifestName), overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        PosixFile.FsyncDirectory(root);
    }

    /// <summary>
    /// Reads and validates the copy, without checking the release's files against it (that is
    /// <see cref="ReleaseVerifier.VerifyInstalledAsync"/>). Synchronous: it is one small file.
    /// </summary>
    public static ReleaseManifest Read(string releaseDirectory)
    {
        var root = Path.GetFullPath(releaseDirectory);
        var path = Path.Join(root, ArtifactLayout.InstalledManifestName);
        switch (PosixFile.TryLstat(path))
        {
            case null:
                throw new ArtifactException(
                    $"Release '{root}' has no '{ArtifactLayout.InstalledManifestName}' (the manifest copy an installer keeps); it was not installed by Failsafe.");
            case { Kind: not PosixFileKind.Regular } stat:
                throw new ArtifactException(
                    $"Release '{root}' has a {ReleaseVerifier.Describe(stat.Kind)} named '{ArtifactLayout.InstalledManifestName}' where the manifest copy, a regular file, belongs.");
            case { Size: > ArtifactTarStream.MaxManifestBytes }:
                throw new ArtifactException($"The manifest copy '{path}' is larger than {ArtifactTarStream.MaxManifestBytes >> 20} MiB.");
        }

        var manifest = ManifestJson.Parse(File.ReadAllText(path), path);
        try
        {
            ManifestValidator.Validate(manifest);
        }
        catch (ArtifactException ex)
        {
            throw new ArtifactException($"The manifest in '{path}' is not valid: {ex.Message}", ex);
        }

        return manifest;
    }
}
