using Failsafe.Contracts;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

/// <summary>The canary task kinds on real processes behind the real proxy: canary beside current, weights, promote, stop.</summary>
public sealed class CanaryTaskTests(ITestOutputHelper output) : AgentHarnessTest(output)
{
    private readonly int _port = FreePort.Find();

    private ServicePaths Web => Agent.Service("web");

    [Fact]
    public async Task Canary_RunsBesideCurrent_TakesItsWeight_AndPromotionSwitchesWithoutARestart()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var v2 = await TestReleases.HelloAsync(Temp, "web", "2.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", v1, Settings())).Succeeded);
        Assert.Equal("hello from 1.0.0", await GetAsync());

        Agent.Serve(v2);
        var canary = await Agent.RunAsync(new AgentTask(2, TaskKinds.Canary, "d-2", "web", "2.0.0", v2.Name, v2.Ref, Settings()));

        Assert.True(canary.Succeeded, canary.Error);
        Assert.Equal(v1.Name, canary.CurrentRelease); // current did not move
        Assert.Contains("warm-up:succeeded", Agent.FinalSteps());
        Assert.Contains("route:succeeded", Agent.FinalSteps());
        Assert.DoesNotContain(Agent.FinalSteps(), s => s.StartsWith("switch", StringComparison.Ordinal));
        var state = Assert.Single(canary.Inventory.Services);
        Assert.Equal(v2.Name, state.Canary!.Release);
        Assert.Equal(v1.Name, state.Instance!.Release);

        // Out of traffic until the server gives it a weight; a tester can still reach it by header.
        Assert.All(await GetManyAsync(20), a => Assert.Equal("hello from 1.0.0", a));
        Assert.Equal("hello from 2.0.0", await GetAsync(canary: true));

        await Agent.Routing.ApplyWantedAsync([new TrafficRoute("web", v2.Name, 50)], CancellationToken.None);
        var answers = await GetManyAsync(200);
        var share = answers.Count(a => a == "hello from 2.0.0") / 200.0;
        Assert.InRange(share, 0.35, 0.65); // 50% ± 4 standard deviations

        var canaryPort = state.Canary.Port;
        var promote = await Agent.RunAsync(new AgentTask(3, TaskKinds.Promote, "d-2", "web", "2.0.0", v2.Name, null, Settings()));

        Assert.True(promote.Succeeded, promote.Error);
        Assert.Equal(v2.Name, promote.CurrentRelease);
        Assert.Equal(v1.Name, promote.PreviousRelease);
        Assert.Equal(v2.Name, CurrentLink.Read(Web));
        var promoted = Assert.Single(promote.Inventory.Services);
        Assert.Null(promoted.Canary);
        Assert.Equal(canaryPort, promoted.Instance!.Port); // the same process now serves everything
        Assert.All(await GetManyAsync(20), a => Assert.Equal("hello from 2.0.0", a));
    }

    [Fact]
    public async Task StopCanary_TakesItOutOfTrafficAndStopsIt_CurrentUntouched()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var v2 = await TestReleases.HelloAsync(Temp, "web", "2.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", v1, Settings())).Succeeded);
        Agent.Serve(v2);
        Assert.True((await Agent.RunAsync(new AgentTask(2, TaskKinds.Canary, "d-2", "web", "2.0.0", v2.Name, v2.Ref, Settings()))).Succeeded);
        await Agent.Routing.ApplyWantedAsync([new TrafficRoute("web", v2.Name, 100)], CancellationToken.None);
        Assert.Equal("hello from 2.0.0", await GetAsync());
        var canaryPort = Agent.Supervisor.Canary("web")!.Port;

        // Weight 0 applies at once, before any task runs.
        await Agent.Routing.ApplyWantedAsync([new TrafficRoute("web", v2.Name, 0)], CancellationToken.None);
        Assert.All(await GetManyAsync(20), a => Assert.Equal("hello from 1.0.0", a));

        var stop = await Agent.RunAsync(new AgentTask(3, TaskKinds.StopCanary, "d-2", "web", "2.0.0", v2.Name, null, Settings()));

        Assert.True(stop.Succeeded, stop.Error);
        Assert.Equal(["stop-canary:succeeded"], Agent.FinalSteps());
        Assert.Equal(v1.Name, stop.CurrentRelease);
        Assert.Null(Assert.Single(stop.Inventory.Services).Canary);
        Assert.False(await Http.IsListeningAsync(canaryPort));
        Assert.Equal("hello from 1.0.0", await GetAsync(canary: true)); // no canary: the header falls back to stable
    }

    [Fact]
    public async Task Canary_ThatFailsItsHealthCheck_NeverJoinsTheRoutes()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var broken = await TestReleases.HelloAsync(Temp, "web", "2.0.0", healthy: false);
        Assert.True((await Agent.InstallAsync(1, "web", v1, Settings())).Succeeded);
        Agent.Serve(broken);

        var canary = await Agent.RunAsync(new AgentTask(2, TaskKinds.Canary, "d-2", "web", "2.0.0", broken.Name, broken.Ref, Settings(health: 2)));

        Assert.False(canary.Succeeded);
        Assert.Contains("health:failed", Agent.FinalSteps());
        Assert.Null(Agent.Supervisor.Canary("web"));
        Assert.Null(Agent.Proxy.RouteOf("web")!.Canary);
        Assert.Equal("hello from 1.0.0", await GetAsync(canary: true));
    }

    [Fact]
    public async Task Install_BehindTheProxy_SwitchesThePublicPortToTheNewInstance()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var v2 = await TestReleases.HelloAsync(Temp, "web", "2.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", v1, Settings())).Succeeded);
        Assert.True(File.Exists(Web.TrafficFile));

        var second = await Agent.InstallAsync(2, "web", v2, Settings());

        Assert.True(second.Succeeded, second.Error);
        Assert.Contains("warm-up:succeeded", Agent.FinalSteps());
        Assert.Equal("hello from 2.0.0", await GetAsync());
    }

    private ActivationSettings Settings(int health = 10) =>
        AgentHarness.Settings(health: health) with { Traffic = new TrafficSettings(_port, WarmUpRequests: 3) };

    private async Task<string> GetAsync(bool canary = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_port}/");
        if (canary)
        {
            request.Headers.Add(TrafficSettings.DefaultVersionHeader, "canary");
        }

        using var response = await Client.SendAsync(request);
        return (await response.Content.ReadAsStringAsync()).Trim();
    }

    private async Task<List<string>> GetManyAsync(int count)
    {
        var answers = new List<string>();
        for (var i = 0; i < count; i++)
        {
            answers.Add(await GetAsync());
        }

        return answers;
    }

    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(10) };
}
