using Failsafe.Artifacts;
using Failsafe.Contracts;
using Failsafe.Tests.Common;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

public sealed class TaskExecutorTests(ITestOutputHelper output) : AgentHarnessTest(output)
{
    private ServicePaths Web => Agent.Service("web");

    private ServiceInstance Serving => Agent.Supervisor.Serving("web") ?? throw new InvalidOperationException("nothing serves web");

    [Fact]
    public async Task Install_ThenSecondVersion_ThenActivateBack_ThenDeactivate()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var v2 = await TestReleases.HelloAsync(Temp, "web", "2.0.0");

        // Install v1 on an empty host.
        var first = await Agent.InstallAsync(1, "web", v1);
        Assert.True(first.Succeeded, first.Error);
        Assert.Null(first.PreviousRelease);
        Assert.Equal(v1.Name, first.CurrentRelease);
        Assert.Equal(
            ["download:succeeded", "verify:succeeded", "extract:succeeded", "pre-activate:skipped", "start:succeeded",
             "health:succeeded", "warm-up:skipped", "switch:succeeded", "stop-old:skipped", "retention:succeeded"],
            Agent.FinalSteps());
        var v1Instance = Serving;
        Assert.Equal("hello from 1.0.0\n", await Http.GetAsync(v1Instance.Port));
        Assert.Equal(v1.Name, CurrentLink.Read(Web));

        // Install v2: v1 drains away, v1 becomes "previous".
        var second = await Agent.InstallAsync(2, "web", v2);
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal(v1.Name, second.PreviousRelease);
        Assert.Equal(v2.Name, second.CurrentRelease);
        Assert.Equal(v1.Name, PreviousRelease.Read(Web));
        Assert.Equal("stop-old:succeeded", Agent.FinalSteps()[8]);
        Assert.Equal("hello from 2.0.0\n", await Http.GetAsync(Serving.Port));
        Assert.NotEqual(v1Instance.Port, Serving.Port);
        Assert.Equal(InstanceStates.Stopped, v1Instance.State);
        Assert.False(await Http.IsListeningAsync(v1Instance.Port));
        Assert.False(File.Exists(Web.InstanceFile(v1.Name)));
        Assert.True(File.Exists(Web.InstanceFile(v2.Name)));

        var service = Assert.Single(second.Inventory.Services);
        Assert.Equal(v2.Name, service.Current);
        Assert.Equal("2.0.0", service.CurrentVersion);
        Assert.Equal([v1.Name, v2.Name], service.Installed);
        Assert.Equal(InstanceStates.Running, service.Instance!.State);
        Assert.Equal(Serving.Port, service.Instance.Port);

        // Activate v1 again (a rollback): no download, files verified against the kept manifest.
        var opened = Agent.Artifacts.Opened;
        var back = await Agent.RunAsync(new AgentTask(3, TaskKinds.Activate, "d-3", "web", null, v1.Name, null, AgentHarness.Settings()));
        Assert.True(back.Succeeded, back.Error);
        Assert.Equal(v2.Name, back.PreviousRelease);
        Assert.Equal(v1.Name, back.CurrentRelease);
        Assert.Equal(opened, Agent.Artifacts.Opened);
        Assert.Equal(
            ["verify:succeeded", "start:succeeded", "health:succeeded", "warm-up:skipped", "switch:succeeded", "stop-old:succeeded", "retention:succeeded"],
            Agent.FinalSteps());
        Assert.Equal("hello from 1.0.0\n", await Http.GetAsync(Serving.Port));
        Assert.Equal(v2.Name, PreviousRelease.Read(Web));

