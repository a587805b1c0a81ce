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
        using var canaryRanks = new Ranks(canary);
        using var stableRanks = new Ranks(stable);
        return Compare(canaryRanks, stableRanks, scale);
    }

    public static (double Theta, double Variance) Compare(in Ranks canary, in Ranks stable, double scale)
    {
        double nc = canary.Count;
        double ns = stable.Count;
        if (nc == 0 || ns == 0)
        {
            return (0.5, 0);
        }

        // Placements of canary requests among stable ones, and the reverse.
        var (theta, canaryVariance) = Placements(canary, stable, 1 / scale, reverse: false);
        var (_, stableVariance) = Placements(stable, canary, scale, reverse: true);

        // The last term, a quarter of one pair, keeps the variance above zero when every request of
        // both sides shares a bucket; it fades as 1/(n·m) against the main 1/n terms.
        var variance = (canaryVariance / nc) + (stableVariance / ns) + (0.25 / (nc * ns));
        return (theta, variance);
    }

    /// <summary>Mean and sample variance of the placements of <paramref name="side"/>'s requests within <paramref name="other"/>.</summary>
    private static (double Mean, double Variance) Placements(in Ranks side, in Ranks other, double factor, bool reverse)
    {
        var histogram = side.Histogram;
        var mids = LatencyHistogram.Mids;
        double n = side.Count, m = other.Count;
        double sum = 0, sumSquares = 0;
        for (var b = histogram.Lowest; b <= histogram.Highest; b++)
        {
            var count = histogram[b];
            if (count != 0)
            {
                var below = other.Below(mids[b] * factor) / m;
                var placement = reverse ? 1 - below : below;
                sum += count * placement;
                sumSquares += count * placement * placement;
            }
        }

        var mean = sum / n;
        var variance = n > 1 ? Math.Max(0, (sumSquares - (n * mean * mean)) / (n - 1)) : 0;
        return (mean, variance);
    }

    /// <summary>A histogram's count below any latency, linear within buckets; build once, rank against it often.</summary>
    internal readonly struct Ranks : IDisposable
    {
        private readonly double[] below;
        private readonly double top;

        public Ranks(LatencyHistogram histogram)
        {
            Histogram = histogram;
            Count = histogram.Count;
            var length = Math.Max(0, histogram.Highest - histogram.Lowest + 1);
            below = ArrayPool<double>.Shared.Rent(length);
            double running = 0;
            for (var b = histogram.Lowest; b <= histogram.Highest; b++)
            {
                below[b - histogram.Lowest] = running;
                running += histogram[b];
            }

            top = length == 0 ? 0 : LatencyHistogram.Lowers[histogram.Highest] + LatencyHistogram.Widths[histogram.Highest];
        }

        public LatencyHistogram Histogram { get; }

        public long Count { get; }

        public double Below(double micros)
        {
            var histogram = Histogram;
            if (Count == 0 || micros < LatencyHistogram.Lowers[histogram.Lowest])
            {
                return 0;
            }

            if (micros >= top)
            {
                return Count;
            }

            var bucket = LatencyHistogram.BucketOf((long)micros);
            var fraction = (micros - LatencyHistogram.Lowers[bucket]) / LatencyHistogram.Widths[bucket];
            return below[bucket - histogram.Lowest] + (histogram[bucket] * Math.Clamp(fraction, 0, 1));
        }

        public void Dispose() => ArrayPool<double>.Shared.Return(below);
    }
}
