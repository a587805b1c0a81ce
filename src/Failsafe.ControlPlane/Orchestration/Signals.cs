using System.Collections.Concurrent;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>
/// Wakes the orchestrator early when something changed (a deployment created, a task completed).
/// Only a hint: the orchestrator also ticks on its own, and the database is the truth.
/// </summary>
internal sealed class OrchestratorSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; once is enough.
        }
    }

    public async Task WaitAsync(TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(interval, time, stop.Token);
        var wake = _wake.WaitAsync(stop.Token);
        await Task.WhenAny(delay, wake).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}

/// <summary>Wakes an agent's pending long poll when a task is created for it. Pollers re-check the database anyway.</summary>
internal sealed class AgentSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    /// <summary>Take this before looking at the database, so a signal in between is not missed.</summary>
    public Task WaitFor(string agentId) =>
        _waiters.GetOrAdd(agentId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Signal(string agentId)
    {
        if (_waiters.TryRemove(agentId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
