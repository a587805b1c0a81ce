using Npgsql;

namespace Failsafe.Tests.Common;

/// <summary>
/// A fresh, empty database on the tests' PostgreSQL, dropped (WITH FORCE) on dispose. The server comes from
/// FAILSAFE_TEST_POSTGRES, which ./test.sh sets (it starts a private PostgreSQL with scripts/test-postgres.sh);
/// without it, tests that need one fail with a message saying so.
/// </summary>
public sealed class PostgresScratchDatabase : IAsyncDisposable
{
    public const string Variable = "FAILSAFE_TEST_POSTGRES";

    private readonly string _server;

    private PostgresScratchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
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

    /// <param name="server">A role that may create databases; FAILSAFE_TEST_POSTGRES when null.</param>
    public static async Task<PostgresScratchDatabase> CreateAsync(string? server = null)
    {
        server ??= ServerConnectionString;
        var name = $"failsafe_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new PostgresScratchDatabase(server, name);
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
