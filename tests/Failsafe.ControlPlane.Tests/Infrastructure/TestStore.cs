using Failsafe.ControlPlane.Storage;
using Failsafe.Tests.Common;
using Microsoft.Data.Sqlite;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>The store engines every store test runs against, as theory data: <c>[Theory, ClassData(typeof(StoreEngines))]</c>.</summary>
public sealed class StoreEngines : TheoryData<string>
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public StoreEngines()
    {
        Add(Sqlite);
        Add(Postgres);
    }
}

/// <summary>An empty store of one engine, owned by one test: a SQLite file in a temp folder, or a fresh PostgreSQL database.</summary>
internal abstract class TestStore : IAsyncDisposable
{
    /// <summary>The engine's own migration list.</summary>
    public abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>Where the store is, as the engine words it in messages.</summary>
    public abstract string Location { get; }

    public static async Task<TestStore> CreateAsync(string engine) => engine switch
    {
        StoreEngines.Sqlite => new SqliteTestStore(),
        StoreEngines.Postgres => new PostgresTestStore(await PostgresTestDatabase.CreateAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "no such engine"),
    };

    /// <summary>A new engine instance on this store; several calls give several "replicas" of one store.</summary>
    public abstract IDatabase Open(IReadOnlyList<string>? migrations = null);

    public async Task<IDatabase> OpenMigratedAsync()
    {
        var database = Open();
        await database.MigrateAsync(CancellationToken.None);
        return database;
    }

    public abstract ValueTask DisposeAsync();

    private sealed class SqliteTestStore : TestStore
    {
        private readonly TempDirectory _data = new("fs-store");

        public override IReadOnlyList<string> Migrations => SqliteMigrations.All;

        public override string Location => _data.Combine("failsafe.db");

        public override IDatabase Open(IReadOnlyList<string>? migrations = null) => new SqliteDatabase(Location, TimeProvider.System, migrations);

        public override ValueTask DisposeAsync()
        {
            SqliteConnection.ClearAllPools();
            _data.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostgresTestStore(PostgresTestDatabase database) : TestStore
    {
        public override IReadOnlyList<string> Migrations => PostgresMigrations.All;

        public override string Location => ((PostgresDatabase)Open()).Location;

        public override IDatabase Open(IReadOnlyList<string>? migrations = null) => database.Open(migrations);

        public override ValueTask DisposeAsync() => database.DisposeAsync();
    }
}
