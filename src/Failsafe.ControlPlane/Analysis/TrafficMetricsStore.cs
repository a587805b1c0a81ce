using System.Text.Json;
using Failsafe.Analysis;
using Failsafe.Artifacts;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Analysis;

/// <summary>
/// The per-second samples agents report from their proxies, kept in the store for the analysis windows of running
/// deployments. In the store rather than in memory because an agent may report to any server replica while another
/// one drives the deployment. Samples older than <see cref="Retention"/> are pruned.
/// </summary>
internal sealed class TrafficMetricsStore(IDatabase database, TimeProvider time)
{
    /// <summary>Longer than any analysis window is expected to run.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(2);

    private const int MaxSamplesPerReport = 1_000;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private long _nextPruneTicks;

    /// <summary>Checks every sample before keeping any: a report is taken whole or not at all.</summary>
    public async Task AddAsync(string agentId, IReadOnlyList<TrafficSample>? samples, CancellationToken cancellationToken)
    {
        if (samples is null || samples.Count == 0)
        {
            return;
        }

        if (samples.Count > MaxSamplesPerReport)
        {
            throw new ArgumentException($"A metrics report holds at most {MaxSamplesPerReport} samples, not {samples.Count}.");
        }

        foreach (var sample in samples)
        {
            Validate(sample);
        }

        var now = time.GetUtcNow();
        var prune = now.UtcTicks >= Interlocked.Read(ref _nextPruneTicks);
        if (prune)
        {
            Interlocked.Exchange(ref _nextPruneTicks, (now + PruneEvery).UtcTicks);
        }

        await database.WriteAsync(
            async session =>
            {
                foreach (var sample in samples)
                {
                    await session.ExecuteAsync(
                        "INSERT INTO traffic_samples (agent_id, service, release, end_at, sample_json) VALUES (@agent, @service, @release, @end, @json)",
                        ("@agent", agentId), ("@service", sample.Service), ("@release", sample.Release), ("@end", sample.End),
                        ("@json", JsonSerializer.Serialize(sample, FailsafeJson.Options))).ConfigureAwait(false);
                }

                if (prune)
                {
                    await session.ExecuteAsync("DELETE FROM traffic_samples WHERE end_at < @oldest", ("@oldest", now - Retention)).ConfigureAwait(false);
                }

                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the given hosts measured for a service since <paramref name="from"/>: the canary release's requests, and all others'.</summary>
    public async Task<(VersionWindow Canary, VersionWindow Stable)> SplitAsync(
        string service, IEnumerable<string> agentIds, DateTimeOffset from, string? canaryRelease, CancellationToken cancellationToken)
    {
        var agents = agentIds.Distinct().ToList();
        var canary = new VersionWindow();
        var stable = new VersionWindow();
        if (agents.Count == 0)
        {
            return (canary, stable);
        }

        var names = string.Join(", ", agents.Select((_, i) => $"@a{i}"));
        var parameters = agents.Select((a, i) => ($"@a{i}", (object?)a))
            .Append(("@service", service)).Append(("@from", from)).ToArray();
        var rows = await database.ReadAsync(
            s => s.QueryAsync(
                $"SELECT release, sample_json FROM traffic_samples WHERE service = @service AND end_at > @from AND agent_id IN ({names})",
                r => (Release: r.Text("release"), Json: r.Text("sample_json")),
                parameters),
            cancellationToken).ConfigureAwait(false);
        foreach (var (release, json) in rows)
        {
            var sample = JsonSerializer.Deserialize<TrafficSample>(json, FailsafeJson.Options)!;
            (release == canaryRelease ? canary : stable).Add(sample);
        }

        return (canary, stable);
    }

    private static void Validate(TrafficSample s)
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
    }
}
