using System.Diagnostics;
using Failsafe.Cli;
using Failsafe.Contracts;
using Failsafe.Demo;
using Failsafe.Tests.Common;
using Npgsql;
using Xunit.Abstractions;

namespace Failsafe.IntegrationTests;

/// <summary>
/// Server replicas on one PostgreSQL lose nothing when one of them dies (the one driving a rollout is replaced within the
/// lease) or when PostgreSQL itself restarts: every deployment ends, every acknowledged write stays, every change is one
/// event, and no host runs a step twice (each release's pre-activate hook appends "host version deployment" to the host's
/// shared/pre-activate.log; the lines are counted, and the tasks table is read for any task queued twice).
/// FAILSAFE_FAULT_DEPLOYMENTS sets how many deployments the fault test runs (default 20); FAILSAFE_FAULT_SEED repeats its
/// plan of kills (which replica, how long between kills and restarts).
/// </summary>
public sealed class ReplicaFaultTests(ITestOutputHelper output)
{
    private const string Service = "faulty";
    private const string HookLog = "pre-activate.log";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(90);

    /// <summary>A generous health timeout: a machine busy restarting replicas must not fail a host by slowness.</summary>
    private static readonly ActivationSettings SlowMachine = new(KeepReleases: 3, HealthTimeoutSeconds: 30);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task Replicas_KilledAndRestartedAtRandomDuringDeployments_EveryDeploymentEndsAndEveryChangeHappensOnce()
    {
        var count = EnvironmentNumber("FAILSAFE_FAULT_DEPLOYMENTS", 20);
        var seed = EnvironmentNumber("FAILSAFE_FAULT_SEED", Environment.TickCount & 0xFFFFFF);
        Log($"{count} deployments on 3 replicas (lease {Lease.TotalSeconds:0} s) and 5 agents; seed {seed} (FAILSAFE_FAULT_SEED={seed} repeats the kills)");
        string[] hosts = ["host-1", "host-2", "host-3", "host-4", "host-5"];
        await using var database = await PostgresScratchDatabase.CreateAsync();
        var work = TestPaths.NewWorkDirectory("replicas");
        var passed = false;
        try
        {
            await using var cluster = await LocalCluster.StartReplicasAsync(work, TestPaths.Failsafe, database.ConnectionString, 3, Lease, CancellationToken.None);
            using var api = new ReplicaApi(cluster);
            await cluster.StartAgentsAsync(api.Replica(0), hosts.Length, CancellationToken.None);
            var plan = Enumerable.Range(0, count).Select(k => Planned.For(k, hosts)).ToList();
            var artifacts = new Dictionary<string, (string Path, string Sha256)>();
            foreach (var p in plan)
            {
                artifacts[p.Version] = await PackAsync(work, p.Version, Hook(p.Label, p.FailOn));
            }

            Log($"replicas, agents and {count} releases ready");

            var monkey = new ReplicaMonkey(cluster, new Random(seed), _clock, Log);
            var pushed = new List<ReleaseInfo>();
            var results = new List<Result>();
            using (var stop = new CancellationTokenSource())
            {
                var kills = monkey.RunAsync(stop.Token);
                try
                {
                    foreach (var p in plan)
                    {
                        if (kills.IsCompleted)
                        {
                            await kills; // a replica that would not come back ends the test here
                        }

                        var (path, sha) = artifacts[p.Version];
                        // A push is safe to repeat (same bytes, same answer), so one cut short is sent again to another replica.
                        pushed.Add(await api.RetryAsync(c => c.PushAsync(Service, p.Version, path, sha, CancellationToken.None), $"push {p.Version}"));
                        var started = _clock.Elapsed;
                        var (created, acknowledged, cut) = await CreateAsync(api, new CreateDeployment(
                            Service, p.Version, hosts, BatchSize: p.Batch, Settings: SlowMachine));
                        var final = await WaitEndAsync(api, created.Id);
                        var took = _clock.Elapsed - started;
                        results.Add(new Result(p, final, acknowledged, cut, took));
                        Log($"{created.Id} {p.Version} batch {p.Batch}{(p.FailOn is null ? "" : $", hook fails on {p.FailOn}")}: "
                            + $"{final.State} after {took.TotalSeconds:0.0} s"
                            + (cut == 0 ? "" : $" ({cut} creation attempt(s) sent to a dead replica{(acknowledged ? ", then created by another one" : "; the deployment was found stored")})"));
                    }
                }
                finally
                {
                    await stop.CancelAsync();
                    await kills;
                }
            }

            var takeovers = Directory.EnumerateFiles(cluster.LogDirectory, "replica-*.log")
                .Sum(f => File.ReadLines(f).Count(l => l.Contains("Took over deployment", StringComparison.Ordinal)));
            var killed = monkey.Kills;
            Log($"{killed.Count} kills ({string.Join(", ", Enumerable.Range(0, 3).Select(r => $"replica {r}: {killed.Count(k => k.Replica == r)}"))}), "
                + $"down {(killed.Count == 0 ? 0 : killed.Average(k => k.Down.TotalSeconds)):0.0} s on average; {takeovers} lease takeovers; "
                + $"deployments took {results.Average(r => r.Took.TotalSeconds):0.0} s on average, {results.Max(r => r.Took.TotalSeconds):0.0} s at most; "
                + $"{results.Sum(r => r.Cut)} creation attempts refused or cut by a dead replica, {results.Count(r => !r.Acknowledged)} of which had created it");
            Assert.True(takeovers > 0, "no replica ever took a deployment over from a killed one: the kills proved nothing");

            AssertOutcomes(results);
            await AssertWritesKeptAsync(api, pushed, results);
            await AssertOneEventPerChangeAsync(api, results);
            AssertEachHookRanOnce(cluster, hosts, results);
            await AssertEachTaskQueuedOnceAndDoneAsync(database.ConnectionString);
            var last = results.Last(r => r.Final.State == DeploymentStates.Succeeded);
            foreach (var host in hosts)
            {
                Assert.StartsWith(last.Plan.Version + "-", CurrentRelease(cluster, host));
            }

            passed = true;
        }
        finally
        {
            Clean(work, passed);
        }
    }

