using Failsafe.ControlPlane.Tests.Infrastructure;

namespace Failsafe.ControlPlane.Tests;

/// <summary>What only the SQLite engine promises.</summary>
public sealed class SqliteStoreTests
{
    [Fact]
    public async Task Migrate_SetsWriteAheadLogging()
    {
        await using var store = await TestStore.CreateAsync(StoreEngines.Sqlite);
        var database = await store.OpenMigratedAsync();
        Assert.Equal("wal", await database.ReadAsync(s => s.ScalarAsync<string>("PRAGMA journal_mode"), default));
    }
}
