using System.Data;
using Failsafe.ControlPlane.Hosting;
using Npgsql;

namespace Failsafe.ControlPlane.Storage;

/// <summary>
/// PostgreSQL, for one or several server replicas on one database. Writers are serialised across every process
/// by a transaction-scoped advisory lock taken first in each write transaction, so the stores' read-then-write
/// decisions keep the meaning they have under SQLite's BEGIN IMMEDIATE; readers get a read-only snapshot.
/// </summary>
internal sealed class PostgresDatabase : IDatabase, IAsyncDisposable, IDisposable
{
    /// <summary>The one advisory lock key of the write lock ("FAILSAFE" in ASCII); any other use of advisory locks must pick another.</summary>
    public const long WriteLockKey = 0x4641_494C_5341_4645;

    public static readonly TimeSpan DefaultConnectRetryLimit = TimeSpan.FromSeconds(30);

    private const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<string> _migrations;
    private readonly TimeSpan _connectRetryLimit;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <param name="connectRetryLimit">How long to keep trying to open a connection and begin a transaction while the server cannot be reached.</param>
    /// <exception cref="ServerStartupException">The connection string is not valid (the message never holds its password).</exception>
    public PostgresDatabase(string connectionString, TimeProvider time, IReadOnlyList<string>? migrations = null, TimeSpan? connectRetryLimit = null)
    {
        _time = time;
        _migrations = migrations ?? PostgresMigrations.All;
        _connectRetryLimit = connectRetryLimit ?? DefaultConnectRetryLimit;
        try
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConnectionStringBuilder.ApplicationName ??= "failsafe";
            Location = PostgresConnectionString.Describe(builder.ConnectionStringBuilder);
            _dataSource = builder.Build();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            // No inner exception: it may quote the string, password included.
            throw new ServerStartupException(
                $"The PostgreSQL connection string is not valid ({OneLine(PostgresConnectionString.Scrub(e.Message, connectionString))}); "
                + "give one such as \"Host=db.example;Database=failsafe;Username=failsafe;Password=…\".");
        }
    }

    public string Location { get; }

    public Task MigrateAsync(CancellationToken cancellationToken) =>
        SchemaMigrator.MigrateAsync(this, _migrations, CreateVersionTable, _time, cancellationToken);

    public async Task<T> ReadAsync<T>(Func<DbSession, Task<T>> work, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await BeginAsync(write: false, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        await using (transaction.ConfigureAwait(false))
        {
            var result = await work(new DbSession(connection, transaction, cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    public async Task<T> WriteAsync<T>(Func<DbSession, Task<T>> work, CancellationToken cancellationToken)
    {
        // Writers of this process queue here, before taking a connection. Queued on the advisory lock instead, each held a
        // pooled connection: a few hundred writes a second took the whole pool, and reads (every request's authentication,
        // every poll) waited behind them (bench/Failsafe.Bench.Load). Only one write at a time can hold the lock anyway.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (connection, transaction) = await BeginAsync(write: true, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            await using (transaction.ConfigureAwait(false))
            {
                // From here on nothing is retried: once the work has run, a failure may come after the commit.
                var result = await work(new DbSession(connection, transaction, cancellationToken)).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>For a container disposed synchronously (it refuses a singleton that is only <see cref="IAsyncDisposable"/>).</summary>
    public void Dispose() => _dataSource.Dispose();

    /// <summary>
    /// Opens a connection and begins the transaction, up to the point where the work would start. Until then nothing
    /// has been written, so a connection that fails (the server restarting, pooled connections to the server that
    /// went away) is retried with backoff for up to the retry limit.
    /// </summary>
    private async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> BeginAsync(bool write, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var delay = FirstRetryDelay;
        while (true)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

                // Writes: READ COMMITTED, so that each statement's snapshot is taken after the lock is held and sees every
                // write committed before it (REPEATABLE READ would take its snapshot at the lock statement, before the wait).
                var transaction = await connection.BeginTransactionAsync(
                    write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    write ? "SELECT pg_advisory_xact_lock(@key)" : "SET TRANSACTION READ ONLY", connection, transaction);
                if (write)
                {
                    command.Parameters.AddWithValue("key", WriteLockKey);
                }

                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return (connection, transaction);
            }
            catch (Exception e)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }

                if (!IsConnectionFailure(e) || cancellationToken.IsCancellationRequested
                    || _time.GetElapsedTime(started) + delay > _connectRetryLimit)
                {
                    throw;
                }
            }

            // The idle connections in the pool went to the same server: after a restart they are all dead.
            _dataSource.Clear();
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryDelay.Ticks));
        }
    }

    /// <summary>The server cannot be reached, is starting or is shutting down; not a problem with the work itself.</summary>
    private static bool IsConnectionFailure(Exception exception) => exception switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal)
            || p.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.TooManyConnections,
        NpgsqlException n => n.IsTransient,
        _ => false,
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
