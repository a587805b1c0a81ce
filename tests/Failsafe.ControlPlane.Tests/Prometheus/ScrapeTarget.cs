using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Failsafe.ControlPlane.Tests.Prometheus;

/// <summary>
/// Stands in for the agents' /metrics: serves the failsafe_proxy_* metrics in Prometheus text format 0.0.4
/// on 127.0.0.1 for counters the test drives with <see cref="Record"/>.
/// </summary>
internal sealed class ScrapeTarget : IAsyncDisposable
{
    /// <summary>The agent's "le" bounds, in seconds (+Inf is added).</summary>
    public static readonly double[] Bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly WebApplication _app;
    private readonly Dictionary<(string Service, string Version), Counters> _series = [];
    private readonly Lock _lock = new();

    private ScrapeTarget(WebApplication app)
    {
        _app = app;
        _app.MapGet("/metrics", () => Results.Text(Exposition(), "text/plain; version=0.0.4; charset=utf-8"));
    }

    /// <summary>host:port, as a scrape config's target.</summary>
    public string Target { get; private set; } = "";

    public int Scrapes { get; private set; }

    public static async Task<ScrapeTarget> StartAsync(params (string Service, string Version)[] series)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var target = new ScrapeTarget(builder.Build());
        foreach (var s in series)
        {
            target._series[s] = new Counters();
        }

        await target._app.StartAsync();
        target.Target = new Uri(target._app.Urls.Single()).Authority;
        return target;
    }

    /// <summary>Counts <paramref name="count"/> requests of one version that took <paramref name="seconds"/>.</summary>
    public void Record(string service, string version, int count, double seconds, bool error = false)
    {
        lock (_lock)
        {
            var c = _series[(service, version)];
            c.Requests += count;
            c.Errors += error ? count : 0;
            c.Satisfied += seconds <= 0.1 ? count : 0;
            c.Tolerating += seconds is > 0.1 and <= 0.4 ? count : 0;
            c.Sum += count * seconds;
            for (var i = 0; i < Bounds.Length; i++)
            {
                c.Buckets[i] += seconds <= Bounds[i] ? count : 0;
            }
        }
    }

    public (long Requests, long Errors) Totals(string service, string version)
    {
        lock (_lock)
        {
            var c = _series[(service, version)];
            return (c.Requests, c.Errors);
        }
    }

    public long TotalRequests()
    {
        lock (_lock)
        {
            return _series.Values.Sum(c => c.Requests);
        }
    }

    /// <summary>The cumulative histogram as the agent exposes it, +Inf last.</summary>
    public IReadOnlyList<(double UpperSeconds, double CumulativeCount)> Histogram(string service, string version)
    {
        lock (_lock)
        {
            var c = _series[(service, version)];
            return [.. Bounds.Select((b, i) => (b, (double)c.Buckets[i])), (double.PositiveInfinity, c.Requests)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private string Exposition()
    {
        var text = new StringBuilder();
        lock (_lock)
        {
            Scrapes++;
            Counter(text, "failsafe_proxy_requests_total", "Requests forwarded.", c => c.Requests);
            Counter(text, "failsafe_proxy_errors_total", "Requests answered 5xx or not at all.", c => c.Errors);
            Counter(text, "failsafe_proxy_apdex_satisfied_total", "Requests within the Apdex target.", c => c.Satisfied);
            Counter(text, "failsafe_proxy_apdex_tolerating_total", "Requests within four times the Apdex target.", c => c.Tolerating);
            const string histogram = "failsafe_proxy_request_duration_seconds";
            text.Append(CultureInfo.InvariantCulture, $"# HELP {histogram} Time to the response's last byte.\n# TYPE {histogram} histogram\n");
            foreach (var ((service, version), c) in _series)
            {
                var labels = $"service=\"{service}\",version=\"{version}\"";
                for (var i = 0; i < Bounds.Length; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{histogram}_bucket{{{labels},le=\"{Bounds[i]}\"}} {c.Buckets[i]}\n");
                }

                text.Append(CultureInfo.InvariantCulture, $"{histogram}_bucket{{{labels},le=\"+Inf\"}} {c.Requests}\n");
                text.Append(CultureInfo.InvariantCulture, $"{histogram}_sum{{{labels}}} {c.Sum}\n");
                text.Append(CultureInfo.InvariantCulture, $"{histogram}_count{{{labels}}} {c.Requests}\n");
            }
        }

        return text.ToString();
    }

    private void Counter(StringBuilder text, string name, string help, Func<Counters, long> value)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n");
        foreach (var ((service, version), c) in _series)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{service=\"{service}\",version=\"{version}\"}} {value(c)}\n");
        }
    }

    private sealed class Counters
    {
        public long Requests { get; set; }

        public long Errors { get; set; }

        public long Satisfied { get; set; }

        public long Tolerating { get; set; }

        public double Sum { get; set; }

        public long[] Buckets { get; } = new long[Bounds.Length];
    }
}
