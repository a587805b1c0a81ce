using Failsafe.Contracts;
using Failsafe.ControlPlane.Analysis;
using Microsoft.Extensions.DependencyInjection;

namespace Failsafe.ControlPlane.Tests.Prometheus;

/// <summary>The HTTP side against <see cref="FakePrometheusApi"/>: credentials, the time asked for, timeouts, wrong servers.</summary>
public sealed class PrometheusHttpTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private FakePrometheusApi _api = null!;

    public async Task InitializeAsync() => _api = await FakePrometheusApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task QueryAsync_CredentialsInUrl_SendsThemAsBasicAuthWithTheClockTime()
    {
        var source = new PrometheusSource(Guarded(Uri.EscapeDataString(FakePrometheusApi.User), Uri.EscapeDataString(FakePrometheusApi.Password)), LatencyBucketsQuery: null);

        var window = await new PrometheusMetricSource(_http, new FixedTimeProvider(Now)).QueryAsync(source, "web", "1.2.0", TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.Equal(new PrometheusWindow(42, 42, []), window with { LatencyBuckets = [] });
        Assert.Equal(2, _api.Received.Count);
        Assert.All(_api.Received, r => Assert.Equal("1700000000.250", r.Time));
        Assert.Contains(_api.Received, r => r.Query == "sum(increase(failsafe_proxy_requests_total{service=\"web\",version=\"1.2.0\"}[30s]))");
        Assert.Contains(_api.Received, r => r.Query == "sum(increase(failsafe_proxy_errors_total{service=\"web\",version=\"1.2.0\"}[30s]))");
    }

    [Fact]
    public async Task QueryAsync_WrongPassword_SaysHttp401WithoutThePassword()
    {
        var source = new PrometheusSource(Guarded("ad%40min", "wrong-s3cret"), LatencyBucketsQuery: null);

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => Source().QueryAsync(source, "web", "1.2.0", TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Matches(
            $"^Prometheus at {Regex(_api.Url)}/guarded answered the (requests|errors) query with HTTP 401 Unauthorized \\(check the user and password in the Prometheus URL\\)\\.$",
            e.Message);
        Assert.DoesNotContain("s3cret", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ad%40min", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_ServerThatStalls_TimesOutWithAClearMessage()
    {
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        var source = new PrometheusSource(_api.Url + "/slow", LatencyBucketsQuery: null);

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(
            () => new PrometheusMetricSource(impatient, TimeProvider.System).QueryAsync(source, "web", "1.2.0", TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Matches($"^Prometheus at {Regex(_api.Url)}/slow did not answer the (requests|errors) query within 0\\.3 s\\.$", e.Message);
    }

    [Fact]
    public async Task QueryAsync_CallerCancels_ThrowsCancellationNotAQueryError()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var source = new PrometheusSource(_api.Url + "/slow", LatencyBucketsQuery: null);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Source().QueryAsync(source, "web", "1.2.0", TimeSpan.FromMinutes(1), cancel.Token));
    }

    [Fact]
    public async Task QueryAsync_AnswerCutShort_SaysItBrokeOff()
    {
        var source = new PrometheusSource(_api.Url + "/cut", LatencyBucketsQuery: null);

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => Source().QueryAsync(source, "web", "1.2.0", TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Matches($"^Prometheus at {Regex(_api.Url)}/cut broke off its answer to the (requests|errors) query: [^\\n]+$", e.Message);
    }

    [Fact]
    public async Task QueryAsync_UrlOfAWebPage_AsksWhetherItIsPrometheus()
    {
        var source = new PrometheusSource(_api.Url + "/page/", LatencyBucketsQuery: null);

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => Source().QueryAsync(source, "web", "1.2.0", TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.EndsWith("with something other than the Prometheus query API's JSON; is that the Prometheus server's address?", e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{_api.Url}/page answered", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_BadTemplate_FailsBeforeAnyRequest()
    {
        var source = new PrometheusSource(_api.Url + "/guarded", ErrorsQuery: "sum(failsafe_proxy_errors_total{version=\"{{verison}}\"})");

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => Source().QueryAsync(source, "web", "1.2.0", TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.StartsWith("The errors query has an unknown placeholder {{verison}};", e.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Received);
    }

    [Fact]
    public void AddPrometheusMetricSource_RegistersOneSourceWithATenSecondClient()
    {
        var services = new ServiceCollection().AddPrometheusMetricSource();
        using var provider = services.BuildServiceProvider();

        var first = provider.GetRequiredService<PrometheusMetricSource>();

        Assert.Same(first, provider.GetRequiredService<PrometheusMetricSource>());
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(PrometheusMetricSource.HttpClientName);
        Assert.Equal(TimeSpan.FromSeconds(10), client.Timeout);
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private string Guarded(string user, string password) => _api.Url.Replace("http://", $"http://{user}:{password}@", StringComparison.Ordinal) + "/guarded";

    private PrometheusMetricSource Source() => new(_http, TimeProvider.System);
}
