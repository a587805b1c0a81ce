using System.Net;

namespace Failsafe.DataPlane.Tests.Traffic;

/// <summary>
/// A request body of the test pattern, written in pieces. With no length it goes chunked. It can stop
/// half-way until a condition holds, to show that the far side got bytes before the sender finished.
/// </summary>
internal sealed class PatternContent(long size, bool chunked, int pieceSize = 64 * 1024, Func<Task>? atHalf = null, TimeSpan pause = default) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var buffer = new byte[pieceSize];
        var halfDone = false;
        for (long sent = 0; sent < size;)
        {
            if (!halfDone && sent >= size / 2 && atHalf is not null)
            {
                halfDone = true;
                await stream.FlushAsync();
                await atHalf();
            }

            var count = (int)Math.Min(buffer.Length, size - sent);
            for (var i = 0; i < count; i++)
            {
                buffer[i] = TestUpstream.Pattern(sent + i);
            }

            await stream.WriteAsync(buffer.AsMemory(0, count));
            sent += count;
            if (pause > TimeSpan.Zero)
            {
                await stream.FlushAsync();
                await Task.Delay(pause);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = chunked ? -1 : size;
        return !chunked;
    }
}
