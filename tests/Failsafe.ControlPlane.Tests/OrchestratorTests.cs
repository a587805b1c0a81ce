using System.Net;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;
using Failsafe.ControlPlane.Tests.Infrastructure;

namespace Failsafe.ControlPlane.Tests;

public sealed class OrchestratorTests
{
    private const string OldRelease = "1.0.0-aaaaaaaaaaaa";

    /// <summary>Every agent runs <see cref="OldRelease"/> of hello and has reported it; 1.2.0 is pushed and being deployed.</summary>
    private static async Task<Fleet> StartDeployingFromOldReleaseAsync(int agents, CreateDeployment deployment)
    {
        var fleet = await Fleet.StartAsync(agents);
        fleet.Agents.ForEach(a => a.Runs("hello", OldRelease));
        await fleet.ReportAllAsync();
        await fleet.PushAsync("hello", "1.2.0");
        await fleet.DeployAsync(deployment);
        return fleet;
    }

    [Fact]
    public async Task Deploy_InBatches_RunsBatchesInOrder_AndSucceeds()
    {
        await using var fleet = await Fleet.StartAsync(agents: 3);
        var packed = await fleet.PushAsync("hello", "1.2.0");
        var deployment = await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", ["host-1", "host-2", "host-3"], BatchSize: 2));
        Assert.Equal(("d-1", DeploymentStates.Running), (deployment.Id, deployment.State));
        Assert.Equal([1, 1, 2], deployment.Hosts.Select(h => h.Batch));

        var first = await fleet["host-1"].NextTaskAsync();
        var second = await fleet["host-2"].NextTaskAsync();
        Assert.Equal(TaskKinds.Install, first.Kind);
        Assert.Equal($"1.2.0-{packed.Sha256[..12]}", first.ReleaseId);
        Assert.Equal(new ArtifactRef(packed.Sha256, packed.Size), first.Artifact);
        Assert.Equal(("d-1", "hello", "1.2.0"), (first.DeploymentId, first.Service, first.Version));

        // The second batch waits for the whole first batch.
        await fleet["host-1"].StepAsync(first, "download");
        await fleet["host-1"].StepAsync(first, "health-check");
        (await fleet["host-1"].CompleteAsync(first)).EnsureSuccessStatusCode();
        await Task.Delay(300);
        Assert.Empty(await fleet["host-3"].PollAsync());
        (await fleet["host-2"].CompleteAsync(second)).EnsureSuccessStatusCode();
        var third = await fleet["host-3"].NextTaskAsync();
        (await fleet["host-3"].CompleteAsync(third)).EnsureSuccessStatusCode();

        var done = await fleet.WaitAsync("d-1", d => d.State == DeploymentStates.Succeeded, "success");
        Assert.All(done.Hosts, h => Assert.Equal(HostStates.Succeeded, h.State));
        Assert.Equal(["download", "health-check"], done.Hosts[0].Steps.Select(s => s.Name));

        var events = await fleet.Admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?target=d-1&limit=1000");
        Assert.Contains(events, e => e.Action == "deployment.create" && e.Actor == "admin");
        Assert.Contains(events, e => e.Action == "host.succeeded" && e.Target == "d-1/host-3" && e.Actor == "host-3");
        Assert.Contains(events, e => e.Action == "deployment.succeeded" && e.Actor == "system");

        var status = await fleet.Admin.GetJsonAsync<ServiceStatus>(ApiRoutes.ServiceStatusFor("hello"));
        Assert.Null(status.ActiveDeployment);
        Assert.Equal("d-1", status.LastDeployment?.Id);
        Assert.All(status.Hosts, h => Assert.Equal($"1.2.0-{packed.Sha256[..12]}", h.Current));
    }

