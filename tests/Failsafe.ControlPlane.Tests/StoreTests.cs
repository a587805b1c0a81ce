using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Storage;
using Failsafe.Tests.Common;
using Microsoft.Data.Sqlite;

namespace Failsafe.ControlPlane.Tests;

public sealed class StoreTests : IDisposable
{
    private readonly TempDirectory _data = new("fs-store");

    private string DbPath => _data.Combine("failsafe.db");

    [Fact]
    public async Task Migrate_Twice_AppliesEachMigrationOnce()
    {
        var database = new SqliteDatabase(DbPath, TimeProvider.System);
        await database.MigrateAsync(CancellationToken.None);
        await database.MigrateAsync(CancellationToken.None);
        var versions = await database.ReadAsync(s => s.QueryAsync("SELECT version FROM schema_version ORDER BY version", r => r.Int64("version")), default);
        Assert.Equal(Enumerable.Range(1, SqliteMigrations.All.Count).Select(v => (long)v), versions);
        Assert.Equal("wal", await database.ReadAsync(s => s.ScalarAsync<string>("PRAGMA journal_mode"), default));
    }

    [Fact]
    public async Task Migrate_SchemaNewerThanKnown_RefusesWithMessage()
    {
        var database = new SqliteDatabase(DbPath, TimeProvider.System);
        await database.MigrateAsync(CancellationToken.None);
        await database.WriteAsync(s => s.ExecuteAsync("INSERT INTO schema_version (version, applied_at) VALUES (7, 0)"), default);

        var error = await Assert.ThrowsAsync<ServerStartupException>(() => database.MigrateAsync(CancellationToken.None));
        Assert.Equal(
            $"The database at {DbPath} has schema version 7; this failsafe knows up to {SqliteMigrations.All.Count}. Upgrade failsafe.",
            error.Message);
    }

    [Fact]
    public async Task Migrate_OldSchema_AppliesOnlyTheNewMigrations()
    {
        var old = new SqliteDatabase(DbPath, TimeProvider.System, [.. SqliteMigrations.All]);
        await old.MigrateAsync(CancellationToken.None);
        var newer = new SqliteDatabase(DbPath, TimeProvider.System, [.. SqliteMigrations.All, "CREATE TABLE later_feature (id INTEGER PRIMARY KEY)"]);
        await newer.MigrateAsync(CancellationToken.None);
        Assert.Equal(SqliteMigrations.All.Count + 1, await newer.ReadAsync(s => s.ScalarAsync<long>("SELECT MAX(version) FROM schema_version"), default));
        Assert.Equal(0, await newer.ReadAsync(s => s.ScalarAsync<long>("SELECT COUNT(*) FROM later_feature"), default));
    }

    [Fact]
    public async Task Migrate_FirstSchemaWithTokens_AddsReplacesColumn_KeepingTokens()
    {
        var first = new SqliteDatabase(DbPath, TimeProvider.System, [SqliteMigrations.All[0]]);
        await first.MigrateAsync(CancellationToken.None);
        await first.WriteAsync(
            s => s.ExecuteAsync(
                "INSERT INTO enrollment_tokens (hash, created_at, expires_at, created_by) VALUES ('old', 0, 1000, 'admin')"),
            default);

        var current = new SqliteDatabase(DbPath, TimeProvider.System);
        await current.MigrateAsync(CancellationToken.None);
        var old = await current.ReadAsync(s => TokensStore.FindEnrollmentTokenAsync(s, "old"), default);
        Assert.Equal(new EnrollmentTokenRecord("old", DateTimeOffset.FromUnixTimeMilliseconds(1000), null, null), old);
        await current.WriteAsync(s => TokensStore.AddEnrollmentTokenAsync(s, "new", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "admin", "web-1"), default);
        Assert.Equal("web-1", (await current.ReadAsync(s => TokensStore.FindEnrollmentTokenAsync(s, "new"), default))!.Replaces);
    }

    [Fact]
    public async Task Write_ChangeThatFails_LeavesNeitherChangeNorEvent()
    {
        var database = new SqliteDatabase(DbPath, TimeProvider.System);
        await database.MigrateAsync(CancellationToken.None);
        var release = new ReleaseRecord("hello", "1.0.0", new string('a', 64), 10, 1, 10, DateTimeOffset.UnixEpoch, "admin");
        await database.WriteAsync(s => ReleasesStore.AddAsync(s, release), default);

        // The event goes in first, then the change fails (same primary key): both must be gone.
        var failure = await Assert.ThrowsAsync<SqliteException>(() => database.WriteAsync(
            async s =>
            {
                await EventsStore.AppendAsync(s, DateTimeOffset.UnixEpoch, Actor.System, "release.push", "hello/1.0.0");
                await ReleasesStore.AddAsync(s, release with { Sha256 = new string('b', 64) });
            },
            default));
        Assert.True(database.IsUniqueViolation(failure));
        Assert.Equal(0, await database.ReadAsync(EventsStore.CountAsync, default));
        Assert.Equal(new string('a', 64), (await database.ReadAsync(s => ReleasesStore.FindAsync(s, "hello", "1.0.0"), default))!.Sha256);
    }

    [Fact]
    public async Task ActiveDeploymentIndex_RefusesSecondActiveDeploymentOfAService()
    {
        var database = new SqliteDatabase(DbPath, TimeProvider.System);
        await database.MigrateAsync(CancellationToken.None);
        var deployment = new DeploymentRecord(
            0, "deploy", "hello", "1.0.0", "running", 1, false, new(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "admin", null);
        await database.WriteAsync(s => DeploymentsStore.InsertAsync(s, deployment), default);
        var error = await Assert.ThrowsAsync<SqliteException>(() =>
            database.WriteAsync(s => DeploymentsStore.InsertAsync(s, deployment with { State = "rolling-back" }), default));
        Assert.True(database.IsUniqueViolation(error));

        // Finished deployments do not count.
        await database.WriteAsync(s => DeploymentsStore.InsertAsync(s, deployment with { State = "succeeded" }), default);
        await database.WriteAsync(s => DeploymentsStore.InsertAsync(s, deployment with { Service = "other" }), default);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }
}
