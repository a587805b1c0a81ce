using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.AgentProtocol;

/// <summary>
/// Which agents have work waiting in the store, for the long polls of this server to look at together. A poll is woken at once
/// for work this server makes; work another replica makes is found here: one query for all waiting polls, at most every
/// <see cref="MaxAge"/>, where each poll used to query for itself every second: 1,000 idle agents made 1,000 read transactions
/// a second, which took most of two cores with PostgreSQL (bench/Failsafe.Bench.Load).
/// </summary>
internal sealed class PendingWorkSweep(IDatabase database, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(500);

    private readonly Lock _lock = new();
    private Task<HashSet<string>>? _last;
    private long _startedAt;

    /// <summary>Whether the last sweep, at most <see cref="MaxAge"/> old when it started, names <paramref name="agentId"/>.</summary>
    public async Task<bool> HasWorkAsync(string agentId, CancellationToken cancellationToken)
    {
        Task<HashSet<string>> sweep;
        lock (_lock)
        {
            if (_last is null || _last.IsFaulted || _last.IsCanceled || time.GetElapsedTime(_startedAt) >= MaxAge)
            {
                _startedAt = time.GetTimestamp();

                // Shared by every waiting poll, so not cancelled with the one that happened to start it.
                _last = database.ReadAsync(TasksStore.AgentsWithWorkAsync, CancellationToken.None);
            }

            sweep = _last;
        }

        return (await sweep.WaitAsync(cancellationToken).ConfigureAwait(false)).Contains(agentId);
    }
}
