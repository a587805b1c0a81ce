using Failsafe.Contracts;

namespace Failsafe.DataPlane.Tests;

/// <summary>Artifacts served from files, the way the server's blob store serves them by hash.</summary>
internal sealed class FileArtifactSource : IArtifactSource
{
    private readonly Dictionary<string, string> _files = new(StringComparer.OrdinalIgnoreCase);

    public int Opened { get; private set; }

    public void Add(string sha256, string path) => _files[sha256] = path;

    public Task<Stream> OpenAsync(ArtifactRef artifact, CancellationToken cancellationToken)
    {
        Opened++;
        return _files.TryGetValue(artifact.Sha256, out var path)
            ? Task.FromResult<Stream>(File.OpenRead(path))
            : throw new HttpRequestException($"404: no blob {artifact.Sha256}");
    }
}
