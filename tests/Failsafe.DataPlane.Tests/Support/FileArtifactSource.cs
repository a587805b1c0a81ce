using System.Net;
using Failsafe.Contracts;

namespace Failsafe.DataPlane.Tests;

/// <summary>Artifacts served from files, the way the server's blob store serves them by hash; it can fail on purpose.</summary>
internal sealed class FileArtifactSource : IArtifactSource
{
    private readonly Dictionary<string, string> _files = new(StringComparer.OrdinalIgnoreCase);

    public int Opened { get; private set; }

    /// <summary>How many of the next opens fail as if the server were away.</summary>
    public int RefuseNext { get; set; }

    /// <summary>How many of the next downloads are cut after a few bytes, as by a server restart.</summary>
    public int CutNext { get; set; }

    public void Add(string sha256, string path) => _files[sha256] = path;

    public Task<Stream> OpenAsync(ArtifactRef artifact, CancellationToken cancellationToken)
    {
        Opened++;
        if (RefuseNext > 0)
        {
            RefuseNext--;
            throw new HttpRequestException("Connection refused (127.0.0.1:7443)");
        }

        if (!_files.TryGetValue(artifact.Sha256, out var path))
        {
            throw new HttpRequestException($"404: no blob {artifact.Sha256}", null, HttpStatusCode.NotFound);
        }

        if (CutNext > 0)
        {
            CutNext--;
            return Task.FromResult<Stream>(new CutStream(File.OpenRead(path), cutAfter: 4096));
        }

        return Task.FromResult<Stream>(File.OpenRead(path));
    }

    private sealed class CutStream(Stream inner, long cutAfter) : ReadOnlyStream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= cutAfter)
            {
                throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            }

            var n = inner.Read(buffer, offset, (int)Math.Min(count, cutAfter - _read));
            _read += n;
            return n;
        }


        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
