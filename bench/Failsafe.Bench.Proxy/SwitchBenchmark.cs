using System.Diagnostics;
using System.Globalization;
using System.Net;
using Failsafe.Contracts;
using Failsafe.DataPlane.Traffic;
using Microsoft.Extensions.Logging.Abstractions;

namespace Failsafe.Bench.Proxy;

/// <summary>
/// (b) Route switches under constant load: wrk hammers the proxy while, once a second, a new instance
/// process starts, is warmed up, takes the route, and the old one is drained and stopped (SIGTERM).
/// Every wrk error, non-2xx answer and failure the proxy saw is counted; the goal is none.
/// </summary>
internal static class SwitchBenchmark
{
    private static readonly TimeSpan Pace = TimeSpan.FromSeconds(1);

    public static async Task<bool> RunAsync(BenchSettings settings)
    {
        var observer = new CountingObserver();
        await using var proxy = new TrafficProxy(IPAddress.Loopback, observer, TimeProvider.System, NullLoggerFactory.Instance);
        var publicPort = Benchmarks.FreePort();
        var current = await StartUpstreamAsync();
        await proxy.ApplyAsync(Route(current, 0, publicPort), CancellationToken.None);

        var seconds = settings.Switches + 4;
        Console.WriteLine(F($"(b) {settings.Switches} switches under load: wrk -t2 -c32 -d{seconds}s, a new instance process per switch, drain then SIGTERM the old one"));
        var load = Wrk.RunAsync(F($"http://127.0.0.1:{publicPort}/"), 2, 32, seconds, pin: false);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var drains = new List<TimeSpan>();
        var undrained = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= settings.Switches; i++)
        {
            var started = clock.Elapsed;
            var next = await StartUpstreamAsync();
            var warm = await WarmUp.RunAsync(next.Port, ["/"], 20, TimeSpan.FromSeconds(5), CancellationToken.None);
            if (!warm.AllSucceeded)
            {
                Console.WriteLine($"  switch {i}: warm-up failed ({warm.FirstError})");
            }

            await proxy.ApplyAsync(Route(next, i, publicPort), CancellationToken.None);
            var drain = Stopwatch.StartNew();
            if (!await proxy.DrainAsync(Backend(current, i - 1), TimeSpan.FromSeconds(10), CancellationToken.None))
            {
                undrained++;
            }

            drains.Add(drain.Elapsed);
            await current.DisposeAsync();
            current = next;
            var rest = Pace - (clock.Elapsed - started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }

        var switchingTook = clock.Elapsed;
        var result = await load;
        await current.DisposeAsync();

        var failed = result.SocketErrors + result.Non2xx + observer.Errors + undrained;
        Console.WriteLine(F($"  {settings.Switches} switches in {switchingTook.TotalSeconds:0.0} s while wrk ran {seconds} s: {result.Requests} requests, {result.RequestsPerSecond:0} requests/s, p99 {result.P99Ms:0.00} ms"));
        Console.WriteLine(F($"  drain time per switch: median {Median(drains).TotalMilliseconds:0.0} ms, max {drains.Max().TotalMilliseconds:0.0} ms; drains timed out: {undrained}"));
        Console.WriteLine(F($"  wrk socket errors {result.SocketErrors}, non-2xx {result.Non2xx}; proxy-side failures {observer.Failed}, 5xx+failures {observer.Errors}"));
        Console.WriteLine(F($"  failed requests: {failed} (goal 0){(switchingTook > TimeSpan.FromSeconds(seconds - 1.5) ? " - WARNING: the switches outlasted the load" : "")}"));
        return failed == 0;
    }

    private static Task<Child> StartUpstreamAsync()
    {
        var port = Benchmarks.FreePort();
        return Child.StartSelfAsync(port, F($"upstream --port {port}"), pin: false);
    }

    private static Backend Backend(Child upstream, int generation) => new(F($"1.0.{generation}"), F($"1.0.{generation}-bench"), upstream.Port);

    private static ServiceRoute Route(Child upstream, int generation, int publicPort) =>
        new("bench", Backend(upstream, generation), null, 0, new TrafficSettings(publicPort));

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
