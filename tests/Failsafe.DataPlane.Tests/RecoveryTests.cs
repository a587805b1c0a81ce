using Failsafe.Tests.Common;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

/// <summary>An agent dies (its supervisor is dropped without stopping anything); the next agent on the same root recovers.</summary>
public sealed class RecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("failsafe-dp");
    private readonly List<AgentHarness> _agents = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Newest first: a later agent's instances are the ones that serve; an earlier agent's detached ones are then gone already.
        foreach (var agent in Enumerable.Reverse(_agents))
        {
            await agent.DisposeAsync();
        }

        _temp.Dispose();
    }

    private AgentHarness NewAgent(SupervisorOptions? options = null)
    {
        var agent = new AgentHarness(_temp.Combine("root"), output, options);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>The first agent installs v1 and is then "killed": it stops supervising but leaves everything running.</summary>
    private async Task<(PackedRelease Release, int Pid, int Port)> FirstAgentServesAndDiesAsync()
    {
        var first = NewAgent();
        var v1 = await TestReleases.HelloAsync(_temp, "web", "1.0.0");
        var result = await first.InstallAsync(1, "web", v1);
        Assert.True(result.Succeeded, result.Error);
        var serving = first.Supervisor.Serving("web")!;
        first.Supervisor.DetachAll();
        return (v1, serving.Pid!.Value, serving.Port);
    }

    [Fact]
    public async Task Recovery_CurrentInstanceStillRunning_IsAdoptedWithoutRestart()
    {
        var (v1, pid, port) = await FirstAgentServesAndDiesAsync();

        var second = NewAgent();
        await second.Recovery.RunAsync(CancellationToken.None);

        var adopted = second.Supervisor.Serving("web")!;
        Assert.True(adopted.Adopted);
        Assert.Equal(pid, adopted.Pid);
        Assert.Equal(port, adopted.Port);
        Assert.Equal(v1.Name, adopted.Release);
        Assert.Equal("hello from 1.0.0\n", await Http.GetAsync(port));
        Assert.Equal(pid, second.Inventory.Read().Services.Single().Instance!.Pid);
    }

    [Fact]
    public async Task AdoptedInstance_ThatDies_IsRestartedOnTheSamePort()
    {
        var (_, pid, port) = await FirstAgentServesAndDiesAsync();
        var second = NewAgent();
        await second.Recovery.RunAsync(CancellationToken.None);
        var adopted = second.Supervisor.Serving("web")!;

        PosixFile.KillGroup(pid, PosixFile.SigKill);

        Assert.True(await Eventually.TrueAsync(() => adopted.Restarts == 1 && adopted.Pid is { } p && p != pid, TimeSpan.FromSeconds(10)));
        var healthy = await second.Health.WaitHealthyAsync(adopted, "/healthz", TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.True(healthy.Healthy, healthy.Message);
        Assert.Equal(port, adopted.Port);
    }

    [Fact]
    public async Task Recovery_WithAdoptionOff_KillsTheOrphanAndStartsCurrentAgain()
    {
        var (v1, pid, _) = await FirstAgentServesAndDiesAsync();

        var second = NewAgent(AgentHarness.FastSupervisor with { AdoptRunningInstances = false });
        await second.Recovery.RunAsync(CancellationToken.None);

        Assert.True(await Eventually.TrueAsync(() => !Eventually.ProcessAlive(pid), TimeSpan.FromSeconds(5)), "the orphan still runs");
        var fresh = second.Supervisor.Serving("web")!;
        Assert.False(fresh.Adopted);
        Assert.NotEqual(pid, fresh.Pid);
        Assert.Equal(v1.Name, fresh.Release);
        var healthy = await second.Health.WaitHealthyAsync(fresh, "/healthz", TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.True(healthy.Healthy, healthy.Message);
    }

    [Fact]
    public async Task Recovery_CandidateThatWasNeverSwitchedTo_IsKilled()
    {
        var (v1, pid, _) = await FirstAgentServesAndDiesAsync();
        // A third agent-life: the agent started v2's instance, then died before its health check and switch.
        var interrupted = NewAgent();
        var v2 = await TestReleases.HelloAsync(_temp, "web", "2.0.0");
        await using (var stream = File.OpenRead(v2.Path))
        {
            var installed = await interrupted.Installer.InstallAsync(interrupted.Service("web"), stream, v2.Sha256, v2.Size, null, CancellationToken.None);
            var candidate = interrupted.Supervisor.StartCandidate(interrupted.Service("web"), installed);
            Assert.True((await interrupted.Health.WaitHealthyAsync(candidate, "/healthz", TimeSpan.FromSeconds(20), CancellationToken.None)).Healthy);
            interrupted.Supervisor.DetachAll();
        }

        var candidatePid = InstanceRecord.ReadAll(interrupted.Service("web")).Single(r => r.Release == v2.Name).Pid;

        var next = NewAgent();
        await next.Recovery.RunAsync(CancellationToken.None);

        Assert.True(await Eventually.TrueAsync(() => !Eventually.ProcessAlive(candidatePid), TimeSpan.FromSeconds(5)), "the candidate still runs");
        Assert.False(File.Exists(next.Service("web").InstanceFile(v2.Name)));
        Assert.Equal(pid, next.Supervisor.Serving("web")!.Pid);
        Assert.Equal(v1.Name, CurrentLink.Read(next.Service("web")));
    }

    [Fact]
    public async Task Recovery_RecordOfAProcessThatIsGone_IsDroppedAndCurrentStarted()
    {
        var (v1, pid, _) = await FirstAgentServesAndDiesAsync();
        PosixFile.KillGroup(pid, PosixFile.SigKill);
        Assert.True(await Eventually.TrueAsync(() => !Eventually.ProcessAlive(pid), TimeSpan.FromSeconds(5)));

        var second = NewAgent();
        await second.Recovery.RunAsync(CancellationToken.None);

        var fresh = second.Supervisor.Serving("web")!;
        Assert.False(fresh.Adopted);
        Assert.NotEqual(pid, fresh.Pid);
        Assert.Equal(v1.Name, fresh.Release);
        Assert.Equal(fresh.Pid, InstanceRecord.ReadAll(second.Service("web")).Single().Pid);
    }

    [Fact]
    public async Task InstallTaskRunAgain_AfterTheAgentDiedOnceItHadSwitched_SucceedsWithoutDoingAnythingTwice()
    {
        var (v1, pid, _) = await FirstAgentServesAndDiesAsync();

        var second = NewAgent();
        await second.Recovery.RunAsync(CancellationToken.None);
        var result = await second.InstallAsync(1, "web", v1);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(
            ["download:skipped", "verify:succeeded", "extract:skipped", "pre-activate:skipped", "start:skipped",
             "health:succeeded", "switch:skipped", "stop-old:skipped", "retention:succeeded"],
            second.FinalSteps());
        Assert.Equal(0, second.Artifacts.Opened);
        Assert.Equal(pid, second.Supervisor.Serving("web")!.Pid);
    }

    [Fact]
    public async Task InstallTaskRunAgain_AfterTheAgentDiedBeforeTheSwitch_FinishesTheJob()
    {
        var (v1, _, _) = await FirstAgentServesAndDiesAsync();
        var interrupted = NewAgent();
        var v2 = await TestReleases.HelloAsync(_temp, "web", "2.0.0");
        await using (var stream = File.OpenRead(v2.Path))
        {
            var installed = await interrupted.Installer.InstallAsync(interrupted.Service("web"), stream, v2.Sha256, v2.Size, null, CancellationToken.None);
            interrupted.Supervisor.StartCandidate(interrupted.Service("web"), installed);
            interrupted.Supervisor.DetachAll();
        }

        var next = NewAgent();
        await next.Recovery.RunAsync(CancellationToken.None);
        var result = await next.InstallAsync(2, "web", v2);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(v1.Name, result.PreviousRelease);
        Assert.Equal(v2.Name, result.CurrentRelease);
        Assert.Equal(
            ["download:skipped", "verify:succeeded", "extract:skipped", "pre-activate:skipped", "start:succeeded",
             "health:succeeded", "warm-up:skipped", "switch:succeeded", "stop-old:succeeded", "retention:succeeded"],
            next.FinalSteps());
        Assert.Equal("hello from 2.0.0\n", await Http.GetAsync(next.Supervisor.Serving("web")!.Port));
        Assert.Single(InstanceRecord.ReadAll(next.Service("web")));
    }
}
