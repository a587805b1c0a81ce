using Failsafe.ControlPlane.Storage;
using Npgsql;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database on the tests' PostgreSQL, dropped on dispose. The server comes from FAILSAFE_TEST_POSTGRES,
/// which ./test.sh sets (it starts a private PostgreSQL with scripts/test-postgres.sh); without it, tests fail.
/// </summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "FAILSAFE_TEST_POSTGRES";

    private readonly List<PostgresDatabase> _opened = [];

    private PostgresTestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    /// <summary>Connects to this database as the tests' role.</summary>
    public string ConnectionString { get; }

    /// <summary>The tests' server, role and default database, as FAILSAFE_TEST_POSTGRES gives them.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, and these tests need a PostgreSQL: run ./test.sh, or start one with "
                + "'eval \"$(scripts/test-postgres.sh start)\"' (as root) and run the tests from that shell.");

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var server = ServerConnectionString;
        var name = $"failsafe_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new PostgresTestDatabase(name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString);
    }

    /// <summary>A new engine instance on this database (each call another "replica"), disposed with it.</summary>
    public PostgresDatabase Open(IReadOnlyList<string>? migrations = null, string? connectionString = null, TimeSpan? connectRetryLimit = null)
    {
        var database = new PostgresDatabase(connectionString ?? ConnectionString, TimeProvider.System, migrations, connectRetryLimit);
        lock (_opened)
        {
            _opened.Add(database);
        }

        return database;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
