using System.IO.Pipelines;
using System.Net;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// The client's request body, copied to the instance as it arrives: the pieces Kestrel has read are
/// written from its own buffers and flushed, so nothing is held beyond what one socket read brought.
/// Its length is the client's Content-Length header when there is one (copied into this content's
/// headers), else the instance gets it chunked.
/// </summary>
/// <param name="cancellation">The request's cancellation; its timer is the upstream timeout.</param>
/// <param name="timeout">
/// Restarted after each piece sent, so that a slow client's long upload does not count against the
/// instance: the instance has the whole timeout to answer after the last byte it got.
/// </param>
internal sealed class StreamingRequestContent(PipeReader source, CancellationTokenSource cancellation, TimeSpan timeout) : HttpContent
{
    private readonly CancellationToken _cancel = cancellation.Token;
    private Task? _copy;
    private volatile bool _answered;

    /// <summary>True when reading from the client failed (it went away or sent a malformed body).</summary>
    public bool ClientFailed { get; private set; }

    /// <summary>The copy, once the handler started it; it must end before the request's resources are released.</summary>
    public Task? Copy => _copy;

    /// <summary>The response headers arrived: from now on the response side owns the timer.</summary>
    public void Answered() => _answered = true;

    // The token given here is only the SendAsync token; the request-long one from the constructor is used.
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        SerializeToStreamAsync(stream, context);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        if (_copy is not null)
        {
            throw new InvalidOperationException("The request body can be sent only once.");
        }

        return _copy = CopyAsync(stream);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }

    private async Task CopyAsync(Stream destination)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await source.ReadAsync(_cancel);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ClientFailed = true;
                throw new IOException("Reading the request body from the client failed.", e);
            }

            var buffer = result.Buffer;
            try
            {
                foreach (var segment in buffer)
                {
                    await destination.WriteAsync(segment, _cancel);
                }
            }
            finally
            {
                source.AdvanceTo(buffer.End);
            }

            if (result.IsCompleted)
            {
                return;
            }

            _cancel.ThrowIfCancellationRequested();
            await destination.FlushAsync(_cancel);
            if (!_answered)
            {
                cancellation.CancelAfter(timeout);
            }
        }
    }
}
