using Failsafe.Contracts;
using Failsafe.Demo;
using Failsafe.Tests.Common;

namespace Failsafe.IntegrationTests;

/// <summary>
/// Canary rollouts through real server, agent, proxy and service processes on 127.0.0.1: traffic goes
/// through each host's proxy on the service's public port (each host on its own loopback address).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ProgressiveDeliveryTests(ClusterFixture fx)
{
    private const double DelayMs = 5;

    [Fact]
    public async Task Canary_GoodRelease_StepsUpItsWeightAndIsPromotedEverywhere()
    {
        var port = await StartV1Async("canary-good");
        await fx.PushAsync("canary-good", "2.0.0", delayMs: DelayMs);
        await using var load = Load(port);

        var d = await DeployAsync("canary-good", "2.0.0", port, new RolloutPolicy([new CanaryStep(20, 1), new CanaryStep(50, 1)], Analysis: new AnalysisSettings(MinRequests: 100)));

        Assert.Equal(DeploymentStates.Succeeded, d.State);
        Assert.Equal(VerdictOutcomes.Pass, d.Rollout!.Verdict!.Outcome);
        var events = (await fx.Client.ListEventsAsync(500, CancellationToken.None)).Where(e => e.Target == d.Id).ToList();
        Assert.Contains(events, e => e.Action == "deployment.step" && e.Detail!.Contains("20%"));
        Assert.Contains(events, e => e.Action == "deployment.step" && e.Detail!.Contains("50%"));
        Assert.Contains(events, e => e.Action == "deployment.verdict" && e.Detail!.StartsWith("pass", StringComparison.Ordinal));
        Assert.Equal(HostStates.Succeeded, d.Hosts[0].State);
        Assert.Contains(d.Hosts[0].Steps, s => s.Name == "warm-up" && s.Status == StepStatus.Succeeded);
        foreach (var host in ClusterFixture.Hosts)
        {
            Assert.Equal("hello from 2.0.0", await GetAsync(host, port));
        }

        Assert.True(load.ByVersion.ContainsKey("1.0.0") && load.ByVersion.ContainsKey("2.0.0"), "both versions served users during the canary");
        Assert.Equal(0, load.Failed);
    }

    [Fact]
    public async Task Canary_ReleaseWithErrors_IsRolledBackByAnalysisBeforeOtherHostsSeeIt()
    {
        var port = await StartV1Async("canary-errors");
        await fx.PushAsync("canary-errors", "2.0.0", errorRate: 0.2, delayMs: DelayMs);
        await using var load = Load(port);

        var d = await DeployAsync("canary-errors", "2.0.0", port, new RolloutPolicy([new CanaryStep(20, 30), new CanaryStep(50, 30)], Analysis: new AnalysisSettings(MinRequests: 100)));

        Assert.Equal(DeploymentStates.RolledBack, d.State);
        Assert.StartsWith("analysis failed: ", d.Reason);
        var verdict = d.Rollout!.Verdict!;
        Assert.Equal(VerdictOutcomes.Fail, verdict.Outcome);
        var test = Assert.Single(verdict.Tests, t => t.Outcome == VerdictOutcomes.Fail);
        Assert.Equal("error-rate", test.Metric);
        Assert.True(test.CanarySamples >= 100 && test.StableSamples >= 100, "the verdict names its sample counts");
        Assert.All(d.Hosts.Where(h => h.Host != "host-1"), h => Assert.Equal(HostStates.Skipped, h.State));
        Assert.Equal(HostStates.RolledBack, d.Hosts[0].State);
        await AssertNoCanaryAsync("canary-errors", "host-1");
        Assert.Equal("hello from 1.0.0", await GetAsync("host-1", port));
        Assert.Equal(0, load.Failed);
    }

    [Fact]
    public async Task Canary_SlowerRelease_IsRolledBackOnLatency()
    {
        var port = await StartV1Async("canary-slow");
        await fx.PushAsync("canary-slow", "2.0.0", delayMs: DelayMs * 2);
        await using var load = Load(port);

        var d = await DeployAsync("canary-slow", "2.0.0", port, new RolloutPolicy([new CanaryStep(50, 60)], Analysis: new AnalysisSettings(MinRequests: 100)));

        Assert.Equal(DeploymentStates.RolledBack, d.State);
        var test = Assert.Single(d.Rollout!.Verdict!.Tests, t => t.Outcome == VerdictOutcomes.Fail);
        Assert.Equal("latency", test.Metric);
        Assert.True(test.Low > 0, "the canary is slower with confidence: the interval of P(canary slower) - 1/2 lies above 0");
        Assert.Contains("p50", test.Sentence);
        Assert.Equal("hello from 1.0.0", await GetAsync("host-1", port));
    }

    [Fact]
    public async Task Canary_WithoutTraffic_HoldsOnNoDataUntilAbortedByAPerson()
    {
        var port = await StartV1Async("canary-nodata");
        await fx.PushAsync("canary-nodata", "2.0.0", delayMs: DelayMs);

        var created = await fx.Client.CreateDeploymentAsync(Request("canary-nodata", "2.0.0", port, new RolloutPolicy([new CanaryStep(20, 0)])), CancellationToken.None);
        // First the initial delay (10 s by default), then too little traffic: both no-data, neither decides anything.
        var warming = await WaitAsync(created.Id, d => d.Rollout?.Verdict?.Outcome == VerdictOutcomes.NoData);
        Assert.StartsWith("Warming up: analysis leaves out the first 10 s of traffic", warming.Rollout!.Verdict!.Sentence);
        var held = await WaitAsync(created.Id, d => d.Rollout?.Verdict?.Sentence.StartsWith("Too little traffic", StringComparison.Ordinal) == true);
        await Task.Delay(TimeSpan.FromSeconds(3));
        held = await fx.Client.GetDeploymentAsync(created.Id, CancellationToken.None);

        Assert.Equal(DeploymentStates.Running, held.State);
        Assert.Equal(0, held.Rollout!.Step);
        Assert.Equal(HostStates.Canary, held.Hosts[0].State);
        Assert.Contains("100", held.Rollout.Verdict!.Sentence); // names the minimum it waits for

        var aborted = await fx.Client.ActAsync(created.Id, DeploymentActions.Abort, CancellationToken.None);
        Assert.Equal(DeploymentStates.RollingBack, aborted.State);
        var d = await fx.WaitTerminalAsync(created.Id);
        Assert.Equal(DeploymentStates.RolledBack, d.State);
        Assert.Contains("aborted by", d.Reason);
        await AssertNoCanaryAsync("canary-nodata", "host-1");
        Assert.Equal("hello from 1.0.0", await GetAsync("host-1", port));
    }

    [Fact]
    public async Task Promote_ByAPerson_SkipsTheStepsThatWaitForData()
    {
        var port = await StartV1Async("canary-promote");
        await fx.PushAsync("canary-promote", "2.0.0", delayMs: DelayMs);
        var created = await fx.Client.CreateDeploymentAsync(
            Request("canary-promote", "2.0.0", port, new RolloutPolicy([new CanaryStep(10, 0), new CanaryStep(50, 0)])), CancellationToken.None);
        await WaitAsync(created.Id, d => d.Rollout?.Step == 0 && d.Hosts[0].State == HostStates.Canary);

        var paused = await fx.Client.ActAsync(created.Id, DeploymentActions.Pause, CancellationToken.None);
        Assert.True(paused.Rollout!.Paused);
        var promoted = await fx.Client.ActAsync(created.Id, DeploymentActions.Promote, CancellationToken.None);
        Assert.NotNull(promoted.Rollout!.PromotedBy);
        var d = await fx.WaitTerminalAsync(created.Id);

        Assert.Equal(DeploymentStates.Succeeded, d.State);
        foreach (var host in ClusterFixture.Hosts)
        {
            Assert.Equal("hello from 2.0.0", await GetAsync(host, port));
        }

        var events = (await fx.Client.ListEventsAsync(500, CancellationToken.None)).Where(e => e.Target == d.Id).Select(e => e.Action).ToList();
        Assert.Contains("deployment.pause", events);
        Assert.Contains("deployment.promote", events);
    }

    [Fact]
    public async Task VersionHeader_LetsATesterReachTheCanaryAtZeroWeight()
    {
        var port = await StartV1Async("canary-header");
        await fx.PushAsync("canary-header", "2.0.0", delayMs: DelayMs);
        var created = await fx.Client.CreateDeploymentAsync(
            Request("canary-header", "2.0.0", port, new RolloutPolicy([new CanaryStep(1, 0)])), CancellationToken.None);
        await WaitAsync(created.Id, d => d.Hosts[0].State == HostStates.Canary);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{LocalCluster.HostAddress("host-1")}:{port}/");
        request.Headers.Add(TrafficSettings.DefaultVersionHeader, "canary");
        using var response = await http.SendAsync(request);
        Assert.Equal("hello from 2.0.0", (await response.Content.ReadAsStringAsync()).Trim());

        await fx.Client.ActAsync(created.Id, DeploymentActions.Abort, CancellationToken.None);
        Assert.Equal(DeploymentStates.RolledBack, (await fx.WaitTerminalAsync(created.Id)).State);
    }

    [Fact]
    public async Task Canary_JudgedFromPrometheus_ScrapingTheAgents_IsRolledBackOnErrors()
    {
        var port = await StartV1Async("canary-prom");
        await fx.PushAsync("canary-prom", "2.0.0", errorRate: 0.2, delayMs: DelayMs);
        await using var prometheus = await PrometheusServer.StartAsync(
            [.. ClusterFixture.Hosts.Select(h => new Uri(fx.Cluster.MetricsUrl(h)).Authority)]);
        await using var load = Load(port);

        var analysis = new AnalysisSettings(MinRequests: 100, Prometheus: new PrometheusSource(prometheus.Url));
        var d = await DeployAsync("canary-prom", "2.0.0", port, new RolloutPolicy([new CanaryStep(50, 60)], Analysis: analysis));

        Assert.Equal(DeploymentStates.RolledBack, d.State);
        var test = Assert.Single(d.Rollout!.Verdict!.Tests, t => t.Outcome == VerdictOutcomes.Fail);
        Assert.Equal("error-rate", test.Metric);
        // Prometheus saw the agents' own counters: the canary's errors are there under its version label.
        var errors = await prometheus.QueryAsync("sum(failsafe_proxy_errors_total{service=\"canary-prom\",version=\"2.0.0\"})");
        Assert.True(errors.Single().Value > 0);
        Assert.Equal("hello from 1.0.0", await GetAsync("host-1", port));
    }

    /// <summary>v1 of a service on every host behind a fresh public port.</summary>
    private async Task<int> StartV1Async(string service)
    {
        var port = LocalCluster.FreePort(LocalCluster.HostAddress("host-1"));
        await fx.PushAsync(service, "1.0.0", delayMs: DelayMs);
        var created = await fx.Client.CreateDeploymentAsync(
            new CreateDeployment(service, "1.0.0", ClusterFixture.Hosts, false, 3, false, Settings(port)), CancellationToken.None);
        Assert.Equal(DeploymentStates.Succeeded, (await fx.WaitTerminalAsync(created.Id)).State);
        return port;
    }

    private async Task<DeploymentInfo> DeployAsync(string service, string version, int port, RolloutPolicy policy)
    {
        var created = await fx.Client.CreateDeploymentAsync(Request(service, version, port, policy), CancellationToken.None);
        return await fx.WaitTerminalAsync(created.Id, timeoutSeconds: 180);
    }

    private static CreateDeployment Request(string service, string version, int port, RolloutPolicy policy) =>
        new(service, version, ClusterFixture.Hosts, false, 1, false, Settings(port), policy);

    private static ActivationSettings Settings(int port) =>
        new(DrainTimeoutSeconds: 5, Traffic: new TrafficSettings(port, WarmUpRequests: 5, ApdexMilliseconds: 20));

    /// <summary>Steady load on host-1 (the canary host) and a little on the others.</summary>
    private static LoadGenerator Load(int port) => new(
        ClusterFixture.Hosts.SelectMany(h => Enumerable.Repeat($"http://{LocalCluster.HostAddress(h)}:{port}/", h == "host-1" ? 3 : 1)),
        requestsPerSecondEach: 50);

    private static async Task<string> GetAsync(string host, int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return (await http.GetStringAsync($"http://{LocalCluster.HostAddress(host)}:{port}/")).Trim();
    }

    private async Task AssertNoCanaryAsync(string service, string host) =>
        await LocalCluster.WaitAsync(async () =>
        {
            var status = await fx.Client.GetServiceStatusAsync(service, CancellationToken.None);
            return status.Hosts.Single(h => h.Host == host).Canary is null;
        }, TimeSpan.FromSeconds(20), $"{host} to report no canary of {service}", CancellationToken.None);

    private async Task<DeploymentInfo> WaitAsync(string id, Func<DeploymentInfo, bool> condition)
    {
        DeploymentInfo current = null!;
        await LocalCluster.WaitAsync(async () =>
        {
            current = await fx.Client.GetDeploymentAsync(id, CancellationToken.None);
            return condition(current);
        }, TimeSpan.FromSeconds(60), $"deployment {id} to reach the expected point", CancellationToken.None);
        return current;
    }
}
