using System.Security.Cryptography;
using Failsafe.Artifacts;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// Puts a release on disk: download into <c>releases/.staging-&lt;id&gt;-&lt;random&gt;</c> while
/// hashing, extract and verify there, then rename into <c>releases/&lt;version&gt;-&lt;id&gt;</c>. A
/// directory under a release name is therefore always complete; staging leftovers are junk.
/// </summary>
internal sealed class ReleaseInstaller(ILogger<ReleaseInstaller> logger)
{
    private const string ArtifactFileName = "artifact" + ArtifactLayout.FileExtension;
    private const string ExtractDirectoryName = "release";

    /// <summary>The installed release with this artifact's id, verified again; null when it is not installed.</summary>
    public async Task<InstalledRelease?> FindInstalledAsync(ServicePaths service, string sha256, CancellationToken cancellationToken)
    {
        var id = ReleaseNames.IdOf(sha256);
        if (!Directory.Exists(service.Releases))
        {
            return null;
        }

        var name = Directory.EnumerateDirectories(service.Releases)
            .Select(Path.GetFileName)
            .FirstOrDefault(n => ReleaseNames.IdFromName(n!) == id);
        if (name is null)
        {
            return null;
        }

        try
        {
            return await LoadVerifiedAsync(service, name, cancellationToken).ConfigureAwait(false);
        }
        catch (ArtifactException e) when (CurrentLink.Read(service) != name)
        {
            // A damaged copy that nothing runs from: move it out of the way and install afresh.
            Log.DamagedReleaseReplaced(logger, service.Name, name, e.Message);
            ReleaseDirectories.MoveAsideAndDelete(service, name);
            return null;
        }
    }

    /// <summary>Reads the manifest kept inside an installed release and checks every file against it.</summary>
    public async Task<InstalledRelease> LoadVerifiedAsync(ServicePaths service, string release, CancellationToken cancellationToken)
    {
        var directory = service.ReleaseDirectory(release);
        if (!ReleaseNames.IsReleaseName(release) || !Directory.Exists(directory))
        {
            throw new ArtifactException($"Release {release} of {service.Name} is not installed on this host.");
        }

        var manifest = await ReleaseVerifier.VerifyInstalledAsync(directory, cancellationToken).ConfigureAwait(false);
        return new InstalledRelease(release, directory, manifest);
    }

    /// <summary>How an installed release was rendered (null: no substitution), read without checking the files against it.</summary>
    public static ReleaseRendering? ReadRendering(ServicePaths service, string release) =>
        InstalledRendering.Read(service.ReleaseDirectory(release));

    /// <summary>The manifest copy of an installed release, read without checking the files against it.</summary>
    public static ReleaseManifest ReadManifest(ServicePaths service, string release) =>
        InstalledManifest.Read(service.ReleaseDirectory(release));

