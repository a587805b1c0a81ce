using Failsafe.ControlPlane.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Failsafe.ControlPlane.Storage;

/// <summary>Picks the store engine the options name and brings its schema up to date.</summary>
internal static class Databases
{
    /// <summary>
    /// The PostgreSQL database <see cref="ServerOptions.Store"/> names, or else the SQLite file at <paramref name="sqlitePath"/>,
    /// migrated. Throws <see cref="ServerStartupException"/> (one line, never the password) when it cannot be used.
    /// </summary>
    public static async Task<IDatabase> OpenAsync(ServerOptions options, string sqlitePath, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Store))
        {
            var sqlite = new SqliteDatabase(sqlitePath, options.Time);
            try
            {
                await sqlite.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException e)
            {
                throw new ServerStartupException($"Cannot open the database at {sqlitePath}: {e.Message}", e);
            }

            return sqlite;
        }

        var postgres = new PostgresDatabase(options.Store, options.Time, connectRetryLimit: options.StoreConnectRetryLimit);
        try
        {
            await postgres.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return postgres;
        }
        catch (NpgsqlException e)
        {
            await postgres.DisposeAsync().ConfigureAwait(false);
            var reason = e.InnerException is { } inner && e is not PostgresException ? $"{e.Message}: {inner.Message}" : e.Message;
            throw new ServerStartupException(
                $"Cannot use the PostgreSQL database at {postgres.Location}: {PostgresConnectionString.Scrub(reason, options.Store).ReplaceLineEndings(" ")}");
        }
        catch
        {
            await postgres.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
