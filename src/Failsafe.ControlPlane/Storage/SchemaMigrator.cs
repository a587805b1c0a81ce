using Failsafe.ControlPlane.Hosting;

namespace Failsafe.ControlPlane.Storage;

/// <summary>Applies numbered migrations through an engine's own write transaction, the same way on every engine.</summary>
internal static class SchemaMigrator
{
    /// <param name="createVersionTable">The engine's <c>CREATE TABLE IF NOT EXISTS schema_version (version, applied_at)</c>.</param>
    public static Task MigrateAsync(
        IDatabase database, IReadOnlyList<string> migrations, string createVersionTable, TimeProvider time, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async session =>
            {
                await session.ExecuteAsync(createVersionTable).ConfigureAwait(false);
                var current = await session.ScalarAsync<long?>("SELECT MAX(version) FROM schema_version").ConfigureAwait(false) ?? 0;
                if (current > migrations.Count)
                {
                    throw new ServerStartupException(
                        $"The database at {database.Location} has schema version {current}; this failsafe knows up to {migrations.Count}. Upgrade failsafe.");
                }

                for (var version = (int)current + 1; version <= migrations.Count; version++)
                {
                    await session.ExecuteAsync(migrations[version - 1]).ConfigureAwait(false);
                    await session.ExecuteAsync(
                        "INSERT INTO schema_version (version, applied_at) VALUES (@v, @at)",
                        ("@v", version), ("@at", time.GetUtcNow())).ConfigureAwait(false);
                }
            },
            cancellationToken);
}