    public async Task<InstalledRelease> InstallAsync(
        ServicePaths service, Stream source, string sha256, long size, string? expectedVersion, CancellationToken cancellationToken,
        ReleaseRenderer.Request? render = null)
    {
        if (await FindInstalledAsync(service, sha256, cancellationToken).ConfigureAwait(false) is { } installed)
        {
            return installed;
        }

        var staged = await DownloadAsync(service, source, sha256, size, cancellationToken).ConfigureAwait(false);
        Verify(staged, sha256, size);
        return await ExtractAsync(service, staged, expectedVersion, cancellationToken, render).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies the artifact into a new staging directory, hashing and counting it on the way (more
    /// than <paramref name="expectedSize"/> bytes is refused at once). See <see cref="Verify"/>.
    /// </summary>
    public async Task<StagedArtifact> DownloadAsync(
        ServicePaths service, Stream source, string expectedSha256, long expectedSize, CancellationToken cancellationToken)
    {
        if (!ReleaseNames.IsSha256(expectedSha256))
        {
            throw new ArtifactException($"'{expectedSha256}' is not a SHA-256 (64 hex characters).");
        }

        service.EnsureCreated();
        var staging = Path.Combine(
            service.Releases,
            $"{ServicePaths.StagingPrefix}{ReleaseNames.IdOf(expectedSha256)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        Directory.CreateDirectory(staging);
        try
        {
            var artifactPath = Path.Combine(staging, ArtifactFileName);
            using var hashing = new HashingReadStream(source, expectedSize);
            await using (var file = new FileStream(artifactPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                try
                {
                    await hashing.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException) when (hashing.Overflowed)
                {
                    throw new ArtifactException($"The artifact is larger than the expected {expectedSize} bytes.");
                }

                file.Flush(flushToDisk: true);
            }

            return new StagedArtifact(staging, artifactPath, hashing.HashHex(), hashing.BytesRead);
        }
        catch
        {
            ReleaseDirectories.DeleteQuietly(staging);
            throw;
        }
    }

    /// <summary>Checks a downloaded artifact against what the task announced; on a mismatch the staging directory is removed.</summary>
    public static void Verify(StagedArtifact staged, string expectedSha256, long expectedSize)
    {
        string? problem = null;
        if (staged.Size != expectedSize)
        {
            problem = $"The artifact has {staged.Size} bytes, expected {expectedSize}.";
        }
        else if (!string.Equals(staged.Sha256, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            problem = $"The artifact's SHA-256 is {staged.Sha256}, expected {expectedSha256.ToLowerInvariant()}.";
        }

        if (problem is not null)
        {
            ReleaseDirectories.DeleteQuietly(staged.StagingDirectory);
            throw new ArtifactException(problem);
        }
    }

    /// <summary>
    /// Extracts a staged artifact, verifies it, substitutes variables into the files <paramref name="render"/> names
    /// and renames it into place; the staging directory is gone afterwards either way.
    /// </summary>
    public async Task<InstalledRelease> ExtractAsync(
        ServicePaths service, StagedArtifact staged, string? expectedVersion, CancellationToken cancellationToken, ReleaseRenderer.Request? render = null)
    {
        try
        {
            var extractTo = Path.Combine(staged.StagingDirectory, ExtractDirectoryName);
            ReleaseManifest manifest;
            await using (var artifact = new FileStream(staged.ArtifactPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            {
                manifest = await SafeExtractor.ExtractAsync(artifact, extractTo, limits: null, cancellationToken).ConfigureAwait(false);
            }

            if (manifest.Service != service.Name)
            {
                throw new ArtifactException($"The artifact is a release of '{manifest.Service}', not of '{service.Name}'.");
            }

            if (expectedVersion is not null && manifest.Version != expectedVersion)
            {
                throw new ArtifactException($"The artifact is version {manifest.Version}, expected {expectedVersion}.");
            }

            var name = ReleaseNames.For(manifest.Version, staged.Sha256);
            if (!ReleaseNames.IsReleaseName(name))
            {
                throw new ArtifactException($"Version '{manifest.Version}' cannot name a release directory.");
            }

            if (render is { Patterns.Count: > 0 })
            {
                // Rendered while staged: under its final name a release is complete and rendered, or not there at all.
                var rendering = await ReleaseRenderer.RenderAsync(extractTo, manifest, render.Patterns, render.Variables, cancellationToken).ConfigureAwait(false);
                await InstalledRendering.WriteAsync(extractTo, rendering, cancellationToken).ConfigureAwait(false);
            }

            // The manifest travels with the release so that activation can verify the files again later.
            await InstalledManifest.WriteAsync(extractTo, manifest, cancellationToken).ConfigureAwait(false);

            var final = service.ReleaseDirectory(name);
            if (Directory.Exists(final))
            {
                // Installed meanwhile (same bytes, since the id is the hash): keep the one already there.
                return await LoadVerifiedAsync(service, name, cancellationToken).ConfigureAwait(false);
            }

            PosixFile.Rename(extractTo, final);
            PosixFile.FsyncDirectory(service.Releases);
            Log.ReleaseInstalled(logger, service.Name, name);
            return new InstalledRelease(name, final, manifest);
        }
        finally
        {
            ReleaseDirectories.DeleteQuietly(staged.StagingDirectory);
        }
    }
}
