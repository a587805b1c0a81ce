using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>Opens the bytes of an artifact (from the server's blob store; a file in tests).</summary>
internal interface IArtifactSource
{
    Task<Stream> OpenAsync(ArtifactRef artifact, CancellationToken cancellationToken);
}
