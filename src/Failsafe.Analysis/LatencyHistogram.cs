using System.Numerics;

namespace Failsafe.Analysis;

/// <summary>
/// Request latencies in log-linear buckets (HDR style). Below 64 µs each microsecond has its own
/// bucket; above, every power of two of microseconds is split into <see cref="SubBuckets"/> equal
/// buckets, up to 2^27 µs (about 134 s); anything longer lands in the last bucket. A bucket is at
/// most 1/32 of its lower edge wide, so a quantile read at a bucket's midpoint is within 1/64 of
/// the recorded value. Histograms merge by adding counts, and travel as sparse (index, count) pairs.
/// Not thread-safe: <see cref="TrafficRecorder"/> keeps its own atomic counters.
/// </summary>
public sealed partial class LatencyHistogram
{
    /// <summary>Equal buckets per power of two of microseconds.</summary>
    public const int SubBuckets = 1 << SubBucketBits;

    /// <summary>Number of buckets; valid indexes are 0 to BucketCount − 1.</summary>
    public const int BucketCount = SubBuckets + ((TopPowerOfTwo - SubBucketBits) * SubBuckets);

    private const int SubBucketBits = 5;
    private const int TopPowerOfTwo = 27;
    private const long TopMicroseconds = 1L << TopPowerOfTwo;

    private readonly long[] counts = new long[BucketCount];

    // The occupied range, so scans skip the hundreds of empty buckets around a service's latencies.
    private int lowest = BucketCount;
    private int highest = -1;

    public long Count { get; private set; }

    /// <summary>Mean latency, each request counted at its bucket's midpoint; 0 when empty.</summary>
    public double MeanMilliseconds
    {
        get
        {
            if (Count == 0)
            {
                return 0;
            }

            var sum = 0.0;
            for (var b = lowest; b <= highest; b++)
            {
                sum += counts[b] * BucketMidMicroseconds(b);
            }

            return sum / Count / 1000.0;
        }
    }

    internal int Lowest => lowest;

    internal int Highest => highest;

    internal long this[int bucket] => counts[bucket];

    public void Record(TimeSpan elapsed) => RecordMicroseconds(elapsed.Ticks / TimeSpan.TicksPerMicrosecond);

    public void RecordMicroseconds(long microseconds) => AddUnchecked(BucketOf(microseconds), 1);

    /// <summary>Adds <paramref name="count"/> requests to one bucket.</summary>
    public void Add(int bucket, long count)
    {
        CheckBucket(bucket);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        AddUnchecked(bucket, count);
    }

    public void Merge(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var b = other.lowest; b <= other.highest; b++)
        {
            if (other.counts[b] != 0)
            {
                AddUnchecked(b, other.counts[b]);
            }
        }
    }

    public void Clear()
    {
        if (highest >= lowest)
        {
            Array.Clear(counts, lowest, highest - lowest + 1);
        }

        lowest = BucketCount;
        highest = -1;
        Count = 0;
    }

    public LatencyHistogram Clone()
    {
        var copy = new LatencyHistogram();
        copy.Merge(this);
        return copy;
    }

    /// <summary>
    /// The latency at quantile <paramref name="q"/> (0–1, nearest rank), read at its bucket's
    /// midpoint; 0 when the histogram is empty.
    /// </summary>
    public double QuantileMilliseconds(double q)
    {
        if (Count == 0)
        {
            return 0;
        }

        if (double.IsNaN(q))
        {
            throw new ArgumentOutOfRangeException(nameof(q), "The quantile must be a number from 0 to 1.");
        }

        q = Math.Clamp(q, 0, 1);
        // The epsilon keeps 0.99 × 100 from rounding up to rank 100 through binary floating point.
        var rank = Math.Max(1, (long)Math.Ceiling((q * Count) - 1e-9));
        long seen = 0;
        for (var b = lowest; b <= highest; b++)
        {
            seen += counts[b];
            if (seen >= rank)
            {
                return BucketMidMicroseconds(b) / 1000.0;
            }
        }

        return BucketMidMicroseconds(highest) / 1000.0;
    }

    /// <summary>The bucket a latency of <paramref name="microseconds"/> falls in (negative counts as 0).</summary>
    public static int BucketOf(long microseconds)
    {
        if (microseconds < 2 * SubBuckets)
        {
            return microseconds < 0 ? 0 : (int)microseconds;
        }

        if (microseconds >= TopMicroseconds)
        {
            return BucketCount - 1;
        }

        var shift = BitOperations.Log2((ulong)microseconds) - SubBucketBits;
        return SubBuckets + (shift * SubBuckets) + (int)(microseconds >> shift) - SubBuckets;
    }

    /// <summary>The lower edge of a bucket, in microseconds (inclusive).</summary>
    public static double BucketLowerMicroseconds(int bucket)
    {
        CheckBucket(bucket);
        return LowerEdge(bucket);
    }

    /// <summary>The upper edge of a bucket, in microseconds (exclusive): every latency in it is below this.</summary>
    public static double BucketUpperMicroseconds(int bucket)
    {
        CheckBucket(bucket);
        return LowerEdge(bucket) + Width(bucket);
    }

    internal static double BucketMidMicroseconds(int bucket) => Mids[bucket];

    // Edges as doubles, looked up on the analysis' inner loops.
    internal static readonly double[] Lowers = [.. Enumerable.Range(0, BucketCount).Select(b => (double)LowerEdge(b))];
    internal static readonly double[] Widths = [.. Enumerable.Range(0, BucketCount).Select(b => (double)Width(b))];
    internal static readonly double[] Mids = [.. Enumerable.Range(0, BucketCount).Select(b => LowerEdge(b) + (Width(b) / 2.0))];

    internal static long LowerEdge(int bucket)
    {
        if (bucket < SubBuckets)
        {
            return bucket;
        }

        var shift = (bucket - SubBuckets) / SubBuckets;
        var sub = (bucket - SubBuckets) % SubBuckets;
        return (long)(SubBuckets + sub) << shift;
    }

    internal static long Width(int bucket) => bucket < SubBuckets ? 1 : 1L << ((bucket - SubBuckets) / SubBuckets);

    private void AddUnchecked(int bucket, long count)
    {
        if (count == 0)
        {
            return;
        }

        counts[bucket] = checked(counts[bucket] + count);
        Count = checked(Count + count);
        lowest = Math.Min(lowest, bucket);
        highest = Math.Max(highest, bucket);
    }

    private static void CheckBucket(int bucket)
    {
        if ((uint)bucket >= BucketCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(bucket), bucket, $"A latency bucket index is from 0 to {BucketCount - 1}.");
        }
    }
}
