namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// Requests in flight to one backend. Shared by every route that names the same backend, so a drain
/// sees requests that started under an older route too.
/// </summary>
internal sealed class InFlightCounter
{
    private int _count;

    // Set only while someone drains; completed when the count reaches zero.
    private TaskCompletionSource? _idle;

    public int Count => Volatile.Read(ref _count);

    public void Enter() => Interlocked.Increment(ref _count);

    public void Exit()
    {
        if (Interlocked.Decrement(ref _count) == 0)
        {
            Volatile.Read(ref _idle)?.TrySetResult();
        }
    }

    /// <summary>A task that completes the next time the count is zero (at once when it is zero now).</summary>
    public Task WhenIdleAsync()
    {
        var idle = Volatile.Read(ref _idle);
        if (idle is null || idle.Task.IsCompleted)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            idle = Interlocked.CompareExchange(ref _idle, fresh, idle) == idle ? fresh : Volatile.Read(ref _idle)!;
        }

        // Exit may have reached zero before the completion source was visible to it.
        if (Count == 0)
        {
            idle.TrySetResult();
        }

        return idle.Task;
    }
}
