using System.Collections.Concurrent;
using System.Diagnostics;

namespace Failsafe.Bench.Load;

/// <summary>
/// When each host got each deployment's task and when its completion was accepted, and when each deployment was created:
/// enough to tell how long the server took from "this task exists" to "the agent has it" (see <see cref="DeliveryMilliseconds"/>).
/// </summary>
internal sealed class TaskLog
{
    private readonly ConcurrentDictionary<(string Deployment, string Host), long> _received = new();
    private readonly ConcurrentDictionary<(string Deployment, string Host), long> _completed = new();
    private readonly ConcurrentDictionary<string, (long Created, IReadOnlyList<string> Hosts, int Batch)> _deployments = new();

    public void Received(string deployment, string host) => _received.TryAdd((deployment, host), Stopwatch.GetTimestamp());

    public void Completed(string deployment, string host) => _completed.TryAdd((deployment, host), Stopwatch.GetTimestamp());

    public void Created(string deployment, long at, IReadOnlyList<string> hosts, int batch) => _deployments[deployment] = (at, hosts, batch);

    /// <summary>
    /// For every task: when it reached its agent, less when the server could first have made it — the deployment's creation for
    /// the first batch, the last completion of the batch before for the others (the orchestrator queues a batch once the one before
    /// has finished). Includes the orchestrator's reaction, the wake-up of the long poll and the answer's way back.
    /// </summary>
    public List<double> DeliveryMilliseconds()
    {
        var delays = new List<double>();
        foreach (var (id, (created, hosts, batch)) in _deployments)
        {
            var batches = hosts.Select((h, i) => (Host: h, Batch: i / batch)).GroupBy(x => x.Batch).OrderBy(g => g.Key).ToList();
            long? ready = created;
            foreach (var group in batches)
            {
                if (ready is not { } from)
                {
                    break;
                }

                foreach (var (host, _) in group)
                {
                    if (_received.TryGetValue((id, host), out var at))
                    {
                        delays.Add(Stopwatch.GetElapsedTime(from, at).TotalMilliseconds);
                    }
                }

                var done = group.Select(x => _completed.TryGetValue((id, x.Host), out var c) ? c : (long?)null).ToList();
                ready = done.All(c => c is not null) ? done.Max() : null;
            }
        }

        delays.Sort();
        return delays;
    }
}
