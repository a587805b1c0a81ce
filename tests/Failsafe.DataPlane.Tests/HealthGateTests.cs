using System.Diagnostics;
using Failsafe.Tests.Common;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

public sealed class HealthGateTests(ITestOutputHelper output) : AgentHarnessTest(output)
{
    private async Task<ServiceInstance> StartHelloAsync(bool healthy = true, bool crashOnStart = false)
    {
        var release = await TestReleases.HelloAsync(Temp, "web", "1.0.0", healthy, crashOnStart);
        var service = Agent.Service("web");
        await using var stream = File.OpenRead(release.Path);
        var installed = await Agent.Installer.InstallAsync(service, stream, release.Sha256, release.Size, null, CancellationToken.None);
        return Agent.Supervisor.StartCandidate(service, installed);
    }

    [Fact]
    public async Task WaitHealthyAsync_ServiceAnswering200_IsHealthy()
    {
        var instance = await StartHelloAsync();

        var result = await Agent.Health.WaitHealthyAsync(instance, "/healthz", TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.True(result.Healthy, result.Message);
        Assert.Equal("GET /healthz answered 200", result.Message);
        Assert.Equal("hello from 1.0.0\n", await Http.GetAsync(instance.Port));
    }

    [Fact]
    public async Task WaitHealthyAsync_ServiceAnswering503_FailsAtTheTimeoutSayingWhatItSaw()
    {
        var instance = await StartHelloAsync(healthy: false);
        // Up and answering first, so that the last thing seen is the 503 however slowly the machine starts it.
        Assert.True(await Eventually.TrueAsync(() => Http.IsListeningAsync(instance.Port), TimeSpan.FromSeconds(20)));
        await Http.StatusAsync(instance.Port, "/healthz");

        var result = await Agent.Health.WaitHealthyAsync(instance, "/healthz", TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.False(result.Healthy);
        Assert.Equal("health check GET /healthz answered 503 for 2 s", result.Message);
    }

    [Fact]
    public async Task WaitHealthyAsync_ProcessExitingAtStart_FailsAtOnceWithTheExitCode()
    {
        var instance = await StartHelloAsync(crashOnStart: true);
        var clock = Stopwatch.StartNew();

        var result = await Agent.Health.WaitHealthyAsync(instance, "/healthz", TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.False(result.Healthy);
        Assert.Equal("the process exited with code 1 before it became healthy", result.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task WaitHealthyAsync_NothingListening_FailsSayingConnectionRefused()
    {
        var port = FreePort.Find();

        var result = await Agent.Health.WaitHealthyAsync(port, "healthz", TimeSpan.FromSeconds(1), () => null, CancellationToken.None);

        Assert.False(result.Healthy);
        Assert.Equal("health check GET /healthz got no answer (connection refused) for 1 s", result.Message);
    }
}
