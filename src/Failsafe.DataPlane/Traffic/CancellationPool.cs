using System.Collections.Concurrent;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// Reuses the per-request cancellation sources (each with its timer) instead of allocating them for
/// every request. A source that was cancelled cannot be reset and is disposed instead.
/// </summary>
internal sealed class CancellationPool(TimeProvider time)
{
    private const int MaxPooled = 1024;

    private readonly ConcurrentQueue<CancellationTokenSource> _free = new();
    private int _count;

    public CancellationTokenSource Rent()
    {
        if (_free.TryDequeue(out var source))
        {
            Interlocked.Decrement(ref _count);
            return source;
        }

        return new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    public void Return(CancellationTokenSource source)
    {
        if (source.TryReset())
        {
            if (Interlocked.Increment(ref _count) <= MaxPooled)
            {
                _free.Enqueue(source);
                return;
            }

            Interlocked.Decrement(ref _count);
        }

        source.Dispose();
    }
}
