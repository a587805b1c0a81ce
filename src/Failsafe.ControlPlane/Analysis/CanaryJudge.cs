using System.Collections.Concurrent;
using Failsafe.Analysis;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Storage;
using Microsoft.Extensions.Logging;

namespace Failsafe.ControlPlane.Analysis;

/// <summary>
/// Gives a running rollout its verdict: the new release against the old one on the same hosts over the same
/// window, from the agents' proxies or from Prometheus. Runs before the state machine's transaction, so a
/// slow metric source never holds the database.
/// </summary>
internal sealed partial class CanaryJudge(
    IDatabase database,
    TrafficMetricsStore metrics,
    PrometheusMetricSource prometheus,
    Replica replica,
    TimeProvider time,
    ILogger<CanaryJudge> logger)
{
    /// <summary>Prometheus scrapes every few seconds at best: asking it more often than this only adds load.</summary>
    private static readonly TimeSpan PrometheusInterval = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<long, VerdictInfo> _lastFromPrometheus = new();

    /// <summary>Null when the deployment is not at a point where analysis applies.</summary>
    public async Task<VerdictInfo?> EvaluateAsync(long deploymentId, CancellationToken cancellationToken)
    {
        var (deployment, hosts, holder) = await database.ReadAsync(
            async s => (await DeploymentsStore.FindAsync(s, deploymentId).ConfigureAwait(false),
                        await DeploymentsStore.HostsAsync(s, deploymentId).ConfigureAwait(false),
                        await LeasesStore.HolderAsync(s, Replica.DeploymentLease(deploymentId), time.GetUtcNow()).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        if (holder is not null && holder != replica.Id)
        {
            return null; // another replica drives it, and judges it
        }

        if (deployment is not { State: DeploymentStates.Running, Rollout: { WindowStart: { } windowStart } rollout })
        {
            _lastFromPrometheus.TryRemove(deploymentId, out _);
            return null;
        }

        if (rollout.Phase == RolloutPhases.Batches && rollout.Policy.BatchHoldSeconds == 0)
        {
            return null; // batches follow each other at once: there is no window to watch, and the canary's verdict stands
        }

        var target = hosts.Select(h => h.TargetRelease).FirstOrDefault(r => r is not null);
        var scope = rollout.Phase == RolloutPhases.Canary ? hosts.Where(h => h.Batch == 1).ToList() : hosts;
        var now = time.GetUtcNow();
        var delay = TimeSpan.FromSeconds(rollout.Analysis.InitialDelaySeconds);
        var from = windowStart + delay;
        if (now < from)
        {
            return new VerdictInfo(
                VerdictOutcomes.NoData,
                $"Warming up: analysis leaves out the first {Durations.Format(delay)} of traffic, while new instances' code warms up; it starts in {Durations.Format(TimeSpan.FromSeconds(Math.Ceiling((from - now).TotalSeconds)))}.",
                now,
                []);
        }

        if (rollout.Analysis.Prometheus is { } source)
        {
            return await FromPrometheusAsync(deploymentId, deployment, scope, source, rollout.Analysis, now - from, cancellationToken).ConfigureAwait(false);
        }

        var (canary, stable) = await metrics.SplitAsync(deployment.Service, scope.Select(h => h.AgentId), from, target, cancellationToken).ConfigureAwait(false);
        return CanaryAnalysis.Evaluate(canary, stable, rollout.Analysis, now);
    }

    private async Task<VerdictInfo> FromPrometheusAsync(
        long deploymentId, DeploymentRecord deployment, List<DeploymentHostRecord> scope, PrometheusSource source, AnalysisSettings settings,
        TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_lastFromPrometheus.TryGetValue(deploymentId, out var last) && now - last.At < PrometheusInterval)
        {
            return last;
        }

        VerdictInfo verdict;
        var stableVersion = scope.Select(h => h.PreviousRelease).FirstOrDefault(r => r is not null) is { } previous ? ReleaseIds.VersionOf(previous) : null;
        if (stableVersion is null)
        {
            verdict = new VerdictInfo(VerdictOutcomes.NoData, "There is no previous version on these hosts to compare with.", now, []);
        }
        else
        {
            try
            {
                var canary = await prometheus.QueryAsync(source, deployment.Service, deployment.Version, window, cancellationToken).ConfigureAwait(false);
                var stable = await prometheus.QueryAsync(source, deployment.Service, stableVersion, window, cancellationToken).ConfigureAwait(false);
                verdict = CanaryAnalysis.Evaluate(ToWindow(canary), ToWindow(stable), settings, now);
            }
            catch (Exception e) when (e is PrometheusQueryException or ArgumentException)
            {
                // Never pass on missing or unusable data: the rollout holds and says why.
                var reason = e is PrometheusQueryException ? e.Message : $"Prometheus' latency buckets cannot be read as a histogram ({e.Message})";
                Log.PrometheusFailed(logger, deployment.DisplayId, reason);
                verdict = new VerdictInfo(VerdictOutcomes.Hold, $"Holding: {reason}", now, []);
            }
        }

        _lastFromPrometheus[deploymentId] = verdict;
        return verdict;
    }

    private static VersionWindow ToWindow(PrometheusWindow w) =>
        VersionWindow.FromCounts(
            (long)Math.Round(w.Requests),
            (long)Math.Round(w.Errors),
            w.LatencyBuckets.Count == 0 ? null : LatencyHistogram.FromCumulative(w.LatencyBuckets));

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Analysis of {DeploymentId} could not read Prometheus: {Error}")]
        public static partial void PrometheusFailed(ILogger logger, string deploymentId, string error);
    }
}
