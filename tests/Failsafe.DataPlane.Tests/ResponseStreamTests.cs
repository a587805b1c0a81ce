using System.Threading.Channels;

namespace Failsafe.DataPlane.Tests;

public sealed class ResponseStreamTests
{
    [Fact]
    public async Task ReadAsync_ConnectionGoesQuiet_GivesUpWithATimeoutThatIsRetried()
    {
        var quiet = new DripStream();
        using var response = new HttpResponseMessage();
        await using var stream = new ResponseStream(quiet, response, TimeProvider.System, TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => stream.ReadAsync(new byte[16]).AsTask());

        Assert.Equal("The server sent nothing for 0.2 s.", error.Message);
        Assert.True(DownloadRetry.IsTransient(error, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_DataKeepsComing_IsNotCutShort()
    {
        var drip = new DripStream();
        using var response = new HttpResponseMessage();

        // Each gap is well under the idle timeout; all of them together are over it: the clock restarts per read.
        await using var stream = new ResponseStream(drip, response, TimeProvider.System, TimeSpan.FromSeconds(1));
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 6; i++)
            {
                await Task.Delay(200);
                drip.Send((byte)i);
            }

            drip.End();
        });

        var total = 0;
        var buffer = new byte[16];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        await writer;
        Assert.Equal(6, total);
    }

    [Fact]
    public async Task ReadAsync_CallerCancels_IsACancellationNotATimeout()
    {
        using var response = new HttpResponseMessage();
        await using var stream = new ResponseStream(new DripStream(), response, TimeProvider.System, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[16], cancel.Token).AsTask());

        Assert.False(DownloadRetry.IsTransient(error, cancel.Token));
    }

    /// <summary>A response body that yields a byte whenever the test sends one, like a slow network.</summary>
    private sealed class DripStream : ReadOnlyStream
    {
        private readonly Channel<byte> _bytes = Channel.CreateUnbounded<byte>();

        public void Send(byte value) => _bytes.Writer.TryWrite(value);

        public void End() => _bytes.Writer.Complete();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!await _bytes.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            var n = 0;
            while (n < buffer.Length && _bytes.Reader.TryRead(out var value))
            {
                buffer.Span[n++] = value;
            }

            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
