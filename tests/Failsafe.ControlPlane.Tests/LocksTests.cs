using System.Net;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Storage;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests;

/// <summary>Deploy locks through the real API, on the server's clock.</summary>
public sealed class LocksTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("fs-locks");
    private readonly OffsetTimeProvider _clock = new();
    private TestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _alice = null!;
    private HttpClient _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(_data.Path, o => o with { Time = _clock });
        _admin = _server.Admin();
        _alice = await ClientForAsync("alice");
        _bob = await ClientForAsync("bob");
    }

    public async Task DisposeAsync()
    {
        _alice.Dispose();
        _bob.Dispose();
        _admin.Dispose();
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Lock_HeldByOne_SecondActorRefusedWithASentence_AndDeploymentsChecked()
    {
        var taken = await (await _alice.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 30, "db migration"))).ReadAsync<DeployLockInfo>();

        var refused = await _bob.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 10));

        Assert.Equal(("hello", "prod", "alice", "db migration"), (taken.Service, taken.Environment, taken.Holder, taken.Reason));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("hello in prod is locked by alice (\"db migration\") for 30 more minutes.", (await refused.ReadErrorAsync()).Error);
        Assert.Equal([taken], await _bob.GetJsonAsync<List<DeployLockInfo>>(ApiRoutes.Locks));

        // Another environment, or another service, is not locked.
        await (await _bob.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("staging"))).ReadAsync<DeployLockInfo>();

        var now = _clock.GetUtcNow();
        var bob = new Actor("bob", null);
        var error = await Assert.ThrowsAsync<ApiProblemException>(() => _server.ReadAsync(async s =>
        {
            await DeployLocks.RefuseIfLockedAsync(s, "hello", "prod", bob, now);
            return true;
        }));
        Assert.Equal((409, "hello in prod is locked by alice (\"db migration\") for 30 more minutes. Wait for it, or ask alice to unlock it."), (error.StatusCode, error.Message));
        Assert.True(await _server.ReadAsync(async s =>
        {
            await DeployLocks.RefuseIfLockedAsync(s, "hello", "prod", new Actor("alice", null), now);
            await DeployLocks.RefuseIfLockedAsync(s, "other", "prod", bob, now);
            return true;
        }));
    }

    [Fact]
    public async Task Lock_SameHolderAgain_RenewsExpiryAndReason()
    {
        var first = await (await _alice.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 30, "first"))).ReadAsync<DeployLockInfo>();
        _clock.Advance(TimeSpan.FromMinutes(20));

        var renewed = await (await _alice.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 30, "second"))).ReadAsync<DeployLockInfo>();

        Assert.InRange(renewed.ExpiresAt - first.ExpiresAt, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(5));
        Assert.Equal("second", Assert.Single(await _alice.GetJsonAsync<List<DeployLockInfo>>(ApiRoutes.Locks)).Reason);
        var events = (await _admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events)).Where(e => e.Target == "lock/hello/prod").Reverse();
        Assert.Equal(["lock.take for 30 minutes; reason: first", "lock.renew for 30 minutes; reason: second"], events.Select(e => $"{e.Action} {e.Detail}"));
    }

    [Fact]
    public async Task Lock_ExpiresWhenTheServersClockPassesIt()
    {
        await (await _alice.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 30))).ReadAsync<DeployLockInfo>();
        _clock.Advance(TimeSpan.FromMinutes(29));
        var stillLocked = await _bob.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 5));
        Assert.Equal("hello in prod is locked by alice (no reason given) for 1 more minute.", (await stillLocked.ReadErrorAsync()).Error);

        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        Assert.Empty(await _bob.GetJsonAsync<List<DeployLockInfo>>(ApiRoutes.Locks));
        var taken = await (await _bob.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 5))).ReadAsync<DeployLockInfo>();
        Assert.Equal("bob", taken.Holder);
    }

    [Fact]
    public async Task Unlock_ByHolder_Works_OthersRefused_AdminMayForce()
    {
        await (await _alice.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 30, "hotfix"))).ReadAsync<DeployLockInfo>();

        var byBob = await _bob.DeleteAsync(ApiRoutes.LockFor("hello") + "?environment=prod");
        Assert.Equal(HttpStatusCode.Conflict, byBob.StatusCode);
        Assert.Equal(
            "hello in prod is locked by alice (\"hotfix\") for 30 more minutes. Only alice, or an admin with --force, may unlock it.",
            (await byBob.ReadErrorAsync()).Error);
        var forcedByBob = await _bob.DeleteAsync(ApiRoutes.LockFor("hello") + "?environment=prod&force=true");
        Assert.Equal(HttpStatusCode.Forbidden, forcedByBob.StatusCode);
        Assert.Single(await _bob.GetJsonAsync<List<DeployLockInfo>>(ApiRoutes.Locks));

        var forced = await (await _admin.DeleteAsync(ApiRoutes.LockFor("hello") + "?environment=prod&force=true")).ReadAsync<DeployLockInfo>();
        Assert.Equal("alice", forced.Holder);
        Assert.Empty(await _bob.GetJsonAsync<List<DeployLockInfo>>(ApiRoutes.Locks));
        var e = (await _admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events)).First(e => e.Target == "lock/hello/prod");
        Assert.Equal(("admin", "lock.release", "forced; held by alice"), (e.Actor, e.Action, e.Detail));

        await (await _bob.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 30))).ReadAsync<DeployLockInfo>();
        Assert.Equal("bob", (await (await _bob.DeleteAsync(ApiRoutes.LockFor("hello") + "?environment=prod")).ReadAsync<DeployLockInfo>()).Holder);
        var none = await _bob.DeleteAsync(ApiRoutes.LockFor("hello") + "?environment=prod");
        Assert.Equal((HttpStatusCode.NotFound, "hello is not locked in prod."), (none.StatusCode, (await none.ReadErrorAsync()).Error));
    }

    [Fact]
    public async Task Locks_ListOnlyDeployLocks_NotTheOrchestratorsLeases_AndBadInputIsOneSentence()
    {
        await _server.Service<IDatabase>().WriteAsync(
            s => LeasesStore.TryHoldAsync(s, Replica.DeploymentLease(7), "replica-1", _clock.GetUtcNow(), TimeSpan.FromMinutes(5)), default);
        await (await _alice.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod"))).ReadAsync<DeployLockInfo>();

        Assert.Equal(["hello/prod"], (await _alice.GetJsonAsync<List<DeployLockInfo>>(ApiRoutes.Locks)).Select(l => $"{l.Service}/{l.Environment}"));
        Assert.Equal(
            "A deploy lock lasts from 1 minute to 7 days.",
            (await (await _alice.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("prod", 0))).ReadErrorAsync()).Error);
        Assert.StartsWith(
            "An environment name is",
            (await (await _alice.PostJsonAsync(ApiRoutes.LockFor("hello"), new TakeDeployLock("Prod"))).ReadErrorAsync()).Error, StringComparison.Ordinal);
    }

    private async Task<HttpClient> ClientForAsync(string name) =>
        _server.Client((await (await _admin.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken(name))).ReadAsync<ApiTokenCreated>()).Token);
}
