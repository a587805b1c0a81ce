using System.Collections.Concurrent;
using Failsafe.Analysis;
using Failsafe.Artifacts;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Analysis;

/// <summary>
/// The per-second samples agents report from their proxies, kept in memory for the analysis windows of
/// running deployments. Memory, not the database: the numbers are only worth anything while a rollout
/// watches them, and a restarted server simply starts a fresh window from the samples that follow.
/// </summary>
internal sealed class TrafficMetricsStore(TimeProvider time)
{
    /// <summary>Longer than any analysis window is expected to run; older samples are dropped as new ones arrive.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(2);

    private const int MaxSamplesPerReport = 1_000;

    private readonly ConcurrentDictionary<string, AgentSeries> _agents = new(StringComparer.Ordinal);

    /// <summary>Checks every sample before keeping any: a report is taken whole or not at all.</summary>
    public void Add(string agentId, IReadOnlyList<TrafficSample>? samples)
    {
        if (samples is null || samples.Count == 0)
        {
            return;
        }

        if (samples.Count > MaxSamplesPerReport)
        {
            throw new ArgumentException($"A metrics report holds at most {MaxSamplesPerReport} samples, not {samples.Count}.");
        }

        var parsed = new List<Stored>(samples.Count);
        foreach (var sample in samples)
        {
            parsed.Add(new Stored(sample.Service, sample.Release, sample.End, Validate(sample)));
        }

        var series = _agents.GetOrAdd(agentId, _ => new AgentSeries());
        var oldest = time.GetUtcNow() - Retention;
        lock (series)
        {
            series.Samples.AddRange(parsed);
            series.Samples.RemoveAll(s => s.End < oldest);
        }
    }

    /// <summary>What the given hosts measured for a service since <paramref name="from"/>: the canary release's requests, and all others'.</summary>
    public (VersionWindow Canary, VersionWindow Stable) Split(string service, IEnumerable<string> agentIds, DateTimeOffset from, string? canaryRelease)
    {
        var canary = new VersionWindow();
        var stable = new VersionWindow();
        foreach (var agentId in agentIds.Distinct())
        {
            if (!_agents.TryGetValue(agentId, out var series))
            {
                continue;
            }

            lock (series)
            {
                foreach (var stored in series.Samples)
                {
                    if (stored.End > from && stored.Service == service)
                    {
                        (stored.Release == canaryRelease ? canary : stable).Add(stored.Sample);
                    }
                }
            }
        }

        return (canary, stable);
    }

    private static TrafficSample Validate(TrafficSample s)
    {
        if (!ServiceName.IsValid(s.Service) || string.IsNullOrEmpty(s.Version) || string.IsNullOrEmpty(s.Release))
        {
            throw new ArgumentException("Every sample names a valid service, a version and a release.");
        }

        if (s.Requests < 0 || s.Errors < 0 || s.Errors > s.Requests || s.Satisfied < 0 || s.Tolerating < 0 || s.Satisfied + s.Tolerating > s.Requests)
        {
            throw new ArgumentException($"The sample for {s.Service} {s.Version} has counts that do not add up (requests {s.Requests}, errors {s.Errors}, satisfied {s.Satisfied}, tolerating {s.Tolerating}).");
        }

        try
        {
            LatencyHistogram.FromSparse(s.LatencyBuckets ?? [], s.LatencyCounts ?? []);
        }
        catch (ArgumentException e)
        {
            // Its own sentence, without the " (Parameter '…')" the framework appends: this goes back to the agent as a 400.
            var message = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
            throw new ArgumentException($"The latency of {s.Service} {s.Version}: {message}");
        }

        return s;
    }

    private sealed record Stored(string Service, string Release, DateTimeOffset End, TrafficSample Sample);

    private sealed class AgentSeries
    {
        public List<Stored> Samples { get; } = [];
    }
}
