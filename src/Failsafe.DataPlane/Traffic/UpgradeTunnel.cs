using System.Buffers;

namespace Failsafe.DataPlane.Traffic;

/// <summary>Copies bytes both ways between an upgraded client connection and the instance's (WebSocket and the like).</summary>
internal static class UpgradeTunnel
{
    private const int BufferSize = 16 * 1024;

    /// <summary>Runs until either side closes or fails, then stops the other direction.</summary>
    /// <returns>Why it ended: "closed" or the first failure.</returns>
    public static async Task<string> RunAsync(Stream client, Stream upstream, CancellationTokenSource stop)
    {
        var up = PumpAsync(client, upstream, stop.Token);
        var down = PumpAsync(upstream, client, stop.Token);
        var first = await Task.WhenAny(up, down);

        // Once one side is done the session is over (WebSocket closes in-band before the TCP close).
        await stop.CancelAsync();
        var second = first == up ? down : up;
        return await first ?? await second ?? "closed";
    }

    /// <returns>Null when the source ended cleanly, else what went wrong.</returns>
    private static async Task<string?> PumpAsync(Stream source, Stream destination, CancellationToken cancel)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await source.ReadAsync(buffer, cancel);
                if (read == 0)
                {
                    return null;
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancel);
                await destination.FlushAsync(cancel);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or HttpRequestException)
        {
            return e.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