        // Deactivate: nothing runs, current is gone, the files stay.
        var port = Serving.Port;
        var off = await Agent.RunAsync(new AgentTask(4, TaskKinds.Deactivate, "d-4", "web", null, null, null, AgentHarness.Settings()));
        Assert.True(off.Succeeded, off.Error);
        Assert.Equal(v1.Name, off.PreviousRelease);
        Assert.Null(off.CurrentRelease);
        Assert.Null(CurrentLink.Read(Web));
        Assert.Null(Agent.Supervisor.Serving("web"));
        Assert.False(await Http.IsListeningAsync(port));
        Assert.True(Directory.Exists(Web.ReleaseDirectory(v1.Name)));
        Assert.True(Directory.Exists(Web.ReleaseDirectory(v2.Name)));
        Assert.Empty(Directory.EnumerateFiles(Web.Instances));
    }

    [Fact]
    public async Task Install_ServerAwayThenDownloadCut_RetriesFromTheStartAndSucceeds()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        Agent.Artifacts.RefuseNext = 1;
        Agent.Artifacts.CutNext = 1;

        var result = await Agent.InstallAsync(1, "web", v1);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(3, Agent.Artifacts.Opened);
        Assert.Equal("download:succeeded", Agent.FinalSteps()[0]);
        Assert.Equal(v1.Name, CurrentLink.Read(Web));
        Assert.Empty(Directory.GetDirectories(Web.Releases, ".staging-*"));
    }

    [Fact]
    public async Task Install_BlobUnknownToTheServer_FailsAtOnceWithoutRetrying()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var task = new AgentTask(1, TaskKinds.Install, "d-1", "web", "1.0.0", v1.Name, new ArtifactRef(new string('0', 64), v1.Size), AgentHarness.Settings());

        var result = await Agent.RunAsync(task);

        Assert.False(result.Succeeded);
        Assert.Equal(1, Agent.Artifacts.Opened);
    }

    [Fact]
    public async Task Install_SameTaskAgainWhileItServes_ConvergesWithoutDownloadOrRestart()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", v1)).Succeeded);
        var instance = Serving;
        var pid = instance.Pid;

        var again = await Agent.InstallAsync(1, "web", v1);

        Assert.True(again.Succeeded, again.Error);
        Assert.Equal(v1.Name, again.CurrentRelease);
        Assert.Equal(1, Agent.Artifacts.Opened);
        Assert.Equal(
            ["download:skipped", "verify:succeeded", "extract:skipped", "pre-activate:skipped", "start:skipped",
             "health:succeeded", "switch:skipped", "stop-old:skipped", "retention:succeeded"],
            Agent.FinalSteps());
        Assert.Same(instance, Serving);
        Assert.Equal(pid, Serving.Pid);
    }

    [Fact]
    public async Task Install_UnhealthyRelease_FailsWithTheReasonAndLeavesCurrentServing()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var bad = await TestReleases.HelloAsync(Temp, "web", "3.0.0", healthy: false);
        Assert.True((await Agent.InstallAsync(1, "web", v1)).Succeeded);
        var serving = Serving;

        var result = await Agent.InstallAsync(2, "web", bad, AgentHarness.Settings(health: 5));

        Assert.False(result.Succeeded);
        Assert.Equal("health check GET /healthz answered 503 for 5 s", result.Error);
        Assert.Equal(v1.Name, result.CurrentRelease);
        Assert.Equal(v1.Name, CurrentLink.Read(Web));
        Assert.Same(serving, Serving);
        Assert.Equal("hello from 1.0.0\n", await Http.GetAsync(serving.Port));
        var health = Agent.Reports.Last(r => r.Name == StepNames.Health);
        Assert.Equal(StepStatus.Failed, health.Status);
        Assert.Contains("hello 3.0.0 listening on 127.0.0.1:", health.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Agent.Reports, r => r.Name == StepNames.Switch);
        Assert.Single(Agent.Supervisor.All());
        Assert.False(File.Exists(Web.InstanceFile(bad.Name)));
    }

    [Fact]
    public async Task Install_ReleaseThatCrashesAtStart_FailsAtOnceWithTheExitCode()
    {
        var crash = await TestReleases.HelloAsync(Temp, "web", "1.0.0", crashOnStart: true);

        var result = await Agent.InstallAsync(1, "web", crash, AgentHarness.Settings(health: 30));

        Assert.False(result.Succeeded);
        Assert.Equal("the process exited with code 1 before it became healthy", result.Error);
        Assert.Null(CurrentLink.Read(Web));
        Assert.Empty(Agent.Supervisor.All());
    }

    [Fact]
    public async Task Install_FailingPreActivateHook_StopsBeforeAnythingStarts()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var hooked = await TestReleases.HelloAsync(
            Temp, "web", "2.0.0", hooks: [new HookSpec(HookNames.PreActivate, "echo migrating $FAILSAFE_VERSION; exit 7", 10)]);
        Assert.True((await Agent.InstallAsync(1, "web", v1)).Succeeded);

        var result = await Agent.InstallAsync(2, "web", hooked);

        Assert.False(result.Succeeded);
        Assert.Equal("hook pre-activate exited with code 7", result.Error);
        Assert.Equal(
            ["download:succeeded", "verify:succeeded", "extract:succeeded", "pre-activate:failed"],
            Agent.FinalSteps());
        Assert.Contains("migrating 2.0.0", Agent.Reports.Last().Output, StringComparison.Ordinal);
        Assert.Equal(v1.Name, CurrentLink.Read(Web));
        Assert.Single(Agent.Supervisor.All());
    }

    [Fact]
    public async Task Install_PassingPreActivateHook_RunsInTheNewReleaseBeforeItStarts()
    {
        var hooked = await TestReleases.HelloAsync(
            Temp, "web", "1.0.0", hooks: [new HookSpec(HookNames.PreActivate, "echo ran in $(pwd) > \"$FAILSAFE_SHARED_DIR/hook.txt\"", 10)]);

        var result = await Agent.InstallAsync(1, "web", hooked);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal($"ran in {Web.ReleaseDirectory(hooked.Name)}\n", File.ReadAllText(Path.Join(Web.Shared, "hook.txt")));
        Assert.Equal("pre-activate:succeeded", Agent.FinalSteps()[3]);
    }

    [Fact]
    public async Task Install_ArtifactWhoseHashDiffers_FailsAtVerifyAndInstallsNothing()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var wrong = new string('a', 64);
        Agent.Artifacts.Add(wrong, v1.Path);

        var result = await Agent.RunAsync(new AgentTask(1, TaskKinds.Install, "d-1", "web", "1.0.0", null, new ArtifactRef(wrong, v1.Size), AgentHarness.Settings()));

        Assert.False(result.Succeeded);
        Assert.Equal($"The artifact's SHA-256 is {v1.Sha256}, expected {wrong}.", result.Error);
        Assert.Equal(["download:succeeded", "verify:failed"], Agent.FinalSteps());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Web.Releases));
    }

    [Fact]
    public async Task Install_KeepOne_RemovesOlderReleasesButNeverThePreviousOne()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var v2 = await TestReleases.HelloAsync(Temp, "web", "2.0.0");
        var v3 = await TestReleases.HelloAsync(Temp, "web", "3.0.0");

        Assert.True((await Agent.InstallAsync(1, "web", v1, AgentHarness.Settings(keep: 1))).Succeeded);
        Assert.True((await Agent.InstallAsync(2, "web", v2, AgentHarness.Settings(keep: 1))).Succeeded);
        Assert.Equal("kept all (limit 1)", Agent.Reports.Last().Output);
        var third = await Agent.InstallAsync(3, "web", v3, AgentHarness.Settings(keep: 1));

        Assert.True(third.Succeeded, third.Error);
        Assert.Equal($"removed {v1.Name}", Agent.Reports.Last().Output);
        Assert.Equal([v2.Name, v3.Name], third.Inventory.Services.Single().Installed);
    }

    [Fact]
    public async Task Activate_ByVersion_PicksTheInstalledReleaseOfThatVersion()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var v2 = await TestReleases.HelloAsync(Temp, "web", "2.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", v1)).Succeeded);
        Assert.True((await Agent.InstallAsync(2, "web", v2)).Succeeded);

        var result = await Agent.RunAsync(new AgentTask(3, TaskKinds.Activate, "d-3", "web", "1.0.0", null, null, AgentHarness.Settings()));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(v1.Name, result.CurrentRelease);
    }

    [Fact]
    public async Task Activate_ReleaseNotInstalled_FailsSayingWhatIsInstalled()
    {
        var result = await Agent.RunAsync(new AgentTask(1, TaskKinds.Activate, "d-1", "web", null, "9.9.9-0123456789ab", null, AgentHarness.Settings()));

        Assert.False(result.Succeeded);
        Assert.Equal("Release 9.9.9-0123456789ab of web is not installed on this host (installed: none).", result.Error);
    }

    [Fact]
    public async Task Activate_TamperedRelease_FailsAtVerifyWithoutStartingIt()
    {
        var v1 = await TestReleases.HelloAsync(Temp, "web", "1.0.0");
        var v2 = await TestReleases.HelloAsync(Temp, "web", "2.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", v1)).Succeeded);
        Assert.True((await Agent.InstallAsync(2, "web", v2)).Succeeded);
        File.AppendAllText(Path.Join(Web.ReleaseDirectory(v1.Name), "release.json"), " ");

        var result = await Agent.RunAsync(new AgentTask(3, TaskKinds.Activate, "d-3", "web", null, v1.Name, null, AgentHarness.Settings()));

        Assert.False(result.Succeeded);
        Assert.Contains("'release.json'", result.Error, StringComparison.Ordinal);
        Assert.Equal(["verify:failed"], Agent.FinalSteps());
        Assert.Equal(v2.Name, CurrentLink.Read(Web));
    }

    [Fact]
    public async Task Execute_UnknownKindOrBadServiceName_FailsWithOneLine()
    {
        var unknown = await Agent.RunAsync(new AgentTask(1, "reboot", "d-1", "web", null, null, null, AgentHarness.Settings()));
        var badName = await Agent.RunAsync(new AgentTask(2, TaskKinds.Deactivate, "d-2", "../etc", null, null, null, AgentHarness.Settings()));

        Assert.Equal("This agent does not know task kind 'reboot' (it knows install, activate, deactivate, canary, promote, stop-canary).", unknown.Error);
        Assert.Equal("'../etc' is not a valid service name.", badName.Error);
        Assert.False(Directory.Exists(Temp.Combine("etc")));
    }
}
