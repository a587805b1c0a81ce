using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests.Prometheus;

[CollectionDefinition(Name)]
public sealed class PrometheusCollection : ICollectionFixture<PrometheusFixture>
{
    public const string Name = "Prometheus";
}

/// <summary>
/// One real Prometheus scraping one fake agent, with a known history: every series is first scraped at 0,
/// then traffic arrives in three steps, each scraped before the next. Counters stay still after that.
/// </summary>
public sealed class PrometheusFixture : IAsyncLifetime
{
    public const string Web = "web";
    public const string Other = "api";
    public const string Stable = "1.0.0";
    public const string Canary = "1.1.0";
    public const int Steps = 3;

    private ScrapeTarget? _target;
    private PrometheusServer? _prometheus;

    internal ScrapeTarget Target => _target ?? throw new InvalidOperationException("The fixture did not start.");

    internal PrometheusServer Prometheus => _prometheus ?? throw new InvalidOperationException("The fixture did not start.");

    public string Url => Prometheus.Url;

    /// <summary>
    /// The time of the last scrape. At exactly this time increase() does not extrapolate: the window's last
    /// sample is at its end and its first sample (the series' first, at 0) leaves nothing to extrapolate at
    /// the start, so the increase is the counters' exact growth.
    /// </summary>
    public DateTimeOffset LastScrape { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            _target = await ScrapeTarget.StartAsync((Web, Stable), (Web, Canary), (Other, Stable));
            _prometheus = await PrometheusServer.StartAsync(_target.Target);
            await ScrapedAsync("count(failsafe_proxy_requests_total)", 3);
            for (var step = 1; step <= Steps; step++)
            {
                // Stable: 200 requests, 2 failing; canary: 100 requests, 10 failing and slower; api (another service) busy and clean.
                _target.Record(Web, Stable, 150, 0.02);
                _target.Record(Web, Stable, 48, 0.3);
                _target.Record(Web, Stable, 2, 0.3, error: true);
                _target.Record(Web, Canary, 90, 0.7);
                _target.Record(Web, Canary, 10, 3.0, error: true);
                _target.Record(Other, Stable, 1000, 0.008);
                await ScrapedAsync("sum(failsafe_proxy_requests_total)", _target.TotalRequests());
            }

            var last = await Prometheus.QueryAsync("max(timestamp(failsafe_proxy_requests_total))");
            LastScrape = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(last.Single().Value * 1000));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
            _prometheus = null;
        }

        if (_target is not null)
        {
            await _target.DisposeAsync();
            _target = null;
        }
    }

    private async Task ScrapedAsync(string promql, double expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var result = await Prometheus.QueryAsync(promql);
            if (result.Count == 1 && result[0].Value == expected)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"Prometheus did not scrape {expected} for {promql} within 15 s (scrapes served: {Target.Scrapes}; it answered {string.Join(", ", result.Select(r => r.Value))}). Its output: {Prometheus.Output}");
            }

            await Task.Delay(100);
        }
    }
}
