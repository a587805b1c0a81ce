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
}
