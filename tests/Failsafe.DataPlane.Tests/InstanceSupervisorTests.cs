using System.Diagnostics;
using System.Text.Json;
using Failsafe.Contracts;
using Failsafe.Tests.Common;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

public sealed class InstanceSupervisorTests(ITestOutputHelper output) : AgentHarnessTest(output)
{
    private ServicePaths Web => Agent.Service("web");

    private async Task<InstalledRelease> InstallScriptAsync(string version, string entry)
    {
        var release = await TestReleases.ScriptAsync(Temp, "web", version, entry);
        await using var stream = File.OpenRead(release.Path);
        return await Agent.Installer.InstallAsync(Web, stream, release.Sha256, release.Size, null, CancellationToken.None);
    }

    private int[] Starts() => File.Exists(Path.Join(Web.Shared, "starts"))
        ? [.. File.ReadAllLines(Path.Join(Web.Shared, "starts")).Select(l => int.Parse(l, System.Globalization.CultureInfo.InvariantCulture))]
        : [];

    [Fact]
    public void BackoffFor_DoublesFromTheBaseUpToTheMaximum()
    {
        var options = new SupervisorOptions();

        Assert.Equal(
            [1, 2, 4, 8, 16, 30, 30],
            Enumerable.Range(1, 7).Select(n => options.BackoffFor(n).TotalSeconds));
    }

    [Fact]
    public async Task PromotedInstance_ThatKeepsCrashing_IsRestartedWithGrowingBackoff()
    {
        var release = await InstallScriptAsync("1.0.0", "/bin/sh -c 'echo $$ >> \"$SHARED_DIR/starts\"; exit 3'");
        var clock = Stopwatch.StartNew();

        var instance = Agent.Supervisor.StartCandidate(Web, release);
        Agent.Supervisor.Promote(instance);

        Assert.True(await Eventually.TrueAsync(() => instance.Restarts >= 3, TimeSpan.FromSeconds(10)), $"only {instance.Restarts} restarts");
        // 100 + 200 + 400 ms of backoff at least before the third restart.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(700), $"three restarts after {clock.Elapsed}");
        Assert.Equal(3, instance.LastExitCode);
        Assert.True(await Eventually.TrueAsync(() => Starts().Length >= 4, TimeSpan.FromSeconds(5)));
        Assert.Equal(Starts().Length, Starts().Distinct().Count());

        await Agent.Supervisor.StopAsync(instance, TimeSpan.FromSeconds(1), CancellationToken.None);
        var startsAfterStop = Starts().Length;
        await Task.Delay(600);
        Assert.Equal(startsAfterStop, Starts().Length);
        Assert.Equal(InstanceStates.Stopped, instance.State);
    }

    [Fact]
    public async Task Candidate_ThatExits_IsNotRestartedAndReportsItsExitCode()
    {
        var release = await InstallScriptAsync("1.0.0", "/bin/sh -c 'echo $$ >> \"$SHARED_DIR/starts\"; exit 4'");

        var instance = Agent.Supervisor.StartCandidate(Web, release);
        var code = await instance.Exited.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(300);

        Assert.Equal(4, code);
        Assert.Equal(InstanceStates.Exited, instance.State);
        Assert.Equal(0, instance.Restarts);
        Assert.Single(Starts());
        Assert.False(File.Exists(Web.InstanceFile(release.Name)));
    }

    [Fact]
    public async Task StartCandidate_WritesTheInstanceRecordAndTheLog_StopRemovesTheRecord()
    {
        var release = await InstallScriptAsync("1.0.0", "/bin/sh -c 'echo \"port $PORT in $(pwd) for $FAILSAFE_SERVICE $FAILSAFE_VERSION\"; exec sleep 300'");

        var instance = Agent.Supervisor.StartCandidate(Web, release);
        Assert.True(await Eventually.TrueAsync(() => File.Exists(Web.LogFile(release.Name)) && File.ReadAllText(Web.LogFile(release.Name)).Length > 0, TimeSpan.FromSeconds(5)));

        var record = JsonSerializer.Deserialize<InstanceRecord>(File.ReadAllText(Web.InstanceFile(release.Name)), FailsafeJson.Options)!;
        Assert.Equal(instance.Pid, record.Pid);
        Assert.Equal(instance.Port, record.Port);
        Assert.Equal(ProcStat.StartTimeTicks(record.Pid), record.StartTimeTicks);
        Assert.Equal($"port {instance.Port} in {release.Directory} for web 1.0.0\n", File.ReadAllText(Web.LogFile(release.Name)));

        await Agent.Supervisor.StopAsync(instance, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.False(File.Exists(Web.InstanceFile(release.Name)));
        Assert.False(Eventually.ProcessAlive(record.Pid));
    }

    [Fact]
    public async Task StopAsync_InstanceIgnoringSigterm_IsKilledAfterTheDrainTimeoutWithItsChildren()
    {
        var release = await InstallScriptAsync(
            "1.0.0",
            "/bin/sh -c 'trap \"\" TERM; sleep 300 & echo $! > \"$SHARED_DIR/child.pid\"; while true; do sleep 1; done'");
        var instance = Agent.Supervisor.StartCandidate(Web, release);
        var childPidFile = Path.Join(Web.Shared, "child.pid");
        Assert.True(await Eventually.TrueAsync(() => File.Exists(childPidFile) && File.ReadAllText(childPidFile).EndsWith('\n'), TimeSpan.FromSeconds(5)));
        var child = int.Parse(File.ReadAllText(childPidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var pid = instance.Pid!.Value;

        var clock = Stopwatch.StartNew();
        await Agent.Supervisor.StopAsync(instance, TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(450), $"stopped after {clock.Elapsed}: SIGTERM was not ignored?");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stop took {clock.Elapsed}");
        Assert.False(Eventually.ProcessAlive(pid));
        Assert.True(await Eventually.TrueAsync(() => !Eventually.ProcessAlive(child), TimeSpan.FromSeconds(5)), "the instance's child survived");
    }
}
