using Failsafe.ControlPlane.Storage;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database on the tests' PostgreSQL (<see cref="PostgresScratchDatabase"/>), dropped on dispose, and the
/// engine instances opened on it. Without FAILSAFE_TEST_POSTGRES (./test.sh sets it), tests fail.
/// </summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = PostgresScratchDatabase.Variable;

    private readonly List<PostgresDatabase> _opened = [];
    private readonly PostgresScratchDatabase _scratch;

    private PostgresTestDatabase(PostgresScratchDatabase scratch) => _scratch = scratch;

    public string Name => _scratch.Name;

    /// <summary>Connects to this database as the tests' role.</summary>
    public string ConnectionString => _scratch.ConnectionString;

    /// <summary>The tests' server, role and default database, as FAILSAFE_TEST_POSTGRES gives them.</summary>
    public static string ServerConnectionString => PostgresScratchDatabase.ServerConnectionString;

    public static async Task<PostgresTestDatabase> CreateAsync() => new(await PostgresScratchDatabase.CreateAsync());

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

        await _scratch.DisposeAsync();
    }
}
