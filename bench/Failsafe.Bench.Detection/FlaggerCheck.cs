using Failsafe.Analysis;
using Failsafe.Contracts;

namespace Failsafe.Bench.Detection;

/// <summary>
/// Flagger's analysis on the same stream: every <c>interval</c> it queries the canary's last
/// interval (success rate, p99 from the histogram) and compares it with fixed thresholds; a failed
/// check adds one to a counter that successes do not reset, and the canary is rolled back when the
/// counter reaches <c>threshold</c> (Flagger's canary.status.failedChecks).
/// </summary>
internal sealed class FlaggerCheck(double minSuccessRate, double? maxP99Ms, int intervalSeconds = 60, int threshold = 5)
{
    private readonly LatencyHistogram latency = new();
    private long requests, errors;
    private int failedChecks;

    public int? FailSecond { get; private set; }

    public long RequestsAtFail { get; private set; }

    private long totalRequests;

    public void Observe(int second, TrafficSample canary, TrafficSample stable)
    {
        totalRequests += canary.Requests + stable.Requests;
        requests += canary.Requests;
        errors += canary.Errors;
        for (var i = 0; i < canary.LatencyBuckets.Count; i++)
        {
            latency.Add(canary.LatencyBuckets[i], canary.LatencyCounts[i]);
        }

        if (second % intervalSeconds != 0 || FailSecond is not null)
        {
            return;
        }

        // Flagger counts a query with no data as a failed check too.
        var success = requests == 0 ? 0 : 100.0 * (requests - errors) / requests;
        var failed = success < minSuccessRate || (maxP99Ms is { } max && (latency.Count == 0 || latency.QuantileMilliseconds(0.99) > max));
        if (failed && ++failedChecks >= threshold)
        {
            FailSecond = second;
            RequestsAtFail = totalRequests;
        }

        latency.Clear();
        requests = errors = 0;
    }
}
