using System.Data.Common;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Storage;
using Failsafe.ControlPlane.Tests.Infrastructure;

namespace Failsafe.ControlPlane.Tests;

/// <summary>The engine contract (<see cref="IDatabase"/>), on every engine.</summary>
public sealed class StoreTests
{
    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Migrate_FromEmpty_AppliesEveryMigrationOnce_AndAgainChangesNothing(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var database = store.Open();
        await database.MigrateAsync(CancellationToken.None);
        var first = await database.ReadAsync(s => s.QueryAsync("SELECT version, applied_at FROM schema_version ORDER BY version", r => (r.Int64("version"), r.Int64("applied_at"))), default);

        await store.Open().MigrateAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, store.Migrations.Count).Select(v => (long)v), first.Select(v => v.Item1));
        Assert.Equal(first, await database.ReadAsync(s => s.QueryAsync("SELECT version, applied_at FROM schema_version ORDER BY version", r => (r.Int64("version"), r.Int64("applied_at"))), default));
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Migrate_TwoInstancesAtOnce_ApplyEachMigrationOnce(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        await Task.WhenAll(Task.Run(() => store.Open().MigrateAsync(CancellationToken.None)), Task.Run(() => store.Open().MigrateAsync(CancellationToken.None)));
        var versions = await store.Open().ReadAsync(s => s.QueryAsync("SELECT version FROM schema_version ORDER BY version", r => r.Int64("version")), default);
        Assert.Equal(Enumerable.Range(1, store.Migrations.Count).Select(v => (long)v), versions);
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Migrate_SchemaNewerThanKnown_RefusesWithMessage(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var database = await store.OpenMigratedAsync();
        await database.WriteAsync(s => s.ExecuteAsync("INSERT INTO schema_version (version, applied_at) VALUES (7, 0)"), default);

        var error = await Assert.ThrowsAsync<ServerStartupException>(() => store.Open().MigrateAsync(CancellationToken.None));
        Assert.Equal(
            $"The database at {store.Location} has schema version 7; this failsafe knows up to {store.Migrations.Count}. Upgrade failsafe.",
            error.Message);
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Migrate_OldSchema_AppliesOnlyTheNewMigrations(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        await store.OpenMigratedAsync();
        var newer = store.Open([.. store.Migrations, "CREATE TABLE later_feature (id BIGINT PRIMARY KEY)"]);
        await newer.MigrateAsync(CancellationToken.None);
        Assert.Equal(store.Migrations.Count + 1, await newer.ReadAsync(s => s.ScalarAsync<long>("SELECT MAX(version) FROM schema_version"), default));
        Assert.Equal(0, await newer.ReadAsync(s => s.ScalarAsync<long>("SELECT COUNT(*) FROM later_feature"), default));
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Migrate_FirstSchemaWithTokens_AddsReplacesColumn_KeepingTokens(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var first = store.Open([store.Migrations[0]]);
        await first.MigrateAsync(CancellationToken.None);
        await first.WriteAsync(
            s => s.ExecuteAsync(
                "INSERT INTO enrollment_tokens (hash, created_at, expires_at, created_by) VALUES ('old', 0, 1000, 'admin')"),
            default);

        var current = await store.OpenMigratedAsync();
        var old = await current.ReadAsync(s => TokensStore.FindEnrollmentTokenAsync(s, "old"), default);
        Assert.Equal(new EnrollmentTokenRecord("old", DateTimeOffset.FromUnixTimeMilliseconds(1000), null, null), old);
        await current.WriteAsync(s => TokensStore.AddEnrollmentTokenAsync(s, "new", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "admin", "web-1"), default);
        Assert.Equal("web-1", (await current.ReadAsync(s => TokensStore.FindEnrollmentTokenAsync(s, "new"), default))!.Replaces);
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Write_ChangeThatFails_LeavesNeitherChangeNorEvent(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var database = await store.OpenMigratedAsync();
        var release = new ReleaseRecord("hello", "1.0.0", new string('a', 64), 10, 1, 10, DateTimeOffset.UnixEpoch, "admin");
        await database.WriteAsync(s => ReleasesStore.AddAsync(s, release), default);

        // The event goes in first, then the change fails (same primary key): both must be gone.
        var failure = await Assert.ThrowsAnyAsync<DbException>(() => database.WriteAsync(
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

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task ActiveDeploymentIndex_RefusesSecondActiveDeploymentOfAService(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var database = await store.OpenMigratedAsync();
        var deployment = new DeploymentRecord(
            0, "deploy", "hello", "1.0.0", "running", 1, false, new(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "admin", null);
        await database.WriteAsync(s => DeploymentsStore.InsertAsync(s, deployment), default);
        var error = await Assert.ThrowsAnyAsync<DbException>(() =>
            database.WriteAsync(s => DeploymentsStore.InsertAsync(s, deployment with { State = "rolling-back" }), default));
        Assert.True(database.IsUniqueViolation(error));

        // Finished deployments do not count.
        await database.WriteAsync(s => DeploymentsStore.InsertAsync(s, deployment with { State = "succeeded" }), default);
        await database.WriteAsync(s => DeploymentsStore.InsertAsync(s, deployment with { Service = "other" }), default);
    }

    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task IsUniqueViolation_OtherFailures_False(string engine)
    {
        await using var store = await TestStore.CreateAsync(engine);
        var database = await store.OpenMigratedAsync();
        var foreignKey = await Assert.ThrowsAnyAsync<DbException>(() => database.WriteAsync(
            s => AgentsStore.ReplaceCertificateAsync(s, "no-such-agent", "thumb", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), default));
        var notNull = await Assert.ThrowsAnyAsync<DbException>(() => database.WriteAsync(
            s => s.ExecuteAsync("INSERT INTO agents (id, name, enrolled_at) VALUES ('a', NULL, 0)"), default));
        var syntax = await Assert.ThrowsAnyAsync<DbException>(() => database.ReadAsync(s => s.ScalarAsync<long>("SELEC 1"), default));

        Assert.False(database.IsUniqueViolation(foreignKey));
        Assert.False(database.IsUniqueViolation(notNull));
        Assert.False(database.IsUniqueViolation(syntax));
        Assert.False(database.IsUniqueViolation(new InvalidOperationException("unique")));
    }

    /// <summary>Two server replicas (two engine instances) on one store: read-then-write transactions never interleave.</summary>
    [Theory]
    [ClassData(typeof(StoreEngines))]
    public async Task Write_TwoInstancesIncrementingOneCounter_NeverLoseAnIncrement(string engine)
    {
        const int PerInstance = 200;
        await using var store = await TestStore.CreateAsync(engine);
        var setup = await store.OpenMigratedAsync();
        await setup.WriteAsync(
            async s =>
            {
                await s.ExecuteAsync("CREATE TABLE counter (n BIGINT NOT NULL)");
                await s.ExecuteAsync("INSERT INTO counter (n) VALUES (0)");
            },
            default);

        static async Task IncrementAsync(IDatabase database)
        {
            for (var i = 0; i < PerInstance; i++)
            {
                await database.WriteAsync(
                    async s =>
                    {
                        var n = await s.ScalarAsync<long>("SELECT n FROM counter");
                        await Task.Yield(); // give the other replica every chance to come in between
                        await s.ExecuteAsync("UPDATE counter SET n = @n", ("@n", n + 1));
                    },
                    default);
            }
        }

        var (a, b) = (store.Open(), store.Open());
        await Task.WhenAll(Task.Run(() => IncrementAsync(a)), Task.Run(() => IncrementAsync(b)));

        Assert.Equal(2 * PerInstance, await setup.ReadAsync(s => s.ScalarAsync<long>("SELECT n FROM counter"), default));
    }

    [Fact]
    public void Migrations_BothEngines_HaveTheSameNumberOfMigrations() =>
        Assert.Equal(SqliteMigrations.All.Count, PostgresMigrations.All.Count);

    [Fact]
    public async Task Migrations_BothEngines_MakeTheSameTablesColumnsAndIndexes()
    {
        await using var sqliteStore = await TestStore.CreateAsync(StoreEngines.Sqlite);
        await using var postgresStore = await TestStore.CreateAsync(StoreEngines.Postgres);
        var sqlite = await (await sqliteStore.OpenMigratedAsync()).ReadAsync(
            async s =>
            {
                var columns = await s.QueryAsync(
                    """
                    SELECT m.name AS t, p.name AS c, p."notnull" AS nn, p.pk AS pk
                    FROM sqlite_master m JOIN pragma_table_info(m.name) p
                    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                    """,
                    r => $"{r.Text("t")}.{r.Text("c")} {(r.Int64("nn") != 0 || r.Int64("pk") != 0 ? "not null" : "null")}");
                var indexes = await s.QueryAsync(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'", r => r.Text("name"));
                return (Columns: columns.Order().ToList(), Indexes: indexes.Order().ToList());
            },
            default);
        var postgres = await (await postgresStore.OpenMigratedAsync()).ReadAsync(
            async s =>
            {
                var columns = await s.QueryAsync(
                    "SELECT table_name AS t, column_name AS c, is_nullable AS n FROM information_schema.columns WHERE table_schema = current_schema()",
                    r => $"{r.Text("t")}.{r.Text("c")} {(r.Text("n") == "YES" ? "null" : "not null")}");
                var indexes = await s.QueryAsync(
                    """
                    SELECT i.indexname AS name FROM pg_indexes i
                    WHERE i.schemaname = current_schema()
                        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
                    """,
                    r => r.Text("name"));
                return (Columns: columns.Order().ToList(), Indexes: indexes.Order().ToList());
            },
            default);

        Assert.Equal(sqlite.Columns, postgres.Columns);
        Assert.Equal(sqlite.Indexes, postgres.Indexes);
    }
}
