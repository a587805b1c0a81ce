namespace Failsafe.Analysis;

public sealed partial class LatencyHistogram
{
    /// <summary>The non-empty buckets, in increasing order, as parallel arrays (what agents send).</summary>
    public (int[] Buckets, long[] Counts) ToSparse()
    {
        var n = 0;
        for (var b = lowest; b <= highest; b++)
        {
            if (counts[b] != 0)
            {
                n++;
            }
        }

        var buckets = new int[n];
        var values = new long[n];
        var i = 0;
        for (var b = lowest; b <= highest; b++)
        {
            if (counts[b] != 0)
            {
                buckets[i] = b;
                values[i++] = counts[b];
            }
        }

        return (buckets, values);
    }

    /// <summary>
    /// Rebuilds a histogram from <see cref="ToSparse"/>'s arrays. A repeated index adds up.
    /// Throws <see cref="ArgumentException"/> when the arrays differ in length, an index is out
    /// of range or a count is negative: these arrive from agents over the network.
    /// </summary>
    public static LatencyHistogram FromSparse(IReadOnlyList<int> buckets, IReadOnlyList<long> counts)
    {
        var histogram = new LatencyHistogram();
        histogram.AddSparse(buckets, counts);
        return histogram;
    }

    /// <summary>Adds sparse arrays, checking all of them before changing anything.</summary>
    internal void AddSparse(IReadOnlyList<int> buckets, IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(counts);
        if (buckets.Count != counts.Count)
        {
            throw new ArgumentException(
                $"A sparse latency histogram has {buckets.Count} bucket indexes but {counts.Count} counts; they must pair up.",
                nameof(counts));
        }

        var total = Count;
        for (var i = 0; i < buckets.Count; i++)
        {
            if ((uint)buckets[i] >= BucketCount)
            {
                throw new ArgumentException(
                    $"Latency bucket index {buckets[i]} (entry {i}) is outside 0–{BucketCount - 1}.", nameof(buckets));
            }

            if (counts[i] < 0)
            {
                throw new ArgumentException(
                    $"Latency bucket {buckets[i]} has a negative count ({counts[i]}).", nameof(counts));
            }

            if (long.MaxValue - total < counts[i])
            {
                throw new ArgumentException("The latency counts add up past the largest 64-bit number.", nameof(counts));
            }

            total += counts[i];
        }

        for (var i = 0; i < buckets.Count; i++)
        {
            AddUnchecked(buckets[i], counts[i]);
        }
    }

    /// <summary>
    /// Builds a histogram from Prometheus "le" buckets (cumulative counts, +Inf included, any order),
    /// e.g. the answer of <c>sum by (le) (increase(..._bucket[w]))</c>. Each coarse bucket's count is
    /// spread over the fine buckets between its lower and upper bound in proportion to their width —
    /// the linear interpolation Prometheus' histogram_quantile assumes — starting from 0 for the first;
    /// what only +Inf holds goes to the fine bucket at the highest finite bound, as histogram_quantile
    /// does. Fractional counts (increase() extrapolates) are rounded so the total is kept, and a
    /// cumulative count lower than the one before it is read as equal to it.
    /// </summary>
    public static LatencyHistogram FromCumulative(IEnumerable<(double UpperSeconds, double CumulativeCount)> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var sorted = buckets.ToList();
        foreach (var (upper, cumulative) in sorted)
        {
            if (double.IsNaN(upper) || double.IsNaN(cumulative) || double.IsNegativeInfinity(upper) || double.IsInfinity(cumulative))
            {
                throw new ArgumentException($"A Prometheus bucket (le={upper}, count={cumulative}) is not a number.", nameof(buckets));
            }
        }

        var histogram = new LatencyHistogram();
        if (sorted.Count == 0)
        {
            return histogram;
        }

        sorted.Sort((a, b) => a.UpperSeconds.CompareTo(b.UpperSeconds));
        var finite = sorted.Where(b => !double.IsPositiveInfinity(b.UpperSeconds)).ToList();
        var total = Math.Max(0, sorted.Max(b => b.CumulativeCount));
        if (finite.Count == 0)
        {
            if (Math.Round(total) == 0)
            {
                return histogram;
            }

            throw new ArgumentException("A Prometheus histogram with only the +Inf bucket says nothing about latency.", nameof(buckets));
        }

        // Piecewise-linear cumulative count over microseconds: (0, 0), then (upper_i, running max of count_i).
        var edges = new List<(double Micros, double Cumulative)>(finite.Count + 1) { (0, 0) };
        var running = 0.0;
        foreach (var (upper, cumulative) in finite)
        {
            running = Math.Max(running, cumulative);
            edges.Add((Math.Max(0, upper * 1_000_000), running));
        }

        var topMicros = edges[^1].Micros;
        var topBucket = BucketOf((long)Math.Floor(topMicros));
        long assigned = 0;
        var edge = 1;
        for (var b = 0; b < topBucket; b++)
        {
            double lowerMicros = LowerEdge(b);
            double upperMicros = lowerMicros + Width(b);

            // A coarse bound inside this fine bucket closes it: the count at or below each "le" stays exact.
            var at = upperMicros;
            for (var k = edge; k < edges.Count && edges[k].Micros < upperMicros; k++)
            {
                if (edges[k].Micros > lowerMicros)
                {
                    at = edges[k].Micros;
                }
            }

            while (edge < edges.Count - 1 && edges[edge].Micros < at)
            {
                edge++;
            }

            var target = (long)Math.Round(Interpolate(edges[edge - 1], edges[edge], at));
            if (target > assigned)
            {
                histogram.AddUnchecked(b, target - assigned);
                assigned = target;
            }
        }

        var all = (long)Math.Round(Math.Max(total, running));
        if (all > assigned)
        {
            histogram.AddUnchecked(topBucket, all - assigned);
        }

        return histogram;
    }

    private static double Interpolate((double Micros, double Cumulative) from, (double Micros, double Cumulative) to, double micros)
    {
        if (micros >= to.Micros)
        {
            return to.Cumulative;
        }

        if (micros <= from.Micros || to.Micros <= from.Micros)
        {
            return from.Cumulative;
        }

        return from.Cumulative + ((to.Cumulative - from.Cumulative) * (micros - from.Micros) / (to.Micros - from.Micros));
    }
}
