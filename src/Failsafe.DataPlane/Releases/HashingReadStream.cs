using System.Security.Cryptography;

namespace Failsafe.DataPlane;

/// <summary>A read-only pass-through that hashes and counts what flows through it, so an artifact is verified while it is downloaded.</summary>
internal sealed class HashingReadStream(Stream inner, long maxBytes) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    /// <summary>True once more bytes arrived than the expected size: the rest is not read.</summary>
    public bool Overflowed { get; private set; }

    public string HashHex() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        return Account(buffer[..read]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        BytesRead += data.Length;
        if (BytesRead > maxBytes)
        {
            Overflowed = true;
            throw new InvalidDataException($"The artifact is larger than the expected {maxBytes} bytes.");
        }

        _hash.AppendData(data);
        return data.Length;
    }
}
