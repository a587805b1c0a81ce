using System.Buffers;

namespace Failsafe.Analysis;

/// <summary>
/// The Mann–Whitney statistic of two latency histograms: θ = P(canary / scale &gt; stable) + ½ P(tie),
/// the chance that a random canary request, its time divided by <c>scale</c>, is slower than a random
/// stable one. Each value sits at its bucket's midpoint and is ranked against the other side's
/// histogram read as uniform within each bucket; for scale 1 that is exactly the midrank rule for ties
/// between equal buckets. The variance is DeLong's, from the placements of each side within the other.
/// </summary>
internal static class MannWhitney
{
    public static (double Theta, double Variance) Compare(LatencyHistogram canary, LatencyHistogram stable, double scale)
    {
        double nc = canary.Count;
        double ns = stable.Count;
        if (nc == 0 || ns == 0)
        {
            return (0.5, 0);
        }

        using var canaryCdf = new Cdf(canary);
        using var stableCdf = new Cdf(stable);

        // Placements of canary requests among stable ones, and the reverse.
        double sum = 0, sumSquares = 0;
        for (var b = canary.Lowest; b <= canary.Highest; b++)
        {
            var count = canary[b];
            if (count != 0)
            {
                var placement = stableCdf.Below(LatencyHistogram.BucketMidMicroseconds(b) / scale) / ns;
                sum += count * placement;
                sumSquares += count * placement * placement;
            }
        }

        var theta = sum / nc;
        var canaryVariance = nc > 1 ? Math.Max(0, (sumSquares - (nc * theta * theta)) / (nc - 1)) : 0;

        sum = 0;
        sumSquares = 0;
        for (var b = stable.Lowest; b <= stable.Highest; b++)
        {
            var count = stable[b];
            if (count != 0)
            {
                var placement = 1 - (canaryCdf.Below(LatencyHistogram.BucketMidMicroseconds(b) * scale) / nc);
                sum += count * placement;
                sumSquares += count * placement * placement;
            }
        }

        var thetaStable = sum / ns;
        var stableVariance = ns > 1 ? Math.Max(0, (sumSquares - (ns * thetaStable * thetaStable)) / (ns - 1)) : 0;

        // The last term, a quarter of one pair, keeps the variance above zero when every request of
        // both sides shares a bucket; it fades as 1/(n·m) against the main 1/n terms.
        var variance = (canaryVariance / nc) + (stableVariance / ns) + (0.25 / (nc * ns));
        return (theta, variance);
    }

    /// <summary>A histogram's count below a latency, linear within buckets.</summary>
    private readonly struct Cdf : IDisposable
    {
        private readonly LatencyHistogram histogram;
        private readonly double[] below;

        public Cdf(LatencyHistogram histogram)
        {
            this.histogram = histogram;
            below = ArrayPool<double>.Shared.Rent(histogram.Highest - histogram.Lowest + 1);
            double running = 0;
            for (var b = histogram.Lowest; b <= histogram.Highest; b++)
            {
                below[b - histogram.Lowest] = running;
                running += histogram[b];
            }
        }

        public double Below(double micros)
        {
            if (micros < LatencyHistogram.LowerEdge(histogram.Lowest))
            {
                return 0;
            }

            var bucket = LatencyHistogram.BucketOf((long)Math.Min(Math.Floor(micros), long.MaxValue / 2));
            if (bucket > histogram.Highest)
            {
                return histogram.Count;
            }

            var fraction = Math.Clamp((micros - LatencyHistogram.LowerEdge(bucket)) / LatencyHistogram.Width(bucket), 0, 1);
            return below[bucket - histogram.Lowest] + (histogram[bucket] * fraction);
        }

        public void Dispose() => ArrayPool<double>.Shared.Return(below);
    }
}
