using System.Diagnostics;
using Failsafe.ControlPlane.Storage;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Npgsql;

namespace Failsafe.ControlPlane.Tests;

/// <summary>What only the PostgreSQL engine promises: read-only snapshots, and riding out a server that restarts.</summary>
public sealed class PostgresDatabaseTests : IAsyncLifetime
{
    private PostgresTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await PostgresTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Read_TriesToWrite_IsRefused()
    {
        var database = await MigratedAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => database.ReadAsync(
            s => s.ExecuteAsync("INSERT INTO api_tokens (name, kind, hash, created_at) VALUES ('x', 'admin', 'h', 0)"), default));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, error.SqlState);
    }

    [Fact]
    public async Task Write_WhileAnotherInstanceWrites_WaitsForItsCommit_ReadsDoNot()
    {
        var (a, b) = (await MigratedAsync(), _db.Open());
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var first = a.WriteAsync(
            async s =>
            {
                await TokensStore.AddApiTokenAsync(s, "first", "admin", "h1", DateTimeOffset.UnixEpoch);
                holding.SetResult();
                await release.Task;
            },
            default);
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var secondSaw = -1L;
        var second = b.WriteAsync(async s => secondSaw = await TokensStore.CountApiTokensAsync(s), default);
        Assert.Equal(0, await b.ReadAsync(TokensStore.CountApiTokensAsync, default).WaitAsync(TimeSpan.FromSeconds(10)));
        await Task.Delay(300);
        Assert.False(second.IsCompleted);

        release.SetResult();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, secondSaw);
    }

    [Fact]
    public async Task Begin_PooledConnectionsCutAsByARestart_ReconnectsAndSucceeds()
    {
        await using var forwarder = Forwarder();
        var database = await MigratedAsync(Through(forwarder));
        var noRetry = _db.Open(connectionString: Through(forwarder), connectRetryLimit: TimeSpan.Zero);
        Assert.Equal(0, await noRetry.ReadAsync(TokensStore.CountApiTokensAsync, default));

        forwarder.CutAll();
        Assert.Equal(0, await database.ReadAsync(TokensStore.CountApiTokensAsync, default));
        forwarder.CutAll();
        await database.WriteAsync(s => TokensStore.AddApiTokenAsync(s, "after", "admin", "h", DateTimeOffset.UnixEpoch), default);
        Assert.Equal(1, await _db.Open().ReadAsync(TokensStore.CountApiTokensAsync, default));

        // Without retries the same cut is a failure: the pooled connection really was dead.
        forwarder.CutAll();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => noRetry.ReadAsync(TokensStore.CountApiTokensAsync, default));
    }

    [Fact]
    public async Task Begin_ServerUnreachableForAWhile_WaitsAndSucceeds()
    {
        await MigratedAsync();
        await using var forwarder = Forwarder(listening: false);
        var database = _db.Open(connectionString: Through(forwarder), connectRetryLimit: TimeSpan.FromSeconds(20));

        var write = database.WriteAsync(s => TokensStore.AddApiTokenAsync(s, "late", "admin", "h", DateTimeOffset.UnixEpoch), default);
        await Task.Delay(800);
        Assert.False(write.IsCompleted);
        forwarder.Resume();
        await write.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(1, await database.ReadAsync(TokensStore.CountApiTokensAsync, default));
    }

    [Fact]
    public async Task Begin_ServerUnreachablePastTheLimit_Fails()
    {
        await using var forwarder = Forwarder(listening: false);
        var database = _db.Open(connectionString: Through(forwarder), connectRetryLimit: TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => database.ReadAsync(TokensStore.CountApiTokensAsync, default));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Write_ConnectionCutDuringTheWork_FailsOnce_AndIsNotRetried()
    {
        await using var forwarder = Forwarder();
        var database = await MigratedAsync(Through(forwarder));
        var runs = 0;

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => database.WriteAsync(
            async s =>
            {
                runs++;
                await TokensStore.AddApiTokenAsync(s, "cut", "admin", "h", DateTimeOffset.UnixEpoch);
                forwarder.CutAll();
                await TokensStore.CountApiTokensAsync(s);
            },
            default));

        Assert.Equal(1, runs);
        Assert.Equal(0, await _db.Open().ReadAsync(TokensStore.CountApiTokensAsync, default));
    }

    private static int ServerPort => new NpgsqlConnectionStringBuilder(PostgresTestDatabase.ServerConnectionString).Port;

    private static TcpForwarder Forwarder(bool listening = true) => TcpForwarder.Start(ServerPort, listening);

    private string Through(TcpForwarder forwarder) => new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Port = forwarder.Port }.ConnectionString;

    private async Task<PostgresDatabase> MigratedAsync(string? connectionString = null)
    {
        var database = _db.Open(connectionString: connectionString);
        await database.MigrateAsync(CancellationToken.None);
        return database;
    }
}
