using System.Net;
using System.Net.Sockets;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Analysis;
using static Failsafe.ControlPlane.Tests.Prometheus.PrometheusFixture;

namespace Failsafe.ControlPlane.Tests.Prometheus;

/// <summary>Against a real Prometheus that scraped a fake agent with a known history (see <see cref="PrometheusFixture"/>).</summary>
[Collection(PrometheusCollection.Name)]
public sealed class PrometheusMetricSourceTests(PrometheusFixture fixture) : IDisposable
{
    /// <summary>Wide enough to hold the whole history, first scrape included, however long the run takes.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Theory]
    [InlineData(Web, Stable)]
    [InlineData(Web, Canary)]
    [InlineData(Other, Stable)]
    public async Task QueryAsync_AtTheLastScrape_ReturnsEachVersionsExactIncrease(string service, string version)
    {
        var window = await AtLastScrape().QueryAsync(Source(), service, version, Window, CancellationToken.None);

        // No extrapolation at this instant (see PrometheusFixture.LastScrape), so only float rounding separates the numbers.
        var (requests, errors) = fixture.Target.Totals(service, version);
        Assert.Equal(requests, window.Requests, 6);
        Assert.Equal(errors, window.Errors, 6);
        Assert.True(requests > 0);
    }

    [Fact]
    public async Task QueryAsync_AtTheLastScrape_ReturnsTheHistogramSortedWithInf()
    {
        var window = await AtLastScrape().QueryAsync(Source(), Web, Canary, Window, CancellationToken.None);

        var expected = fixture.Target.Histogram(Web, Canary);
        Assert.Equal(expected.Count, window.LatencyBuckets.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].UpperSeconds, window.LatencyBuckets[i].UpperSeconds);
            Assert.Equal(expected[i].CumulativeCount, window.LatencyBuckets[i].CumulativeCount, 6);
        }

        Assert.Equal(double.PositiveInfinity, window.LatencyBuckets[^1].UpperSeconds);
        Assert.Equal(0, window.LatencyBuckets[0].CumulativeCount);
        Assert.Equal(Steps * 100, window.LatencyBuckets[^1].CumulativeCount, 6);
    }

    [Fact]
    public async Task QueryAsync_AtWallClockNow_ExtrapolatesBothCountsAlike()
    {
        var source = new PrometheusMetricSource(_http, TimeProvider.System);

        var window = await source.QueryAsync(Source(), Web, Stable, Window, CancellationToken.None);

        // Now falls after the last sample, and increase() stretches the growth it saw over the window's sampled
        // span to the window's end: × (span + gap) / span when the gap is under 1.1 scrape intervals, else half
        // an interval is added. Nothing is added at the start: the first sample is 0, the counter's zero point.
        // The span is at least the three steps' scrapes (3 s at 1 s intervals), so the factor stays under
        // 1 + 1.1 / 3 ≈ 1.37; 1.55 leaves room for a late scrape. It is never below the exact growth.
        var (requests, errors) = fixture.Target.Totals(Web, Stable);
        Assert.InRange(window.Requests, requests, requests * 1.55);

        // Both series come from the same scrapes and start at 0, so they stretch by the same factor: the error
        // rate, which is what analysis compares, comes out exact.
        Assert.Equal((double)errors / requests, window.Errors / window.Requests, 9);
    }

    [Fact]
    public async Task QueryAsync_VersionWithoutSeries_ReturnsZeroAndNoBuckets()
    {
        var window = await AtLastScrape().QueryAsync(Source(), Web, "9.9.9", Window, CancellationToken.None);

        Assert.Equal(new PrometheusWindow(0, 0, []), window with { LatencyBuckets = [] });
        Assert.Empty(window.LatencyBuckets);
    }

    [Fact]
    public async Task QueryAsync_NoLatencyQuery_ReturnsCountsAndNoBuckets()
    {
        var window = await AtLastScrape().QueryAsync(Source() with { LatencyBucketsQuery = null }, Web, Canary, Window, CancellationToken.None);

        Assert.Equal(Steps * 100, window.Requests, 6);
        Assert.Empty(window.LatencyBuckets);
    }

    [Theory]
    [InlineData("1.0.0\",version!=\"")]
    [InlineData("1.0.0\"} or vector(7) #")]
    [InlineData("1.0.0\\")]
    [InlineData("1.0.0\n")]
    [InlineData("1.0.0'")]
    public async Task QueryAsync_VersionThatTriesToEscapeTheString_StaysALabelValue(string version)
    {
        // Spliced in raw, the first would read {version="1.0.0",version!=""}: the stable version's 600 requests.
        var window = await AtLastScrape().QueryAsync(Source(), Web, version, Window, CancellationToken.None);

        Assert.Equal(0, window.Requests);
        Assert.Equal(0, window.Errors);
        Assert.Empty(window.LatencyBuckets);
    }

    [Theory]
    [InlineData(Stable, Steps * 200)]
    [InlineData("1.0.0',version!='", 0)]
    public async Task QueryAsync_SingleQuotedTemplate_EscapesForSingleQuotes(string version, int expected)
    {
        var source = Source() with
        {
            RequestsQuery = "sum(increase(failsafe_proxy_requests_total{service='{{service}}',version='{{version}}'}[{{window}}]))",
        };

        var window = await AtLastScrape().QueryAsync(source, Web, version, Window, CancellationToken.None);

        Assert.Equal(expected, window.Requests, 6);
    }

    [Fact]
    public async Task QueryAsync_ScalarQuery_ReadsTheNumber()
    {
        var source = Source() with { RequestsQuery = "scalar(" + PrometheusSource.DefaultRequestsQuery + ")" };

        var window = await AtLastScrape().QueryAsync(source, Web, Canary, Window, CancellationToken.None);

        Assert.Equal(Steps * 100, window.Requests, 6);
    }

    [Fact]
    public async Task QueryAsync_ScalarOfNothing_FailsOnNaNRatherThanCountingZero()
    {
        var source = Source() with { ErrorsQuery = "scalar(" + PrometheusSource.DefaultErrorsQuery + ")" };

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => AtLastScrape().QueryAsync(source, Web, "9.9.9", Window, CancellationToken.None));

        Assert.StartsWith("The errors query for web 9.9.9 returned NaN;", e.Message, StringComparison.Ordinal);
        AssertOneLine(e.Message);
    }

    [Fact]
    public async Task QueryAsync_BadPromQl_ReportsPrometheusOwnError()
    {
        var source = Source() with { RequestsQuery = "sum(increase(failsafe_proxy_requests_total{version=\"{{version}}\"}[{{window}}])" };

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => AtLastScrape().QueryAsync(source, Web, Stable, Window, CancellationToken.None));

        Assert.StartsWith($"Prometheus at {fixture.Url} rejected the requests query (HTTP 400, bad_data): ", e.Message, StringComparison.Ordinal);
        Assert.Contains("parse error", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("Query: sum(increase(failsafe_proxy_requests_total{version=\"1.0.0\"}[300s])", e.Message, StringComparison.Ordinal);
        AssertOneLine(e.Message);
    }

    [Fact]
    public async Task QueryAsync_QueryReturningSeveralSeries_SaysOneNumberWasExpected()
    {
        var source = Source() with { RequestsQuery = "increase(failsafe_proxy_requests_total{version=~\"{{version}}|1.1.0\"}[{{window}}])" };

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => AtLastScrape().QueryAsync(source, Web, Stable, Window, CancellationToken.None));

        Assert.StartsWith("The requests query for web 1.0.0 returned 3 series ({", e.Message, StringComparison.Ordinal);
        Assert.Contains("where one number was expected; aggregate them, e.g. with sum(...). Query: increase(", e.Message, StringComparison.Ordinal);
        AssertOneLine(e.Message);
    }

    [Fact]
    public async Task QueryAsync_RangeVectorQuery_AsksForAnInstantVector()
    {
        var source = Source() with { ErrorsQuery = "failsafe_proxy_errors_total{version=\"{{version}}\"}[{{window}}]" };

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => AtLastScrape().QueryAsync(source, Web, Stable, Window, CancellationToken.None));

        Assert.StartsWith("The errors query for web 1.0.0 returned a range vector;", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_BucketsWithoutLe_SaysToSumByLe()
    {
        var source = Source() with { LatencyBucketsQuery = "sum(increase(failsafe_proxy_request_duration_seconds_bucket{version=\"{{version}}\"}[{{window}}]))" };

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => AtLastScrape().QueryAsync(source, Web, Stable, Window, CancellationToken.None));

        Assert.StartsWith("The latency buckets query for web 1.0.0 returned a series without an \"le\" label ({});", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_UnreachableServer_NamesTheUrlWithoutCredentials()
    {
        var port = ClosedPort();
        var source = Source() with { Url = $"http://admin:s3cret-pw@127.0.0.1:{port}/" };

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => AtLastScrape().QueryAsync(source, Web, Stable, Window, CancellationToken.None));

        Assert.Equal($"Prometheus at http://127.0.0.1:{port} is unreachable: Connection refused.", e.Message);
        Assert.DoesNotContain("s3cret", e.ToString(), StringComparison.Ordinal);
    }

    private static void AssertOneLine(string message) => Assert.DoesNotContain('\n', message);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private PrometheusSource Source() => new(fixture.Url);

    private PrometheusMetricSource AtLastScrape() => new(_http, new FixedTimeProvider(fixture.LastScrape));

    public void Dispose() => _http.Dispose();
}
