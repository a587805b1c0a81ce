using Failsafe.Analysis;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>What an agent's proxy measures for one version in one report interval, built from simulated requests.</summary>
internal static class TrafficSamples
{
    /// <summary>
    /// <paramref name="requests"/> requests over the second before <paramref name="end"/>, the first <paramref name="errors"/> of
    /// them failed, with log-normal latencies (median <paramref name="medianMs"/>, σ 0.5: a typical web service) drawn from
    /// <paramref name="seed"/>. Apdex counts follow T = 100 ms; a failed request is frustrated whatever its time.
    /// </summary>
    public static TrafficSample Side(
        string service, string release, bool canary, long requests, long errors, int seed, double medianMs = 40, DateTimeOffset? end = null)
    {
        const double apdexMs = 100;
        var random = new Random(seed);
        var latency = new LatencyHistogram();
        long satisfied = 0, tolerating = 0;
        for (var i = 0L; i < requests; i++)
        {
            var ms = medianMs * Math.Exp(0.5 * Gaussian(random));
            latency.RecordMicroseconds((long)(ms * 1000));
            if (i >= errors)
            {
                satisfied += ms <= apdexMs ? 1 : 0;
                tolerating += ms is > apdexMs and <= 4 * apdexMs ? 1 : 0;
            }
        }

        var (buckets, counts) = latency.ToSparse();
        var at = end ?? DateTimeOffset.UtcNow;
        return new TrafficSample(
            service, release[..release.LastIndexOf('-')], release, canary, at - TimeSpan.FromSeconds(1), at,
            requests, errors, satisfied, tolerating, buckets, counts);
    }

    /// <summary>Box–Muller: one standard normal number.</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
