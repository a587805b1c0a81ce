using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;
using Failsafe.ControlPlane.Tests.Infrastructure;

namespace Failsafe.ControlPlane.Tests;

/// <summary>Every store's SQL, written and read back on every engine (types, nulls, RETURNING, LIMIT, joins).</summary>
public sealed class StoreQueriesTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Agents_EnrollReportAndReplaceCertificate_ReadBack(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var db = await store.OpenMigratedAsync();
        var inventory = new HostInventory("1.2.3", [new ServiceState("hello", "1.0.0-aaaaaaaaaaaa", "1.0.0", ["1.0.0-aaaaaaaaaaaa"], new InstanceState("1.0.0-aaaaaaaaaaaa", 8080, 42, "running", 0))]);
        await db.WriteAsync(
            async s =>
            {
                await AgentsStore.AddAsync(s, "a-2", "web-2", T0);
                await AgentsStore.AddAsync(s, "a-1", "web-1", T0);
                await AgentsStore.ReplaceCertificateAsync(s, "a-1", "thumb-1", T0, T0.AddDays(30));
                await AgentsStore.ReplaceCertificateAsync(s, "a-1", "thumb-2", T0.AddDays(1), T0.AddDays(31));
                await AgentsStore.ReportAsync(s, "a-1", T0.AddMinutes(1), inventory);
                await AgentsStore.ReportAsync(s, "a-1", T0.AddMinutes(2), inventory: null); // keeps the inventory
            },
            default);

        var (byName, list, revoked, current) = await db.ReadAsync(
            async s => (
                await AgentsStore.FindByNameAsync(s, "web-1"),
                await AgentsStore.ListAsync(s),
                await AgentsStore.FindByCertificateAsync(s, "thumb-1"),
                await AgentsStore.FindByCertificateAsync(s, "thumb-2")),
            default);

        Assert.Equal(("a-1", "web-1", T0, T0.AddMinutes(2)), (byName!.Id, byName.Name, byName.EnrolledAt, byName.LastSeenAt));
        Assert.Equal(inventory.Services[0] with { Installed = [] }, byName.Inventory!.Services[0] with { Installed = [] });
        Assert.Equal(["1.0.0-aaaaaaaaaaaa"], byName.Inventory.Services[0].Installed);
        Assert.Equal(["web-1", "web-2"], list.Select(a => a.Name));
        Assert.Null(list[1].LastSeenAt);
        Assert.Null(revoked);
        Assert.Equal("a-1", current!.Id);
        Assert.Null(await db.ReadAsync(s => AgentsStore.FindByNameAsync(s, "nobody"), default));
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Tokens_ApiAndEnrollment_ReadBack(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var db = await store.OpenMigratedAsync();
        await db.WriteAsync(
            async s =>
            {
                await TokensStore.AddApiTokenAsync(s, "admin", "admin", "hash-1", T0);
                await TokensStore.AddApiTokenAsync(s, "ci", "deployer", "hash-2", T0);
                await TokensStore.AddEnrollmentTokenAsync(s, "enroll-1", T0, T0.AddHours(1), "admin");
                await TokensStore.MarkEnrollmentTokenUsedAsync(s, "enroll-1", T0.AddMinutes(5), "web-1");
                await TokensStore.MarkEnrollmentTokenUsedAsync(s, "enroll-1", T0.AddMinutes(9), "web-2"); // used once only
            },
            default);

        Assert.Equal(2, await db.ReadAsync(TokensStore.CountApiTokensAsync, default));
        var ci = await db.ReadAsync(s => TokensStore.FindApiTokenAsync(s, "hash-2"), default);
        Assert.Equal(("ci", "deployer"), (ci!.Name, ci.Kind));
        Assert.True(ci.Id > 0);
        Assert.Null(await db.ReadAsync(s => TokensStore.FindApiTokenAsync(s, "hash-3"), default));
        Assert.Equal(
            new EnrollmentTokenRecord("enroll-1", T0.AddHours(1), T0.AddMinutes(5), null),
            await db.ReadAsync(s => TokensStore.FindEnrollmentTokenAsync(s, "enroll-1"), default));
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Releases_AddFindAndList_ReadBack(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var db = await store.OpenMigratedAsync();
        var first = new ReleaseRecord("hello", "1.0.0", new string('a', 64), 5_000_000_000, 3, 7_000_000_000, T0, "admin");
        var second = first with { Version = "1.1.0", Sha256 = new string('b', 64), PushedAt = T0.AddMinutes(1) };
        var other = first with { Service = "api" };
        await db.WriteAsync(
            async s =>
            {
                await ReleasesStore.AddAsync(s, second);
                await ReleasesStore.AddAsync(s, first);
                await ReleasesStore.AddAsync(s, other);
            },
            default);

        Assert.Equal(first, await db.ReadAsync(s => ReleasesStore.FindAsync(s, "hello", "1.0.0"), default));
        Assert.Equal([other, first, second], await db.ReadAsync(s => ReleasesStore.ListAsync(s, null), default));
        Assert.Equal([first, second], await db.ReadAsync(s => ReleasesStore.ListAsync(s, "hello"), default));
        Assert.Null(await db.ReadAsync(s => ReleasesStore.FindAsync(s, "hello", "9.9.9"), default));
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task DeploymentsAndTasks_FullLifecycle_ReadBack(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var db = await store.OpenMigratedAsync();
        var settings = new ActivationSettings(KeepReleases: 3);
        var rollout = RolloutState.Start(new RolloutPolicy([new CanaryStep(10, 60)]), withCanary: true) with { Step = 0, StepStartedAt = T0 };
        var deployment = new DeploymentRecord(0, "deploy", "hello", "1.2.0", "running", 2, true, settings, T0, T0, "admin", null, rollout);

        var (id, taskId) = await db.WriteAsync(
            async s =>
            {
                var id = await DeploymentsStore.InsertAsync(s, deployment);
                await DeploymentsStore.InsertHostAsync(s, new DeploymentHostRecord(id, "host-1", "a-1", 0, 1, "pending", "1.0.0-aaaaaaaaaaaa", null, null, null, null, T0));
                await DeploymentsStore.InsertHostAsync(s, new DeploymentHostRecord(id, "host-2", "a-2", 1, 2, "pending", null, null, null, null, null, T0));
                var taskId = await TasksStore.InsertAsync(s, new TaskRecord(
                    0, "a-1", id, "host-1", TaskPurposes.Deploy, "install", "hello", "1.2.0", "1.2.0-bbbbbbbbbbbb",
                    new ArtifactRef(new string('b', 64), 6_000_000_000), settings, TaskStates.Pending, T0));
                await DeploymentsStore.UpdateHostAsync(s, new DeploymentHostRecord(
                    id, "host-1", "a-1", 0, 1, "running", "1.0.0-aaaaaaaaaaaa", "1.2.0-bbbbbbbbbbbb", null, taskId, null, T0.AddSeconds(1), CanaryWeight: 10));
                return (id, taskId);
            },
            default);

        var open = await db.ReadAsync(s => TasksStore.OpenForAgentAsync(s, "a-1"), default);
        var task = Assert.Single(open);
        Assert.Equal((taskId, id, "1.2.0-bbbbbbbbbbbb", 6_000_000_000L, 3, TaskStates.Pending, T0),
            (task.Id, task.DeploymentId, task.ReleaseId, task.Artifact!.Size, task.Settings.KeepReleases, task.State, task.CreatedAt));
        Assert.Equal(
            [new TrafficRoute("hello", "1.2.0-bbbbbbbbbbbb", 10)],
            await db.ReadAsync(s => DeploymentsStore.CanaryRoutesAsync(s, "a-1"), default));

        var (firstTime, secondTime) = await db.WriteAsync(
            async s =>
            {
                await TasksStore.MarkDispatchedAsync(s, taskId, T0.AddSeconds(2));
                await TasksStore.AddStepAsync(s, taskId, new StepReport("download", "ok", T0.AddSeconds(3), 1500, null));
                await TasksStore.AddStepAsync(s, taskId, new StepReport("health-check", "ok", T0.AddSeconds(5), 200, "200 OK"));
                var first = await TasksStore.CompleteAsync(s, taskId, T0.AddSeconds(6), succeeded: true, null, "1.0.0-aaaaaaaaaaaa", "1.2.0-bbbbbbbbbbbb");
                var second = await TasksStore.CompleteAsync(s, taskId, T0.AddSeconds(7), succeeded: false, "late");
                await DeploymentsStore.UpdateHostAsync(s, new DeploymentHostRecord(
                    id, "host-1", "a-1", 0, 1, "succeeded", "1.0.0-aaaaaaaaaaaa", "1.2.0-bbbbbbbbbbbb", null, taskId, null, T0.AddSeconds(6)));
                await DeploymentsStore.UpdateRolloutAsync(s, id, rollout with { Paused = true }, T0.AddSeconds(6));
                return (first, second);
            },
            default);
        Assert.True(firstTime);
        Assert.False(secondTime);
        Assert.Empty(await db.ReadAsync(s => TasksStore.OpenForAgentAsync(s, "a-1"), default));
        Assert.Equal(TaskStates.Completed, (await db.ReadAsync(s => TasksStore.FindAsync(s, taskId), default))!.State);
        var steps = await db.ReadAsync(s => TasksStore.StepsByHostAsync(s, id), default);
        Assert.Equal(
            [new StepReport("download", "ok", T0.AddSeconds(3), 1500, null), new StepReport("health-check", "ok", T0.AddSeconds(5), 200, "200 OK")],
            steps["host-1"]);

        Assert.Equal([id], await db.ReadAsync(DeploymentsStore.ListActiveIdsAsync, default));
        var active = await db.ReadAsync(s => DeploymentsStore.FindActiveAsync(s, "hello"), default);
        Assert.Equal((id, true, 2, 3, true), (active!.Id, active.NoRollback, active.BatchSize, active.Settings.KeepReleases, active.Rollout!.Paused));
        Assert.Equal(10, active.Rollout.Steps[0].Weight);
        Assert.Null(await db.ReadAsync(s => DeploymentsStore.FindLastFinishedAsync(s, "hello"), default));

        await db.WriteAsync(s => DeploymentsStore.UpdateStateAsync(s, id, "succeeded", null, T0.AddSeconds(8)), default);
        await db.WriteAsync(s => DeploymentsStore.UpdateStateAsync(s, id, "succeeded", "all hosts", T0.AddSeconds(9)), default);
        var done = await db.ReadAsync(s => DeploymentsStore.FindAsync(s, id), default);
        Assert.Equal(("succeeded", "all hosts", T0.AddSeconds(9)), (done!.State, done.Reason, done.UpdatedAt));
        Assert.Equal(id, (await db.ReadAsync(s => DeploymentsStore.FindLastFinishedAsync(s, "hello"), default))!.Id);
        Assert.Empty(await db.ReadAsync(DeploymentsStore.ListActiveIdsAsync, default));
        Assert.Empty(await db.ReadAsync(s => DeploymentsStore.CanaryRoutesAsync(s, "a-1"), default));

        var hosts = await db.ReadAsync(s => DeploymentsStore.HostsAsync(s, id), default);
        Assert.Equal(["host-1", "host-2"], hosts.Select(h => h.Host));
        Assert.Equal((taskId, (long?)null, (int?)null), (hosts[0].TaskId, hosts[0].RollbackTaskId, hosts[0].CanaryWeight));
        Assert.Equal("pending", (await db.ReadAsync(s => DeploymentsStore.FindHostAsync(s, id, "host-2"), default))!.State);
        Assert.Equal(
            "1.0.0-aaaaaaaaaaaa",
            await db.ReadAsync(s => DeploymentsStore.LastPreviousReleaseAsync(s, "hello", "host-1", "1.2.0-bbbbbbbbbbbb"), default));
        Assert.Null(await db.ReadAsync(s => DeploymentsStore.LastPreviousReleaseAsync(s, "hello", "host-2", "1.2.0-bbbbbbbbbbbb"), default));

        var second = await db.WriteAsync(s => DeploymentsStore.InsertAsync(s, deployment with { Service = "api", Rollout = null }), default);
        Assert.True(second > id);
        Assert.Equal([second, id], (await db.ReadAsync(s => DeploymentsStore.ListAsync(s, null, 10), default)).Select(d => d.Id));
        Assert.Equal([second], (await db.ReadAsync(s => DeploymentsStore.ListAsync(s, null, 1), default)).Select(d => d.Id));
        Assert.Equal([id], (await db.ReadAsync(s => DeploymentsStore.ListAsync(s, "hello", 10), default)).Select(d => d.Id));
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Events_AppendAndListByTargetPrefix_ReadBack(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var db = await store.OpenMigratedAsync();
        await db.WriteAsync(
            async s =>
            {
                await EventsStore.AppendAsync(s, T0, new Actor("admin", "127.0.0.1"), "deployment.create", "d-1");
                await EventsStore.AppendAsync(s, T0.AddSeconds(1), Actor.System, "host.succeeded", "d-1/host-1", "ok there");
                await EventsStore.AppendAsync(s, T0.AddSeconds(2), Actor.System, "deployment.create", "d-10");
                await EventsStore.AppendAsync(s, T0.AddSeconds(3), new Actor("ci", null), "token.use", "tokens", result: EventsStore.Denied);
            },
            default);

        Assert.Equal(4, await db.ReadAsync(EventsStore.CountAsync, default));
        var all = await db.ReadAsync(s => EventsStore.ListAsync(s, 10, null), default);
        Assert.Equal(["tokens", "d-10", "d-1/host-1", "d-1"], all.Select(e => e.Target));
        Assert.Equal((EventsStore.Denied, (string?)null), (all[0].Result, all[0].RemoteAddress));
        Assert.Equal(new EventInfo(all[3].Id, T0, "admin", "deployment.create", "d-1", "127.0.0.1", EventsStore.Ok, null), all[3]);
        Assert.Equal(["d-1/host-1", "d-1"], (await db.ReadAsync(s => EventsStore.ListAsync(s, 10, "d-1"), default)).Select(e => e.Target));
        Assert.Equal(["tokens", "d-10"], (await db.ReadAsync(s => EventsStore.ListAsync(s, 2, null), default)).Select(e => e.Target));
    }
}
