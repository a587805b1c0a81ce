using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Secrets;
using Failsafe.ControlPlane.Storage;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Failsafe.ControlPlane.Tests;

/// <summary>The vault's and the deploy locks' SQL, on every engine.</summary>
public sealed class SecretsAndLocksStoreTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Vault_SetRevealListDeleteRotate_ReadBack(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        using var keys = new TempDirectory("fs-keys");
        var db = await store.OpenMigratedAsync();
        var keyring = SecretKeyring.Open(keys.Combine("secrets.keys"), []);
        var vault = new SecretVault(db, keyring, TimeProvider.System, NullLogger<SecretVault>.Instance);
        var alice = new Actor("alice", null);

        await vault.SetAsync("prod", "db-password", "one", alice, default);
        var second = await vault.SetAsync("prod", "db-password", "two", alice, default);
        await vault.SetAsync("staging", "db-password", "three", alice, default);

        Assert.Equal(2, second.Version);
        Assert.Equal("two", await db.ReadAsync(s => vault.RevealAsync(s, "prod", "db-password"), default));
        Assert.Null(await db.ReadAsync(s => vault.RevealAsync(s, "prod", "nothing"), default));
        Assert.Equal(["staging"], (await vault.ListAsync("staging", default)).Select(s => s.Environment));

        var oldKey = keyring.Current.Id;
        var rotated = await vault.RotateKeyAsync(alice with { IsAdmin = true }, default);
        Assert.Equal(2, rotated.Reencrypted);
        Assert.Equal([rotated.KeyId], await db.ReadAsync(SecretsStore.KeyIdsInUseAsync, default));
        Assert.Equal([rotated.KeyId], keyring.KeyIds);
        Assert.NotEqual(oldKey, rotated.KeyId);
        Assert.Equal("three", await db.ReadAsync(s => vault.RevealAsync(s, "staging", "db-password"), default));

        Assert.Equal(2, (await vault.DeleteAsync("prod", "db-password", alice, default))!.Version);
        Assert.Null(await vault.DeleteAsync("prod", "db-password", alice, default));
        Assert.Equal(["staging/db-password"], (await vault.ListAsync(null, default)).Select(s => $"{s.Environment}/{s.Name}"));
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task DeployLocks_TakeRenewRefuseListRelease_ReadBack(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var db = await store.OpenMigratedAsync();
        var alice = new Actor("alice", null);
        var bob = new Actor("bob", null);

        var taken = await db.WriteAsync(s => DeployLocks.TakeAsync(s, "hello", "prod", alice, TimeSpan.FromMinutes(30), "migration", T0), default);
        await db.WriteAsync(s => DeployLocks.TakeAsync(s, "hello", "prod", alice, TimeSpan.FromMinutes(60), null, T0.AddMinutes(1)), default);
        var refused = await Assert.ThrowsAsync<ApiProblemException>(
            () => db.WriteAsync(s => DeployLocks.TakeAsync(s, "hello", "prod", bob, TimeSpan.FromMinutes(5), null, T0.AddMinutes(2)), default));
        await db.WriteAsync(s => LeasesStore.TryHoldAsync(s, Replica.DeploymentLease(1), "replica", T0, TimeSpan.FromHours(1)), default);

        Assert.Equal(T0.AddMinutes(30), taken.ExpiresAt);
        Assert.Equal("hello in prod is locked by alice (no reason given) for 59 more minutes.", refused.Message);
        var listed = Assert.Single(await db.ReadAsync(s => DeployLocks.ListAsync(s, T0.AddMinutes(2)), default));
        Assert.Equal(new Contracts.DeployLockInfo("hello", "prod", "alice", T0.AddMinutes(61), null), listed);
        Assert.Empty(await db.ReadAsync(s => DeployLocks.ListAsync(s, T0.AddMinutes(61)), default));

        Assert.Null(await db.WriteAsync(s => DeployLocks.ReleaseAsync(s, "hello", "staging", alice, T0), default));
        Assert.Equal("alice", (await db.WriteAsync(s => DeployLocks.ReleaseAsync(s, "hello", "prod", alice, T0.AddMinutes(3)), default))!.Holder);
        Assert.Empty(await db.ReadAsync(s => DeployLocks.ListAsync(s, T0), default));
        Assert.Equal("replica", await db.ReadAsync(s => LeasesStore.HolderAsync(s, Replica.DeploymentLease(1), T0), default));
    }
}
