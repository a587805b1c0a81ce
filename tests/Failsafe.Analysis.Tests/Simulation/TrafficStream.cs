using Failsafe.Contracts;

namespace Failsafe.Analysis.Simulation;

/// <param name="RequestsPerSecond">Mean arrivals per second (Poisson), both versions together.</param>
/// <param name="CanaryShare">Each request goes to the canary with this probability.</param>
internal sealed record StreamSpec(
    double RequestsPerSecond,
    double CanaryShare,
    double StableErrorRate,
    double CanaryErrorRate,
    LatencyModel StableLatency,
    LatencyModel CanaryLatency,
    double ApdexMilliseconds = 100);

/// <summary>
/// Simulated proxy traffic, one second at a time: Poisson arrivals split at random between canary
/// and stable, each request an error or not and a latency bucket, summed into one
/// <see cref="TrafficSample"/> per version per second — what an agent reports.
/// </summary>
internal sealed class TrafficStream(StreamSpec spec, ulong seed)
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Rng rng = new(seed);
    private readonly Side canary = new(spec.CanaryErrorRate, spec.CanaryLatency, spec.ApdexMilliseconds);
    private readonly Side stable = new(spec.StableErrorRate, spec.StableLatency, spec.ApdexMilliseconds);
    private int second;

    public (TrafficSample Canary, TrafficSample Stable) NextSecond()
    {
        var arrivals = rng.NextPoisson(spec.RequestsPerSecond);
        for (var i = 0; i < arrivals; i++)
        {
            (rng.NextDouble() < spec.CanaryShare ? canary : stable).Request(rng);
        }

        var start = Epoch.AddSeconds(second);
        second++;
        return (canary.Take("canary", start), stable.Take("stable", start));
    }

    private sealed class Side(double errorRate, LatencyModel latency, double apdexMilliseconds)
    {
        private readonly LatencyHistogram histogram = new();
        private long requests, errors, satisfied, tolerating;

        public void Request(Rng rng)
        {
            requests++;
            var bucket = latency.SampleBucket(rng);
            histogram.Add(bucket, 1);
            if (rng.NextDouble() < errorRate)
            {
                errors++;
                return;
            }

            var ms = LatencyHistogram.BucketMidMicroseconds(bucket) / 1000;
            if (ms <= apdexMilliseconds)
            {
                satisfied++;
            }
            else if (ms <= 4 * apdexMilliseconds)
            {
                tolerating++;
            }
        }

        public TrafficSample Take(string version, DateTimeOffset start)
        {
            var (buckets, counts) = histogram.ToSparse();
            var sample = new TrafficSample(
                "web", version, version + "-release", version == "canary", start, start.AddSeconds(1),
                requests, errors, satisfied, tolerating, buckets, counts);
            histogram.Clear();
            requests = errors = satisfied = tolerating = 0;
            return sample;
        }
    }
}
