using System.Diagnostics;

namespace Failsafe.Bench.Load;

/// <summary>
/// One case: its servers (one on SQLite, or replicas on one PostgreSQL), the fleet enrolled, a warm-up while the agents' long
/// polls fall out of step, then the measured window with deployments running.
/// </summary>
internal static class LoadCase
{
    public static async Task<CaseResult> RunAsync(string name, LoadSettings settings, string root, string executable, string work)
    {
        var ct = CancellationToken.None;
        var data = Path.Combine(work, name, "data");
        await using var postgres = name == "postgres" ? await PrivatePostgres.StartAsync(root) : null;
        var servers = new List<ServerProcess>();
        var admins = new List<AdminApi>();
        var agents = new List<SimulatedAgent>();
        ServerTrust? trust = null;
        try
        {
            // Replicas share the data folder (CA, admin token, blobs): the first alone makes them, then the others start.
            for (var i = 0; i < (postgres is null ? 1 : 2); i++)
            {
                var server = await ServerProcess.StartAsync(executable, data, Path.Combine(work, name, $"server-{i}.log"), postgres?.ConnectionString, ct);
                servers.Add(server);
                trust ??= new ServerTrust(data);
                var admin = new AdminApi(server.Url, (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"), ct)).Trim(), trust);
                admins.Add(admin);
                await admin.WaitReadyAsync(server, ct);
            }

            var pids = servers.Select(s => s.Id).ToList();
            long[] Rss() => [.. pids.Select(p => ProcStat.RssBytes(p) ?? 0)];
            var rssIdle = Rss();
            Console.WriteLine($"[{name}] {servers.Count} server(s) up: {string.Join(", ", servers.Select(s => s.Url))}{(postgres is null ? "" : $"; PostgreSQL in {postgres.Directory}")}");

            var log = new RequestLog();
            var tasks = new TaskLog();
            var (tokenSeconds, enrollSeconds, enrollTimes) = await EnrollAsync(settings, servers, admins, trust!, log, tasks, agents, ct);
            var rssEnrolled = Rss();
            Console.WriteLine($"[{name}] {agents.Count} agents enrolled: tokens {tokenSeconds:0.0} s, enrollment {enrollSeconds:0.0} s ({agents.Count / enrollSeconds:0} per second)");

            using var stop = new CancellationTokenSource();
            var reporters = (int)Math.Round(settings.Agents * settings.MetricsShare);
            var stepTime = TimeSpan.FromMilliseconds(settings.StepMilliseconds);
            var warmUp = TimeSpan.FromSeconds(settings.WarmUpSeconds);
            var running = agents.Select((agent, i) => Task.Run(async () =>
            {
                // Spread the first polls over the warm-up, so that the fleet's long polls are out of step as in a real one.
                await Task.Delay(warmUp * i / agents.Count, stop.Token);
                await agent.RunAsync(reportsMetrics: i % Math.Max(1, settings.Agents / Math.Max(1, reporters)) == 0 && reporters > 0, stepTime, stop.Token);
            })).ToList();
            await Task.Delay(warmUp, ct);

            // The measured window.
            log.OpenWindow();
            using var window = new CancellationTokenSource(TimeSpan.FromSeconds(settings.Seconds));
            var sampler = new ResourceSampler(pids, postgres?.PostmasterId);
            var sampling = sampler.RunAsync(window.Token);
            var lanes = Enumerable.Range(0, settings.Lanes).Select(l => new DeploymentLane(
                settings.ServiceOf(l), [.. agents.Where((_, i) => i % settings.Lanes == l).Select(a => a.Name)], admins[l % admins.Count], settings, log, tasks, work)).ToList();
            var pipelines = lanes.Select(l => Task.Run(() => l.RunAsync(window.Token))).ToList();
            Console.WriteLine($"[{name}] measuring for {settings.Seconds} s: {agents.Count} agents polling, {reporters} reporting metrics, {settings.Lanes} deployment pipelines");
            await sampling;
            log.CloseWindow();
            await Task.WhenAll(pipelines);
            var rssPeak = pids.Select(p => ProcStat.PeakRssBytes(p) ?? 0).ToArray();
            await stop.CancelAsync();
            await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            if (servers.FirstOrDefault(s => s.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"A server stopped during the run; see {dead.LogPath}.");
            }

            return new CaseResult(
                name, servers.Count, agents.Count, tokenSeconds, enrollSeconds,
                RequestLog.Quantile(enrollTimes, 0.5), RequestLog.Quantile(enrollTimes, 0.99),
                rssIdle, rssEnrolled, sampler.MeanRss, sampler.MaxRss, rssPeak, sampler.MaxThreads,
                sampler.ServerCpuSeconds, sampler.PostgresCpuSeconds, sampler.BenchCpuSeconds, log.WindowSeconds,
                log.Summarise(), tasks.DeliveryMilliseconds(),
                lanes.Sum(l => l.Started), lanes.Sum(l => l.Succeeded), lanes.Sum(l => l.Failed), lanes.Sum(l => l.Errors),
                [.. lanes.SelectMany(l => l.WallSeconds).Order()]);
        }
        finally
        {
            foreach (var agent in agents)
            {
                agent.Dispose();
            }

            foreach (var admin in admins)
            {
                admin.Dispose();
            }

            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            trust?.Dispose();
        }
    }

    /// <summary>
    /// Tokens through the API, then enrollment (a CSR each, signed by the server), both with a few requests in flight. Agent i
    /// talks to server i / lanes % servers, so that every deployment pipeline has hosts on every replica.
    /// </summary>
    private static async Task<(double TokenSeconds, double EnrollSeconds, List<double> EnrollMs)> EnrollAsync(
        LoadSettings settings, List<ServerProcess> servers, List<AdminApi> admins, ServerTrust trust, RequestLog log, TaskLog tasks,
        List<SimulatedAgent> agents, CancellationToken ct)
    {
        int ServerOf(int i) => i / Math.Max(1, settings.Lanes) % servers.Count;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.EnrollConcurrency, CancellationToken = ct };

        var clock = Stopwatch.StartNew();
        var tokens = new string[settings.Agents];
        await Parallel.ForAsync(0, settings.Agents, parallel, async (i, c) => tokens[i] = await admins[ServerOf(i)].CreateAgentTokenAsync(c));
        var tokenSeconds = clock.Elapsed.TotalSeconds;

        var anonymous = servers.Select(_ => new HttpClient(new SocketsHttpHandler
        {
            SslOptions = trust.SslOptions(),
            UseProxy = false,
            MaxConnectionsPerServer = settings.EnrollConcurrency,
        })
        { Timeout = TimeSpan.FromSeconds(60) }).ToList();
        try
        {
            clock.Restart();
            var enrolled = new SimulatedAgent[settings.Agents];
            var times = new double[settings.Agents];
            await Parallel.ForAsync(0, settings.Agents, parallel, async (i, c) =>
            {
                var server = ServerOf(i);
                (enrolled[i], times[i]) = await SimulatedAgent.EnrollAsync(
                    anonymous[server], servers[server].Url, $"host-{i + 1:0000}", settings.ServiceOf(i), tokens[i], trust, log, tasks, c);
            });
            agents.AddRange(enrolled);
            return (tokenSeconds, clock.Elapsed.TotalSeconds, [.. times.Order()]);
        }
        finally
        {
            foreach (var client in anonymous)
            {
                client.Dispose();
            }
        }
    }
}
