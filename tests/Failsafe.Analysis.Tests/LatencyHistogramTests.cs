using Failsafe.Analysis.Simulation;

namespace Failsafe.Analysis.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void BucketEdges_AreContiguousMonotoneAndNarrow()
    {
        for (var b = 0; b < LatencyHistogram.BucketCount; b++)
        {
            var lower = LatencyHistogram.BucketLowerMicroseconds(b);
            var upper = LatencyHistogram.BucketUpperMicroseconds(b);
            Assert.True(upper > lower, $"bucket {b}");
            Assert.Equal(b, LatencyHistogram.BucketOf((long)lower));
            Assert.Equal(b, LatencyHistogram.BucketOf((long)upper - 1));
            if (b + 1 < LatencyHistogram.BucketCount)
            {
                Assert.Equal(upper, LatencyHistogram.BucketLowerMicroseconds(b + 1));
            }

            if (lower >= LatencyHistogram.SubBuckets)
            {
                Assert.True((upper - lower) / lower <= 1.0 / LatencyHistogram.SubBuckets, $"bucket {b} is {upper - lower} µs wide at {lower} µs");
            }
        }
    }

    [Fact]
    public void BucketOf_OutOfRange_ClampsToFirstAndLastBucket()
    {
        Assert.Equal(0, LatencyHistogram.BucketOf(-5));
        Assert.Equal(1, LatencyHistogram.BucketOf(1));
        var hundredSeconds = LatencyHistogram.BucketOf(100_000_000);
        Assert.True(hundredSeconds < LatencyHistogram.BucketCount - 1);
        Assert.InRange(LatencyHistogram.BucketUpperMicroseconds(hundredSeconds), 100_000_000, 100_000_000 * 1.04);
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.BucketOf(1_000_000_000));
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.BucketOf(long.MaxValue));
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.99)]
    [InlineData(0.999)]
    public void QuantileMilliseconds_RandomLatencies_WithinHalfABucketOfTheExactQuantile(double q)
    {
        var rng = new Rng(42);
        var values = new long[100_000];
        var histogram = new LatencyHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            // Log-uniform from 100 µs to 10 s: every octave of the range gets used.
            values[i] = (long)(100 * Math.Pow(100_000, rng.NextDouble()));
            histogram.RecordMicroseconds(values[i]);
        }

        Array.Sort(values);
        var exact = values[(int)Math.Ceiling(q * values.Length) - 1] / 1000.0;
        var estimate = histogram.QuantileMilliseconds(q);
        Assert.True(Math.Abs(estimate - exact) / exact <= 1.0 / (2 * LatencyHistogram.SubBuckets), $"q={q}: {estimate} ms vs exact {exact} ms");
    }

    [Fact]
    public void MeanMilliseconds_KnownValues_WithinHalfABucket()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromMilliseconds(10));
        histogram.Record(TimeSpan.FromMilliseconds(30));
        Assert.Equal(20, histogram.MeanMilliseconds, 20.0 / 64);
        Assert.Equal(2, histogram.Count);
        Assert.Equal(0, new LatencyHistogram().MeanMilliseconds);
        Assert.Equal(0, new LatencyHistogram().QuantileMilliseconds(0.99));
    }

    [Fact]
    public void Merge_TwoHalves_EqualsRecordingEverything()
    {
        var rng = new Rng(7);
        var (all, first, second) = (new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram());
        for (var i = 0; i < 20_000; i++)
        {
            var micros = (long)(50 * Math.Pow(10_000, rng.NextDouble()));
            all.RecordMicroseconds(micros);
            (i % 3 == 0 ? first : second).RecordMicroseconds(micros);
        }

        first.Merge(second);
        Assert.Equal(all.ToSparse().Buckets, first.ToSparse().Buckets);
        Assert.Equal(all.ToSparse().Counts, first.ToSparse().Counts);
        Assert.Equal(all.Count, first.Count);
    }

    [Fact]
    public void ToSparse_FromSparse_RoundTrips()
    {
        var histogram = new LatencyHistogram();
        foreach (var ms in new[] { 0.5, 3, 3, 45, 45, 45, 1200, 250_000 })
        {
            histogram.Record(TimeSpan.FromMilliseconds(ms));
        }

        var (buckets, counts) = histogram.ToSparse();
        Assert.Equal(5, buckets.Length);
        Assert.True(buckets.Zip(buckets.Skip(1)).All(p => p.First < p.Second));
        var copy = LatencyHistogram.FromSparse(buckets, counts);
        Assert.Equal(histogram.Count, copy.Count);
        Assert.Equal(buckets, copy.ToSparse().Buckets);
        Assert.Equal(counts, copy.ToSparse().Counts);
        Assert.Equal(histogram.QuantileMilliseconds(0.5), copy.QuantileMilliseconds(0.5));
    }

    [Fact]
    public void FromSparse_RepeatedIndex_AddsUp()
    {
        var histogram = LatencyHistogram.FromSparse([100, 100], [2, 3]);
        Assert.Equal(5, histogram.Count);
        Assert.Equal([100], histogram.ToSparse().Buckets);
        Assert.Equal([5L], histogram.ToSparse().Counts);
    }

    [Fact]
    public void FromSparse_LengthsDiffer_ThrowsSayingSo()
    {
        var error = Assert.Throws<ArgumentException>(() => LatencyHistogram.FromSparse([1, 2, 3], [1, 1]));
        Assert.Contains("3 bucket indexes but 2 counts", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(LatencyHistogram.BucketCount)]
    public void FromSparse_IndexOutOfRange_ThrowsNamingIt(int index)
    {
        var error = Assert.Throws<ArgumentException>(() => LatencyHistogram.FromSparse([5, index], [1, 1]));
        Assert.Contains($"index {index}", error.Message);
        Assert.Contains($"0–{LatencyHistogram.BucketCount - 1}", error.Message);
    }

    [Fact]
    public void FromSparse_NegativeCount_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => LatencyHistogram.FromSparse([5, 6], [1, -4]));
        Assert.Contains("negative count (-4)", error.Message);
    }

    [Fact]
    public void FromSparse_CountsOverflow_Throws()
    {
        Assert.Throws<ArgumentException>(() => LatencyHistogram.FromSparse([5, 6], [long.MaxValue, 1]));
    }

    [Fact]
    public void Add_BadBucketOrCount_Throws()
    {
        var histogram = new LatencyHistogram();
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Add(LatencyHistogram.BucketCount, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Add(3, -1));
        Assert.Equal(0, histogram.Count);
    }

    [Fact]
    public void FromCumulative_PrometheusBuckets_KeepsCountsPerCoarseBucketAndInterpolatesQuantiles()
    {
        // What Prometheus answers for a histogram with le 0.01, 0.05, 0.1, 0.5 and +Inf, out of order.
        (double, double)[] buckets = [(0.1, 90_000), (double.PositiveInfinity, 100_000), (0.01, 10_000), (0.5, 98_000), (0.05, 50_000)];
        var histogram = LatencyHistogram.FromCumulative(buckets);

        Assert.Equal(100_000, histogram.Count);
        Assert.Equal(10_000, CountAtOrBelow(histogram, 10_000));
        Assert.Equal(50_000, CountAtOrBelow(histogram, 50_000));
        Assert.Equal(90_000, CountAtOrBelow(histogram, 100_000));
        // The 2 requests above 0.5 s sit at the highest finite bound, where histogram_quantile puts them.
        Assert.Equal(100_000, CountAtOrBelow(histogram, 500_000));
        Assert.Equal(500, histogram.QuantileMilliseconds(1), 500.0 / 32);

        // As histogram_quantile, linear within a coarse bucket: rank 30 of (10, 50] is 10 + 40 × 20 / 40 = 30 ms,
        // rank 97 of (90, 98] is 100 + 400 × 7 / 8 = 450 ms.
        Assert.Equal(30, histogram.QuantileMilliseconds(0.3), 30.0 / 32);
        Assert.Equal(450, histogram.QuantileMilliseconds(0.97), 450.0 / 32);
    }

    [Fact]
    public void FromCumulative_FractionalAndSlightlyDecreasingCounts_KeepsTheRoundedTotal()
    {
        // increase() extrapolates each series on its own: fractions, and a count can dip below the previous one.
        (double, double)[] buckets = [(0.005, 3.4), (0.01, 7.9), (0.025, 7.6), (0.05, 12.2), (double.PositiveInfinity, 12.6)];
        var histogram = LatencyHistogram.FromCumulative(buckets);
        Assert.Equal(13, histogram.Count);
        Assert.Equal(8, CountAtOrBelow(histogram, 25_000));
    }

    [Fact]
    public void FromCumulative_Empty_IsEmptyAndOnlyInf_Throws()
    {
        Assert.Equal(0, LatencyHistogram.FromCumulative([]).Count);
        Assert.Equal(0, LatencyHistogram.FromCumulative([(double.PositiveInfinity, 0)]).Count);
        Assert.Throws<ArgumentException>(() => LatencyHistogram.FromCumulative([(double.PositiveInfinity, 12)]));
        Assert.Throws<ArgumentException>(() => LatencyHistogram.FromCumulative([(double.NaN, 12)]));
    }

    private static long CountAtOrBelow(LatencyHistogram histogram, double micros)
    {
        long total = 0;
        for (var b = 0; b < LatencyHistogram.BucketCount && LatencyHistogram.BucketLowerMicroseconds(b) < micros; b++)
        {
            total += histogram[b];
        }

        return total;
    }
}