    [Fact]
    public async Task Deploy_FailureOnHost2_RollsBackHost1ToItsPreviousRelease()
    {
        await using var fleet = await StartDeployingFromOldReleaseAsync(agents: 3, new CreateDeployment("hello", "1.2.0", All: true));

        (await fleet["host-1"].CompleteAsync(await fleet["host-1"].NextTaskAsync())).EnsureSuccessStatusCode();
        var failing = await fleet["host-2"].NextTaskAsync();
        (await fleet["host-2"].CompleteAsync(failing, succeeded: false, error: "health check GET /healthz answered 503 for 5 s")).EnsureSuccessStatusCode();

        var undo = await fleet["host-1"].NextTaskAsync();
        Assert.Equal((TaskKinds.Activate, OldRelease, "1.0.0"), (undo.Kind, undo.ReleaseId, undo.Version));
        Assert.Null(undo.Artifact);
        var rollingBack = await fleet.Admin.GetJsonAsync<DeploymentInfo>(ApiRoutes.DeploymentFor("d-1"));
        Assert.Equal(DeploymentStates.RollingBack, rollingBack.State);
        Assert.Equal(HostStates.Skipped, rollingBack.Hosts[2].State);
        (await fleet["host-1"].CompleteAsync(undo)).EnsureSuccessStatusCode();

        var done = await fleet.WaitAsync("d-1", d => DeploymentStates.IsTerminal(d.State), "rollback");
        Assert.Equal(DeploymentStates.RolledBack, done.State);
        Assert.Equal("host-2: health check GET /healthz answered 503 for 5 s", done.Reason);
        Assert.Equal([HostStates.RolledBack, HostStates.Failed, HostStates.Skipped], done.Hosts.Select(h => h.State));
        Assert.Equal(OldRelease, fleet["host-1"].CurrentOf("hello"));
        Assert.Empty(await fleet["host-3"].PollAsync());
    }

    [Fact]
    public async Task Deploy_AgentReRanTaskAfterItsSwitch_RollbackStillTargetsTheReleaseBeforeTheDeployment()
    {
        await using var fleet = await StartDeployingFromOldReleaseAsync(agents: 2, new CreateDeployment("hello", "1.2.0", All: true));

        // host-1 switched, died before reporting, and ran the task again: it now sees the new release as
        // "before" and reports previous == current. That must not overwrite what was there before the deployment.
        var task = await fleet["host-1"].NextTaskAsync();
        fleet["host-1"].Runs("hello", task.ReleaseId!);
        (await fleet["host-1"].CompleteAsync(task)).EnsureSuccessStatusCode();
        (await fleet["host-2"].CompleteAsync(await fleet["host-2"].NextTaskAsync(), succeeded: false, error: "boom")).EnsureSuccessStatusCode();

        var undo = await fleet["host-1"].NextTaskAsync();
        Assert.Equal((TaskKinds.Activate, OldRelease), (undo.Kind, undo.ReleaseId));
    }

    [Fact]
    public async Task Tick_OneDeploymentCannotMove_OthersStillDo()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        await fleet.PushAsync("hello", "1.2.0");
        await fleet.PushAsync("other", "1.0.0");

        // A deployment row this server cannot read (as a bug or a hand edit could leave one), created first.
        await fleet.DeployAsync(new CreateDeployment("other", "1.0.0", All: true));
        await fleet.Server.Service<IDatabase>().WriteAsync(
            s => s.ExecuteAsync("UPDATE deployments SET settings_json = 'not json' WHERE service = 'other'"), CancellationToken.None);
        await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", All: true));

        // The stuck deployment's task may come back on each poll; wait for the readable one's.
        AgentTask? hello = null;
        for (var attempt = 0; attempt < 20 && hello is null; attempt++)
        {
            hello = (await fleet["host-1"].PollAsync(waitSeconds: 1)).SingleOrDefault(t => t.Service == "hello");
        }

