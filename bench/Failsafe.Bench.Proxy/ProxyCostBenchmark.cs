using System.Globalization;

namespace Failsafe.Bench.Proxy;

/// <summary>
/// (a) What the proxy costs: wrk straight to a minimal Kestrel app, through the Failsafe proxy and through
/// nginx, interleaved in rounds after a warm-up, then each at one connection for the latency a hop adds.
/// </summary>
internal static class ProxyCostBenchmark
{
    private const int Threads = 2;
    private const int Connections = 64;

    public static async Task RunAsync(BenchSettings settings, bool pin)
    {
        var directory = Directory.CreateTempSubdirectory("failsafe-bench-proxy-");
        try
        {
            var upstreamPort = Benchmarks.FreePort();
            await using var upstream = await Child.StartSelfAsync(upstreamPort, F($"upstream --port {upstreamPort}"), pin);
            var proxyPort = Benchmarks.FreePort();
            var environment = new Dictionary<string, string>
            {
                // SocketsHttpHandler hands its connection buffers back to the shared pool between requests;
                // the default 32 arrays per partition (one partition per usable core) run out with 64+
                // upstream connections and every miss allocates (measured 6.1 KB/request instead of 2.9).
                // An environment variable only: the pool reads it once, before any configuration.
                ["DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION"] = "512",
            };
            if (settings.Inline)
            {
                environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1";
            }

            await using var failsafe = await Child.StartSelfAsync(proxyPort, F($"proxy --port {proxyPort} --upstream {upstreamPort}"), pin, environment);
            await using var nginx = await Nginx.StartAsync(directory.FullName, Benchmarks.FreePort(), upstream.Port, pin);

            (string Name, int Port)[] targets = [("direct", upstream.Port), ("failsafe", failsafe.Port), ("nginx", nginx.Port)];

            // .NET reaches its steady state only after 10-20 s under load (tiered JIT with PGO, pools); nginx needs little.
            Console.WriteLine("(a) proxy cost: warming up (10 s direct, 20 s Failsafe, 5 s nginx)...");
            await Wrk.RunAsync(Url(upstream.Port), Threads, Connections, 10, pin);
            await Wrk.RunAsync(Url(failsafe.Port), Threads, Connections, 20, pin);
            await Wrk.RunAsync(Url(nginx.Port), Threads, Connections, 5, pin);

            var results = targets.ToDictionary(t => t.Name, _ => new List<WrkResult>());
            Console.WriteLine($"wrk -t{Threads} -c{Connections} -d{settings.Duration}s --latency, {settings.Rounds} interleaved round(s), 100-byte responses:");
            Console.WriteLine($"  {"round",-6}{"target",-10}{"requests/s",12}{"p50 ms",9}{"p99 ms",9}{"errors",8}");
            for (var round = 1; round <= settings.Rounds; round++)
            {
                foreach (var (name, port) in targets)
                {
                    var result = await Wrk.RunAsync(Url(port), Threads, Connections, settings.Duration, pin);
                    results[name].Add(result);
                    Console.WriteLine(Row(round.ToString(CultureInfo.InvariantCulture), name, result));
                }
            }

            var latency = new Dictionary<string, WrkResult>();
            foreach (var (name, port) in targets)
            {
                latency[name] = await Wrk.RunAsync(Url(port), 1, 1, 5, pin);
            }

            Console.WriteLine("wrk -t1 -c1 -d5s (one connection: the latency a hop adds when nothing queues):");
            foreach (var (name, _) in targets)
            {
                Console.WriteLine(Row("", name, latency[name]));
            }

            // Each round's runs are seconds apart, so their ratios are fairer than ratios of means when
            // the machine's speed drifts (shared hosts swing 10-25 % between runs).
            var ratios = Enumerable.Range(0, settings.Rounds)
                .Select(i => results["failsafe"][i].RequestsPerSecond / results["nginx"][i].RequestsPerSecond)
                .ToList();
            var added = Enumerable.Range(0, settings.Rounds)
                .Select(i => results["failsafe"][i].P99Ms - results["direct"][i].P99Ms)
                .ToList();
            Console.WriteLine("Summary:");
            Console.WriteLine(F($"  requests/s (mean): direct {results["direct"].Average(r => r.RequestsPerSecond):0}, Failsafe {results["failsafe"].Average(r => r.RequestsPerSecond):0}, nginx {results["nginx"].Average(r => r.RequestsPerSecond):0}"));
            Console.WriteLine(F($"  Failsafe / nginx throughput per round: {string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}; median {Median(ratios):0.00}x (goal >= 0.8x)"));
            Console.WriteLine(F($"  Failsafe p99 - direct p99 at c64 per round: {string.Join(", ", added.Select(a => a.ToString("+0.00;-0.00", CultureInfo.InvariantCulture)))} ms; median {Median(added):+0.00;-0.00} ms"));
            Console.WriteLine(F($"  p99 added at c1 (one connection): Failsafe {latency["failsafe"].P99Ms - latency["direct"].P99Ms:+0.000;-0.000} ms, nginx {latency["nginx"].P99Ms - latency["direct"].P99Ms:+0.000;-0.000} ms; p50 added: Failsafe {latency["failsafe"].P50Ms - latency["direct"].P50Ms:+0.000;-0.000} ms, nginx {latency["nginx"].P50Ms - latency["direct"].P50Ms:+0.000;-0.000} ms (goal < 1 ms)"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Url(int port) => F($"http://127.0.0.1:{port}/");

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Row(string round, string name, WrkResult r) =>
        F($"  {round,-6}{name,-10}{r.RequestsPerSecond,12:0}{r.P50Ms,9:0.000}{r.P99Ms,9:0.000}{r.SocketErrors + r.Non2xx,8}");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