    [Fact]
    public async Task Replica_DrivingARolloutKilled_TheOtherTakesItOverWithinTheLease_AndNoHostRunsItsHookTwice()
    {
        string[] hosts = ["host-1", "host-2", "host-3"];
        await using var database = await PostgresScratchDatabase.CreateAsync();
        var work = TestPaths.NewWorkDirectory("takeover");
        var passed = false;
        try
        {
            await using var cluster = await LocalCluster.StartReplicasAsync(work, TestPaths.Failsafe, database.ConnectionString, 2, Lease, CancellationToken.None);
            using var api = new ReplicaApi(cluster);
            await cluster.StartAgentsAsync(api.Replica(0), hosts.Length, CancellationToken.None);
            var (path, sha) = await PackAsync(work, "1.0.0", Hook("d1", sleepSeconds: 1));
            await api.Replica(0).PushAsync(Service, "1.0.0", path, sha, CancellationToken.None);
            var created = await api.Replica(0).CreateDeploymentAsync(new CreateDeployment(Service, "1.0.0", hosts, BatchSize: 1, Settings: SlowMachine), CancellationToken.None);

            // The driver is the replica whose process id is in the lease's holder ("machine/pid/nonce").
            string? holder = null;
            await LocalCluster.WaitAsync(
                async () => (holder = await LeaseHolderAsync(database.ConnectionString, created.Id)) is not null
                    && (await api.Replica(1).GetDeploymentAsync(created.Id, CancellationToken.None)).Hosts.Any(h => h.State == HostStates.InProgress),
                TimeSpan.FromSeconds(60), "the rollout to start", CancellationToken.None);
            var driver = Enumerable.Range(0, 2).Single(i => holder!.Split('/')[1] == cluster.ReplicaProcessId(i)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var killedAt = _clock.Elapsed;
            await cluster.KillReplicaAsync(driver);
            Log($"{created.Id} driven by replica {driver} ({holder}); killed it");

            string? successor = null;
            await LocalCluster.WaitAsync(
                async () => (successor = await LeaseHolderAsync(database.ConnectionString, created.Id)) is { } h && h != holder,
                Lease + TimeSpan.FromSeconds(30), "another replica to take the lease", CancellationToken.None);
            var takeover = _clock.Elapsed - killedAt;
            Log($"replica {1 - driver} ({successor}) took the rollout over {takeover.TotalSeconds:0.0} s after the kill (lease {Lease.TotalSeconds:0} s)");
            Assert.True(takeover < Lease + TimeSpan.FromSeconds(5), $"the takeover took {takeover.TotalSeconds:0.0} s with a lease of {Lease.TotalSeconds:0} s");

            // Its agents talk to it alone: it comes back, as a supervised server would, but no longer drives.
            await cluster.StartReplicaAsync(driver, CancellationToken.None);
            var final = await WaitEndAsync(api, created.Id);
            Log($"{created.Id} {final.State}: {string.Join(", ", final.Hosts.Select(h => $"{h.Host} {h.State}"))}");
            Assert.True(final.State == DeploymentStates.Succeeded, $"{final.State}: {final.Reason}");
            Assert.All(final.Hosts, h => Assert.Equal(HostStates.Succeeded, h.State));
            var result = new Result(new Planned("d1", "1.0.0", 1, null), final, true, 0, TimeSpan.Zero);
            await AssertOneEventPerChangeAsync(api, [result]);
            AssertEachHookRanOnce(cluster, hosts, [result]);
            await AssertEachTaskQueuedOnceAndDoneAsync(database.ConnectionString);
            passed = true;
        }
        finally
        {
            Clean(work, passed);
        }
    }

    [Fact]
    public async Task Postgres_RestartedMidRollout_ReplicasReconnectAndTheRolloutCompletes()
    {
        string[] hosts = ["host-1", "host-2", "host-3"];
        // Our own PostgreSQL, not the suite's: this test restarts it.
        await using var postgres = await PrivatePostgres.StartAsync();
        var work = TestPaths.NewWorkDirectory("pgrestart");
        var passed = false;
        try
        {
            await using var cluster = await LocalCluster.StartReplicasAsync(work, TestPaths.Failsafe, postgres.ConnectionString, 2, Lease, CancellationToken.None);
            using var api = new ReplicaApi(cluster);
            await cluster.StartAgentsAsync(api.Replica(0), hosts.Length, CancellationToken.None);
            var processes = Enumerable.Range(0, 2).Select(cluster.ReplicaProcessId).ToList();
            var (path, sha) = await PackAsync(work, "1.0.0", Hook("d1", sleepSeconds: 1));
            await api.Replica(0).PushAsync(Service, "1.0.0", path, sha, CancellationToken.None);
            var created = await api.Replica(1).CreateDeploymentAsync(
                new CreateDeployment(Service, "1.0.0", hosts, BatchSize: 1, Settings: SlowMachine), CancellationToken.None);
            Log($"{created.Id} created; 3 hosts one at a time, each hook sleeping 1 s");

            await LocalCluster.WaitAsync(
                async () => (await api.RetryAsync(c => c.GetDeploymentAsync(created.Id, CancellationToken.None), "get")).Hosts.Any(h => h.State == HostStates.InProgress),
                TimeSpan.FromSeconds(60), "the rollout to start", CancellationToken.None);
            var startedBefore = await postgres.StartedAtAsync();
            var restarting = _clock.Elapsed;
            await postgres.RestartAsync();
            Log($"PostgreSQL restarted (pg_ctl restart -m fast) in {(_clock.Elapsed - restarting).TotalSeconds:0.0} s");
            Assert.NotEqual(startedBefore, await postgres.StartedAtAsync());

            var final = await WaitEndAsync(api, created.Id);
            Log($"{created.Id} {final.State}: {string.Join(", ", final.Hosts.Select(h => $"{h.Host} {h.State}"))}");
            Assert.True(final.State == DeploymentStates.Succeeded, $"{final.State}: {final.Reason}");
            Assert.All(final.Hosts, h => Assert.Equal(HostStates.Succeeded, h.State));
            var result = new Result(new Planned("d1", "1.0.0", 1, null), final, true, 0, TimeSpan.Zero);
            await AssertOneEventPerChangeAsync(api, [result]);
            AssertEachHookRanOnce(cluster, hosts, [result]);
            await AssertEachTaskQueuedOnceAndDoneAsync(postgres.ConnectionString);

            // The same processes rode the restart out, and each still writes: one more release pushed through each.
            Assert.Equal(processes, Enumerable.Range(0, 2).Select(cluster.ReplicaProcessId));
            for (var i = 0; i < 2; i++)
            {
                var version = $"2.0.{i}";
                var (more, moreSha) = await PackAsync(work, version, Hook("none"));
                Assert.True((await api.Replica(i).PushAsync(Service, version, more, moreSha, CancellationToken.None)).Created);
                Assert.Contains(await api.Replica(1 - i).ListReleasesAsync(Service, CancellationToken.None), r => r.Version == version);
            }

            passed = true;
        }
        finally
        {
            Clean(work, passed);
        }
    }

    /// <summary>Appends "host version deployment" to the host's shared/pre-activate.log; then sleeps, or fails on one host.</summary>
    private static string Hook(string deployment, string? failOn = null, int sleepSeconds = 0) =>
        "h=$(echo \"$PWD\" | sed -E 's#.*/hosts/([^/]+)/services/.*#\\1#'); "
        + $"echo \"$h $FAILSAFE_VERSION {deployment}\" >> \"$FAILSAFE_SHARED_DIR/{HookLog}\""
        + (sleepSeconds > 0 ? $"; sleep {sleepSeconds}" : "")
        + (failOn is null ? "" : $"; if [ \"$h\" = {failOn} ]; then echo \"pre-activate: refusing on $h\"; exit 3; fi");

    private static async Task<(string Path, string Sha256)> PackAsync(string work, string version, string hook)
    {
        var (packed, path) = await SampleReleases.PackAsync(
            TestPaths.SampleBuild, work, new SampleReleases.SampleRelease(version, true, "", Service, hook), CancellationToken.None);
        return (path, packed.Sha256);
    }

    /// <summary>
    /// Not safe to repeat blindly: an attempt whose answer was cut may have created the deployment. Each such attempt is
    /// followed by a look at what the replicas have; a 409 (one deployment per service) is the same question.
    /// </summary>
    private static async Task<(DeploymentInfo Created, bool Acknowledged, int Cut)> CreateAsync(ReplicaApi api, CreateDeployment request)
    {
        var cut = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await api.Replica(api.Next()).CreateDeploymentAsync(request, CancellationToken.None), true, cut);
            }
            catch (UserException e) when (attempt < 30)
            {
                if (e is ServerUnreachableException)
                {
                    // A commit sent just before the kill still lands.
                    cut++;
                    await Task.Delay(500);
                }

                var deployments = await api.RetryAsync(c => c.ListDeploymentsAsync(Service, CancellationToken.None), "list deployments");
                if (deployments.FirstOrDefault(d => d.Version == request.Version) is { } existing)
                {
                    return (existing, false, cut);
                }

                if (e is not ServerUnreachableException)
                {
                    throw;
                }
            }
        }
    }

    private async Task<DeploymentInfo> WaitEndAsync(ReplicaApi api, string id)
    {
        var deadline = _clock.Elapsed + StuckAfter;
        while (true)
        {
            var current = await api.RetryAsync(c => c.GetDeploymentAsync(id, CancellationToken.None), $"get {id}");
            if (DeploymentStates.IsTerminal(current.State))
            {
                return current;
            }

            if (_clock.Elapsed > deadline)
            {
                Assert.Fail($"{id} is stuck: still {current.State} after {StuckAfter.TotalSeconds:0} s "
                    + $"({string.Join(", ", current.Hosts.Select(h => $"{h.Host} {h.State}"))})");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Agents are never killed here, so nothing but the hook fails: the outcome of each deployment is known in advance.</summary>
    private static void AssertOutcomes(List<Result> results)
    {
        var wrong = results
            .Where(r => r.Final.State != (r.Plan.FailOn is null ? DeploymentStates.Succeeded : DeploymentStates.RolledBack))
            .Select(r => $"{r.Final.Id} {r.Plan.Version}: {r.Final.State} ({r.Final.Reason})")
            .ToList();
        Assert.True(wrong.Count == 0, "deployments that ended otherwise than planned: " + string.Join("; ", wrong));
        foreach (var r in results.Where(r => r.Plan.FailOn is not null))
        {
            var failed = Assert.Single(r.Final.Hosts, h => h.State == HostStates.Failed);
            Assert.Equal(r.Plan.FailOn, failed.Host);
            Assert.Contains("pre-activate", failed.Error);
        }
    }

    /// <summary>Every push and every deployment the API acknowledged, read back from the replicas (each of them).</summary>
    private static async Task AssertWritesKeptAsync(ReplicaApi api, List<ReleaseInfo> pushed, List<Result> results)
    {
        for (var i = 0; i < api.Count; i++)
        {
            var releases = await api.Replica(i).ListReleasesAsync(Service, CancellationToken.None);
            foreach (var release in pushed)
            {
                Assert.Contains(releases, r => r.Version == release.Version && r.Sha256 == release.Sha256);
            }

            foreach (var result in results)
            {
                var read = await api.Replica(i).GetDeploymentAsync(result.Final.Id, CancellationToken.None);
                Assert.Equal((result.Plan.Version, result.Final.State), (read.Version, read.State));
            }
        }

        // Nothing more either: no create that was sent again made a second deployment (the list shows the newest 20).
        var listed = await api.RetryAsync(c => c.ListDeploymentsAsync(Service, CancellationToken.None), "list deployments");
        Assert.Equal(Math.Min(results.Count, 20), listed.Count);
        Assert.Equal(listed.Count, listed.Select(d => d.Version).Distinct().Count());
    }

    /// <summary>
    /// One deployment.create, one terminal event and at most one deployment.rolling-back per deployment; per host, its
    /// host.* events form one path of allowed transitions from pending to its final state: a step written twice (by two
    /// replicas, or by one that lost its lease) shows up as a repeated state, which no transition allows.
    /// </summary>
    private static async Task AssertOneEventPerChangeAsync(ReplicaApi api, IReadOnlyList<Result> results)
    {
        foreach (var result in results)
        {
            var id = result.Final.Id;
            var events = (await api.RetryAsync(c => c.ListEventsAsync(1000, id, CancellationToken.None), $"events of {id}")).OrderBy(e => e.Id).ToList();
            var own = events.Where(e => e.Target == id).Select(e => e.Action).ToList();
            Assert.True(own.Count(a => a == "deployment.create") == 1, $"{id}: {string.Join(", ", own)}");
            Assert.True(own.Count(a => a is "deployment.succeeded" or "deployment.rolled-back" or "deployment.failed") == 1, $"{id}: {string.Join(", ", own)}");
            Assert.Contains("deployment." + result.Final.State, own);
            Assert.True(own.Count(a => a == "deployment.rolling-back") == (result.Final.State == DeploymentStates.RolledBack ? 1 : 0), $"{id}: {string.Join(", ", own)}");

            foreach (var host in result.Final.Hosts)
            {
                var path = events.Where(e => e.Target == $"{id}/{host.Host}").Select(e => e.Action["host.".Length..]).ToList();
                var state = HostStates.Pending;
                foreach (var next in path)
                {
                    Assert.True(Allowed.Contains((state, next)), $"{id}/{host.Host}: {state} -> {next} in {string.Join(" -> ", path)}");
                    state = next;
                }

                Assert.True(state == host.State, $"{id}/{host.Host} ends {host.State} but its events say {string.Join(" -> ", path)}");
            }
        }

        foreach (var version in results.Select(r => r.Plan.Version))
        {
            var pushes = await api.RetryAsync(c => c.ListEventsAsync(1000, $"{Service}/{version}", CancellationToken.None), $"events of {version}");
            Assert.Single(pushes, e => e.Action == "release.push");
        }
    }

    /// <summary>Each host whose install task was handed out ran the hook exactly once for that deployment; the others never.</summary>
    private static void AssertEachHookRanOnce(LocalCluster cluster, IReadOnlyList<string> hosts, IReadOnlyList<Result> results)
    {
        var lines = new Dictionary<(string Host, string Version), int>();
        foreach (var host in hosts)
        {
            var file = Path.Combine(cluster.ServiceDirectory(host, Service), "shared", HookLog);
            foreach (var line in File.Exists(file) ? File.ReadAllLines(file) : [])
            {
                var fields = line.Split(' ');
                Assert.Equal(host, fields[0]);
                lines[(host, fields[1])] = lines.GetValueOrDefault((host, fields[1])) + 1;
            }
        }

        var wrong = new List<string>();
        foreach (var result in results)
        {
            foreach (var host in result.Final.Hosts)
            {
                var expected = host.State is HostStates.Skipped or HostStates.Pending ? 0 : 1;
                var actual = lines.GetValueOrDefault((host.Host, result.Plan.Version));
                if (actual != expected)
                {
                    wrong.Add($"{result.Final.Id} {result.Plan.Version} on {host.Host} ({host.State}): {actual} runs, expected {expected}");
                }
            }
        }

        Assert.True(wrong.Count == 0, "the pre-activate hook did not run once per switched host: " + string.Join("; ", wrong));
        Assert.Equal(lines.Values.Sum(), results.Sum(r => r.Final.Hosts.Count(h => h.State is not (HostStates.Skipped or HostStates.Pending))));
    }

    /// <summary>A failed run keeps its folder: the replicas' and agents' logs are in its logs/.</summary>
    private void Clean(string work, bool passed)
    {
        if (passed)
        {
            ClusterFixture.TryDelete(work);
        }
        else
        {
            Log($"logs kept in {Path.Combine(work, "logs")}");
        }
    }

    /// <summary>
    /// Straight from the database: at most one task per host, deployment and purpose (deploy, rollback) was ever queued — two
    /// replicas driving one deployment would queue two — and every task is completed, none left handed out.
    /// </summary>
    private static async Task AssertEachTaskQueuedOnceAndDoneAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var twice = new NpgsqlCommand(
            "SELECT deployment_id || ' ' || host || ' ' || purpose || ': ' || count(*) FROM tasks GROUP BY deployment_id, host, purpose HAVING count(*) > 1",
            connection);
        var repeated = new List<string>();
        await using (var reader = await twice.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                repeated.Add(reader.GetString(0));
            }
        }

        Assert.True(repeated.Count == 0, "tasks queued more than once: " + string.Join("; ", repeated));
        await using var open = new NpgsqlCommand("SELECT count(*) FROM tasks WHERE state <> 'completed'", connection);
        Assert.Equal(0L, (long)(await open.ExecuteScalarAsync())!);
        await using var all = new NpgsqlCommand("SELECT count(*) FROM tasks", connection);
        Assert.True((long)(await all.ExecuteScalarAsync())! > 0);
    }

    /// <summary>Who holds the deployment's lease now (expired leases count as none).</summary>
    private static async Task<string?> LeaseHolderAsync(string connectionString, string deploymentId)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT holder FROM leases WHERE name = @name AND expires_at > @now", connection);
        command.Parameters.AddWithValue("name", "deployment/" + deploymentId["d-".Length..]);
        command.Parameters.AddWithValue("now", TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
        return await command.ExecuteScalarAsync() as string;
    }

    private static string? CurrentRelease(LocalCluster cluster, string host) =>
        new FileInfo(Path.Combine(cluster.ServiceDirectory(host, Service), "current")).LinkTarget is { } target ? Path.GetFileName(target.TrimEnd('/')) : null;

    private static int EnvironmentNumber(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;

    private void Log(string line) => output.WriteLine($"{ReplicaMonkey.At(_clock.Elapsed)} {line}");

    private static readonly HashSet<(string From, string To)> Allowed =
    [
        (HostStates.Pending, HostStates.InProgress), (HostStates.Pending, HostStates.Skipped),
        (HostStates.InProgress, HostStates.Succeeded), (HostStates.InProgress, HostStates.Failed), (HostStates.InProgress, HostStates.Skipped),
        (HostStates.Succeeded, HostStates.RollingBack), (HostStates.Failed, HostStates.RollingBack),
        (HostStates.RollingBack, HostStates.RolledBack), (HostStates.RollingBack, HostStates.Failed),
    ];

    /// <summary>
    /// Deployment k: its own version (alternating 1.x and 2.x), so the hook's lines name it; every fourth goes in batches of 3
    /// (two batches), every fourth fails on one host (so rolls back), the others switch all five hosts at once.
    /// </summary>
    private sealed record Planned(string Label, string Version, int Batch, string? FailOn)
    {
        public static Planned For(int k, IReadOnlyList<string> hosts) =>
            new($"d{k + 1}", $"{1 + (k % 2)}.0.{k}", k % 4 == 1 ? 3 : hosts.Count, k % 4 == 3 ? hosts[(k / 4) % hosts.Count] : null);
    }

    /// <param name="Acknowledged">A replica answered the creation (else it was found stored after the answer was cut).</param>
    /// <param name="Cut">Creation attempts that met a dead replica (refused, or cut before the answer).</param>
    private sealed record Result(Planned Plan, DeploymentInfo Final, bool Acknowledged, int Cut, TimeSpan Took);
}
