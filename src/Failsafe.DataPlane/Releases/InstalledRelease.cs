using Failsafe.Artifacts;

namespace Failsafe.DataPlane;

/// <summary>A release that is complete and verified under its final name.</summary>
internal sealed record InstalledRelease(string Name, string Directory, ReleaseManifest Manifest);

/// <summary>An artifact downloaded into a staging directory whose size and SHA-256 matched.</summary>
internal sealed record StagedArtifact(string StagingDirectory, string ArtifactPath, string Sha256, long Size);
