using System.Security.Cryptography;

namespace Failsafe.Artifacts;

/// <summary>
/// A source file as TarWriter sees it: exactly the length the manifest declares (TarWriter writes
/// the header from Length, then copies to end of stream), hashed on the way so that a file edited
/// between hashing and writing is caught instead of silently disagreeing with the manifest.
/// </summary>
internal sealed class SourceFileStream(Stream inner, string path, long length, string sha256) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var wanted = Wanted(buffer.Length);
        return wanted == 0 ? 0 : Account(buffer[..inner.Read(buffer[..wanted])]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = Wanted(buffer.Length);
        if (wanted == 0)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer[..wanted], cancellationToken);
        return Account(buffer.Span[..read]);
    }

    /// <summary>Call after TarWriter has copied the data: the file must end here and match its hash.</summary>
    public void VerifyComplete()
    {
        Span<byte> probe = stackalloc byte[1];
        if (_position != length || inner.Read(probe) != 0 || Convert.ToHexStringLower(_hash.GetHashAndReset()) != sha256)
        {
            throw Changed();
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Wanted(int bufferLength) => (int)Math.Min(bufferLength, length - _position);

    private int Account(ReadOnlySpan<byte> read)
    {
        if (read.Length == 0)
        {
            throw Changed();
        }

        _hash.AppendData(read);
        _position += read.Length;
        return read.Length;
    }

    private ArtifactException Changed() => new($"Source file '{path}' changed while it was being packed; pack again.");
}