        Assert.NotNull(hello);
        (await fleet["host-1"].CompleteAsync(hello)).EnsureSuccessStatusCode();
        var done = await fleet.WaitAsync("d-2", d => DeploymentStates.IsTerminal(d.State), "the readable deployment");
        Assert.Equal(DeploymentStates.Succeeded, done.State);
    }

    [Fact]
    public async Task Deploy_FreshHostFails_OtherHostIsDeactivated()
    {
        await using var fleet = await Fleet.StartAsync(agents: 2);
        await fleet.PushAsync("hello", "1.0.0");
        await fleet.DeployAsync(new CreateDeployment("hello", "1.0.0", All: true));
        (await fleet["host-1"].CompleteAsync(await fleet["host-1"].NextTaskAsync())).EnsureSuccessStatusCode();
        (await fleet["host-2"].CompleteAsync(await fleet["host-2"].NextTaskAsync(), succeeded: false, error: "boom")).EnsureSuccessStatusCode();
        var undo = await fleet["host-1"].NextTaskAsync();
        Assert.Equal((TaskKinds.Deactivate, null), (undo.Kind, undo.ReleaseId));
    }

    [Fact]
    public async Task Deploy_NoRollback_FailureLeavesDeploymentFailed()
    {
        await using var fleet = await StartDeployingFromOldReleaseAsync(agents: 2, new CreateDeployment("hello", "1.2.0", NoRollback: true));
        (await fleet["host-1"].CompleteAsync(await fleet["host-1"].NextTaskAsync())).EnsureSuccessStatusCode();
        (await fleet["host-2"].CompleteAsync(await fleet["host-2"].NextTaskAsync(), succeeded: false, error: "boom")).EnsureSuccessStatusCode();

        var done = await fleet.WaitAsync("d-1", d => DeploymentStates.IsTerminal(d.State), "failure");
        Assert.Equal((DeploymentStates.Failed, "host-2: boom"), (done.State, done.Reason));
        Assert.Equal([HostStates.Succeeded, HostStates.Failed], done.Hosts.Select(h => h.State));
        await Task.Delay(200);
        Assert.Empty(await fleet["host-1"].PollAsync());
    }

    [Fact]
    public async Task Deploy_WhileAnotherRuns_Is409_EvenUnderConcurrency()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        await fleet.PushAsync("hello", "1.2.0");
        await fleet.PushAsync("hello", "1.3.0");
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", All: true))));
        Assert.Single(attempts, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(attempts.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));

        var second = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.3.0", All: true));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("Deployment d-1 of hello (1.2.0) is running; wait for it or roll it back.", (await second.ReadErrorAsync()).Error);
        var created = await fleet.Admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?limit=1000");
        Assert.Single(created, e => e.Action == "deployment.create");
    }

    [Fact]
    public async Task Deploy_BadRequests_AreRefusedWithSentences()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        var missing = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "9.9", All: true));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("No release hello 9.9 has been pushed.", (await missing.ReadErrorAsync()).Error);

        await fleet.PushAsync("hello", "1.2.0");
        var unknown = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0", ["host-1", "nope", "ghost"]));
        Assert.Equal("Unknown hosts: nope, ghost. Enrolled agents: host-1.", (await unknown.ReadErrorAsync()).Error);
        var none = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment("hello", "1.2.0"));
        Assert.Equal("No hosts given: use --hosts a,b or --all.", (await none.ReadErrorAsync()).Error);
        var malformed = await fleet.Admin.PostAsync(ApiRoutes.Deployments, new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.DoesNotContain("   at ", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await fleet.Admin.GetAsync(ApiRoutes.DeploymentFor("d-42"))).StatusCode);
    }

    [Fact]
    public async Task Poll_RedeliversDispatchedTaskTheAgentIsNotRunning_AndCompleteIsIdempotent()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        await fleet.PushAsync("hello", "1.2.0");
        await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", All: true));
        var agent = fleet["host-1"];
        var task = await agent.NextTaskAsync();

        Assert.Empty(await agent.PollAsync(0, task.Id));                  // still running it: not again
        Assert.Equal(task.Id, Assert.Single(await agent.PollAsync()).Id); // restarted agent: same task again

        (await agent.CompleteAsync(task)).EnsureSuccessStatusCode();
        var again = await agent.CompleteAsync(task, succeeded: false, error: "late duplicate");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var done = await fleet.WaitAsync("d-1", d => DeploymentStates.IsTerminal(d.State), "success");
        Assert.Equal(DeploymentStates.Succeeded, done.State);
    }

    [Fact]
    public async Task Poll_LongPoll_WakesWhenTaskIsCreated()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        await fleet.PushAsync("hello", "1.2.0");
        var started = DateTime.UtcNow;
        var poll = fleet["host-1"].PollAsync(waitSeconds: 20);
        await Task.Delay(200);
        Assert.False(poll.IsCompleted);
        await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", All: true));
        Assert.Single(await poll);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ServerRestart_MidRollout_ResumesAndFinishes()
    {
        await using var fleet = await Fleet.StartAsync(agents: 2);
        await fleet.PushAsync("hello", "1.2.0");
        await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", ["host-1", "host-2"]));
        (await fleet["host-1"].CompleteAsync(await fleet["host-1"].NextTaskAsync())).EnsureSuccessStatusCode();
        var interrupted = await fleet["host-2"].NextTaskAsync();

        await fleet.RestartServerAsync();

        // The agent restarted too and is not running the task any more: it gets it again.
        var resumed = await fleet["host-2"].NextTaskAsync();
        Assert.Equal(interrupted.Id, resumed.Id);
        (await fleet["host-2"].CompleteAsync(resumed)).EnsureSuccessStatusCode();
        var done = await fleet.WaitAsync("d-1", d => DeploymentStates.IsTerminal(d.State), "success after restart");
        Assert.Equal(DeploymentStates.Succeeded, done.State);
    }

    [Fact]
    public async Task HostTask_NotCompletedInTime_FailsHost()
    {
        var clock = new OffsetTimeProvider();
        await using var fleet = await Fleet.StartAsync(agents: 1, o => o with { Time = clock });
        await fleet.PushAsync("hello", "1.2.0");
        await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", All: true, NoRollback: true));
        var task = await fleet["host-1"].NextTaskAsync();

        clock.Advance(TimeSpan.FromMinutes(11));
        var done = await fleet.WaitAsync("d-1", d => DeploymentStates.IsTerminal(d.State), "timeout");
        Assert.Equal((DeploymentStates.Failed, "host-1 did not finish within 10 min"), (done.State, done.Reason));

        // A report that arrives after the timeout changes nothing.
        (await fleet["host-1"].CompleteAsync(task)).EnsureSuccessStatusCode();
        var after = await fleet.Admin.GetJsonAsync<DeploymentInfo>(ApiRoutes.DeploymentFor("d-1"));
        Assert.Equal(HostStates.Failed, after.Hosts[0].State);
    }

    [Fact]
    public async Task Rollback_OfRunningDeployment_TurnsItAround()
    {
        await using var fleet = await StartDeployingFromOldReleaseAsync(agents: 2, new CreateDeployment("hello", "1.2.0", All: true));
        var task = await fleet["host-1"].NextTaskAsync();

        var turned = await (await fleet.Admin.PostJsonAsync(ApiRoutes.RollbackFor("hello"), new RollbackRequest())).ReadAsync<DeploymentInfo>();
        Assert.Equal(("d-1", DeploymentStates.RollingBack), (turned.Id, turned.State));
        (await fleet["host-1"].CompleteAsync(task)).EnsureSuccessStatusCode();
        var undo = await fleet["host-1"].NextTaskAsync();
        Assert.Equal((TaskKinds.Activate, OldRelease), (undo.Kind, undo.ReleaseId));
        (await fleet["host-1"].CompleteAsync(undo)).EnsureSuccessStatusCode();

        var done = await fleet.WaitAsync("d-1", d => DeploymentStates.IsTerminal(d.State), "rollback");
        Assert.Equal((DeploymentStates.RolledBack, "rollback requested by admin"), (done.State, done.Reason));
        Assert.Equal(HostStates.Skipped, done.Hosts[1].State);
        Assert.Empty(await fleet["host-2"].PollAsync());
    }

    [Fact]
    public async Task Rollback_AfterSuccess_ActivatesEachHostsPreviousRelease()
    {
        await using var fleet = await Fleet.StartAsync(agents: 2);
        fleet.Agents.ForEach(a => a.Runs("hello", OldRelease));
        await fleet.ReportAllAsync();
        var packed = await fleet.PushAsync("hello", "1.2.0");
        await fleet.DeployAsync(new CreateDeployment("hello", "1.2.0", All: true, BatchSize: 2));
        foreach (var agent in fleet.Agents)
        {
            (await agent.CompleteAsync(await agent.NextTaskAsync())).EnsureSuccessStatusCode();
        }

        await fleet.WaitAsync("d-1", d => d.State == DeploymentStates.Succeeded, "deploy");
        var missing = await fleet.Admin.PostJsonAsync(ApiRoutes.RollbackFor("hello"), new RollbackRequest("0.9.0"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(
            "host-1 does not have hello 0.9.0 installed; host-2 does not have hello 0.9.0 installed: deploy hello 0.9.0 instead.",
            (await missing.ReadErrorAsync()).Error);

        var rollback = await (await fleet.Admin.PostJsonAsync(ApiRoutes.RollbackFor("hello"), new RollbackRequest())).ReadAsync<DeploymentInfo>();
        Assert.Equal((DeploymentKinds.Rollback, "1.0.0", "d-2"), (rollback.Kind, rollback.Version, rollback.Id));
        Assert.All(rollback.Hosts, h => Assert.Equal((OldRelease, $"1.2.0-{packed.Sha256[..12]}"), (h.TargetRelease, h.PreviousRelease)));
        foreach (var agent in fleet.Agents)
        {
            var undo = await agent.NextTaskAsync();
            Assert.Equal((TaskKinds.Activate, OldRelease), (undo.Kind, undo.ReleaseId));
            (await agent.CompleteAsync(undo)).EnsureSuccessStatusCode();
        }

        var done = await fleet.WaitAsync("d-2", d => DeploymentStates.IsTerminal(d.State), "rollback");
        Assert.Equal(DeploymentStates.Succeeded, done.State);
        Assert.All(fleet.Agents, a => Assert.Equal(OldRelease, a.CurrentOf("hello")));
    }
}
