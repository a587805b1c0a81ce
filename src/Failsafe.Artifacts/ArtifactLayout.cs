namespace Failsafe.Artifacts;

/// <summary>
/// The artifact is a gzip-compressed tar: <see cref="ManifestEntryName"/> first, then every file
/// of the release under <see cref="FilesPrefix"/>, in ordinal order of path.
/// </summary>
public static class ArtifactLayout
{
    public const string ManifestEntryName = "failsafe-manifest.json";
    public const string FilesPrefix = "files/";
    public const string FileExtension = ".fsr";

    /// <summary>
    /// The manifest copy an installer keeps at the root of an installed release, so the release
    /// can be verified again later (<see cref="ReleaseVerifier.VerifyInstalledAsync"/>). The name
    /// is reserved: no release may hold a root entry of its own by that name.
    /// </summary>
    public const string InstalledManifestName = ".failsafe-manifest.json";

    /// <summary>
    /// The record an installer keeps beside the manifest copy when it substituted variables into
    /// files of the release (<see cref="InstalledRendering"/>): those files are then verified against
    /// their rendered hashes. Reserved at the root like <see cref="InstalledManifestName"/>.
    /// </summary>
    public const string InstalledRenderingName = ".failsafe-rendering.json";
}
