using Failsafe.Artifacts;
using Failsafe.Contracts;
using Failsafe.Demo;
using Xunit.Abstractions;

namespace Failsafe.IntegrationTests;

/// <summary>
/// kill -9 at random instants. However an agent or the server dies, `current` names a complete,
/// verified release, and the next deployment succeeds without anyone cleaning up by hand.
/// FAILSAFE_CRASH_ITERATIONS sets how many agent kills (default 50); FAILSAFE_CRASH_SEED the random seed.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CrashSafetyTests(ClusterFixture fx, ITestOutputHelper output)
{
    private const string Host = "crash-host";
    private const string Service = "crashy";
    private bool _activatedOnce;

    [Fact]
    public async Task Agent_KilledAtRandomPointsOfInstallAndActivation_CurrentIsAlwaysACompleteRelease()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("FAILSAFE_CRASH_ITERATIONS"), out var n) ? n : 50;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FAILSAFE_CRASH_SEED"), out var s) ? s : Environment.TickCount;
        output.WriteLine($"{iterations} kills, seed {seed} (FAILSAFE_CRASH_SEED={seed} repeats this run)");
        var random = new Random(seed);
        var versions = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var sha = await fx.PushAsync(Service, $"{i}.0.0");
            versions.Add($"{i}.0.0-{sha[..12]}");
        }

        await fx.Cluster.StartAgentAsync(fx.Client, Host, CancellationToken.None);
        await fx.Cluster.WaitOnlineAsync(fx.Client, [Host], CancellationToken.None);

        // How long one uninterrupted install + activation takes here: the kills land inside that window.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(DeploymentStates.Succeeded, (await fx.DeployAsync(Service, "3.0.0", [Host])).State);
        var window = (int)clock.ElapsedMilliseconds;
        var outcomes = new Dictionary<string, int>();
        var interrupted = 0;
        for (var i = 0; i < iterations; i++)
        {
            var version = $"{i % 3 + 1}.0.0";
            var created = await fx.Client.CreateDeploymentAsync(new CreateDeployment(Service, version, [Host]), CancellationToken.None);
            await Task.Delay(random.Next(0, window));
            fx.Cluster.KillAgent(Host);
            if (!DeploymentStates.IsTerminal((await fx.Client.GetDeploymentAsync(created.Id, CancellationToken.None)).State))
            {
                interrupted++;
            }

            AssertCurrentIsComplete(versions, $"iteration {i} (seed {seed})");

            await fx.Cluster.StartAgentAsync(fx.Client, Host, CancellationToken.None);
            var final = await fx.WaitTerminalAsync(created.Id);
            outcomes[final.State] = outcomes.GetValueOrDefault(final.State) + 1;
            Assert.True(final.State == DeploymentStates.Succeeded, $"iteration {i} (seed {seed}): the interrupted deployment ended {final.State}: {final.Reason}");
            AssertCurrentIsComplete(versions, $"iteration {i} after restart");
        }

        output.WriteLine($"kill window {window} ms; {interrupted} of {iterations} kills landed mid-deployment; outcomes: {string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}"))}");
        Assert.True(interrupted > 0, "no kill landed while a deployment was in flight");
        var last = await fx.DeployAsync(Service, "3.0.0", [Host]);
        Assert.Equal(DeploymentStates.Succeeded, last.State);
        Assert.Equal("hello from 3.0.0", await fx.AnswerAsync(Service, Host, "3.0.0"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(fx.Cluster.ServiceDirectory(Host, Service), "releases"), ".staging-*"));
    }

    private void AssertCurrentIsComplete(IReadOnlyList<string> knownReleases, string when)
    {
        var serviceDir = fx.Cluster.ServiceDirectory(Host, Service);
        var link = new FileInfo(Path.Combine(serviceDir, "current"));
        if (link.LinkTarget is null)
        {
            // Only before the very first activation may there be no current at all.
            Assert.False(_activatedOnce, $"{when}: current is missing");
            return;
        }

        _activatedOnce = true;

        var name = Path.GetFileName(link.LinkTarget.TrimEnd('/'));
        Assert.Contains(name, knownReleases);
        ReleaseVerifier.VerifyInstalledAsync(Path.Combine(serviceDir, "releases", name)).GetAwaiter().GetResult();
    }
}

/// <summary>The server dies mid-rollout; the restarted server carries the deployment to an end.</summary>
public sealed class ServerCrashTests
{
    [Fact]
    public async Task Server_KilledMidRollout_RolloutFinishesAfterRestart()
    {
        await using var fx = new OwnCluster();
        await fx.Fixture.InitializeAsync();
        var c = fx.Fixture;
        await c.PushAsync("survivor", "1.0.0");
        var created = await c.Client.CreateDeploymentAsync(new CreateDeployment("survivor", "1.0.0", ClusterFixture.Hosts), CancellationToken.None);
        await LocalCluster.WaitAsync(async () =>
        {
            var d = await c.Client.GetDeploymentAsync(created.Id, CancellationToken.None);
            return d.Hosts.Any(h => h.State == HostStates.Succeeded);
        }, TimeSpan.FromSeconds(60), "the first host to finish", CancellationToken.None);

        var done = (await c.Client.GetDeploymentAsync(created.Id, CancellationToken.None)).Hosts.First(h => h.State == HostStates.Succeeded).Host;
        var port = (await c.Client.GetServiceStatusAsync("survivor", CancellationToken.None)).Hosts.Single(h => h.Host == done).Instance!.Port;
        await c.Cluster.KillServerAsync();

        // With the server away, the agents keep retrying and their hosts keep serving.
        await Task.Delay(2000);
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            Assert.Equal("hello from 1.0.0", (await http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
        }

        await c.Cluster.StartServerAsync(CancellationToken.None);

        // A download cut by the server's death is retried, so the rollout finishes rather than rolling back.
        var final = await c.WaitTerminalAsync(created.Id);
        Assert.True(final.State == DeploymentStates.Succeeded, $"{final.State}: {final.Reason}");
        Assert.All(final.Hosts, h => Assert.Equal(HostStates.Succeeded, h.State));
        var all = await c.Client.ListDeploymentsAsync("survivor", CancellationToken.None);
        Assert.DoesNotContain(all, d => !DeploymentStates.IsTerminal(d.State));
        await c.Cluster.WaitOnlineAsync(c.Client, ClusterFixture.Hosts, CancellationToken.None);
    }

    private sealed class OwnCluster : IAsyncDisposable
    {
        public ClusterFixture Fixture { get; } = new();

        public async ValueTask DisposeAsync() => await Fixture.DisposeAsync();
    }
}
