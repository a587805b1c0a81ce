using Failsafe.Contracts;

namespace Failsafe.Analysis.Tests;

public sealed class VersionWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_Samples_SumsCountsAndLatency()
    {
        var window = new VersionWindow();
        window.Add(Sample(100, 4, 80, 10, [200, 300], [60, 40]));
        window.Add(Sample(50, 1, 45, 2, [300], [50]));
        Assert.Equal((150L, 5L, 125L, 12L), (window.Requests, window.Errors, window.Satisfied, window.Tolerating));
        Assert.Equal(150, window.Latency.Count);
        Assert.Equal(5.0 / 150, window.ErrorRate, 12);
        Assert.Equal((125 + 6.0) / 150, window.Apdex, 12);
        Assert.True(window.HasLatency);
    }

    [Fact]
    public void Add_MalformedSample_ThrowsAndChangesNothing()
    {
        var window = new VersionWindow();
        window.Add(Sample(10, 0, 10, 0, [200], [10]));
        Assert.Throws<ArgumentException>(() => window.Add(Sample(10, 0, 10, 0, [200, 9999], [5, 5])));
        Assert.Throws<ArgumentException>(() => window.Add(Sample(10, 0, 10, 0, [200], [5, 5])));
        Assert.Throws<ArgumentException>(() => window.Add(Sample(-1, 0, 0, 0, [], [])));
        Assert.Equal((10L, 10L), (window.Requests, window.Latency.Count));
    }

    [Fact]
    public void FromCounts_ErrorsAboveRequests_CappedAndNoLatencyMarked()
    {
        var window = VersionWindow.FromCounts(100, 103, null);
        Assert.Equal((100L, 100L), (window.Requests, window.Errors));
        Assert.False(window.HasLatency);
        Assert.Equal(1, window.ErrorRate);
        Assert.Throws<ArgumentOutOfRangeException>(() => VersionWindow.FromCounts(-1, 0, null));
    }

    [Fact]
    public void FromCounts_WithLatency_CopiesTheHistogram()
    {
        var latency = LatencyHistogram.FromSparse([300], [20]);
        var window = VersionWindow.FromCounts(20, 0, latency);
        latency.Add(300, 5);
        Assert.Equal(20, window.Latency.Count);
        Assert.True(window.HasLatency);
    }

    private static TrafficSample Sample(long requests, long errors, long satisfied, long tolerating, int[] buckets, long[] counts) =>
        new("web", "1", "r1", false, T0, T0.AddSeconds(1), requests, errors, satisfied, tolerating, buckets, counts);
}
