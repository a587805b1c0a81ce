namespace Failsafe.DataPlane;

/// <summary>
/// A response body that disposes its response (and so frees the connection) when it is disposed,
/// and gives up on a connection that goes quiet: without that, a half-open connection would hold
/// the agent's only worker forever (there is no deadline on a whole download of unknown length).
/// </summary>
internal sealed class ResponseStream(Stream inner, HttpResponseMessage response, TimeProvider time, TimeSpan? idleTimeout = null) : ReadOnlyStream
{
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(60);

    private readonly TimeSpan _idleTimeout = idleTimeout ?? DefaultIdleTimeout;

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = new Deadline(_idleTimeout, time, cancellationToken);
        try
        {
            return await inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (idle.TimedOut && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The server sent nothing for {_idleTimeout.TotalSeconds:0.#} s.");
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
