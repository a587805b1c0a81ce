using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace Failsafe.IntegrationTests;

/// <summary>
/// A PostgreSQL of the test's own, started with scripts/test-postgres.sh (as ./test.sh does for the suites), so that the
/// test may restart it without disturbing anyone else's. Stopped, and its folder deleted, on dispose.
/// </summary>
internal sealed partial class PrivatePostgres : IAsyncDisposable
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";

    private PrivatePostgres(string connectionString, string directory)
    {
        ConnectionString = connectionString;
        Directory = directory;
    }

    /// <summary>The tests' role (it may create databases) on its own database.</summary>
    public string ConnectionString { get; }

    public string Directory { get; }

    private static string Script => Path.Combine(TestPaths.RepositoryRoot, "scripts", "test-postgres.sh");

    public static async Task<PrivatePostgres> StartAsync()
    {
        var started = await RunAsync("bash", [Script, "start"]);
        var connection = ExportLine().Matches(started).FirstOrDefault(m => m.Groups[1].Value == "FAILSAFE_TEST_POSTGRES")?.Groups[2].Value;
        var directory = ExportLine().Matches(started).FirstOrDefault(m => m.Groups[1].Value == "FAILSAFE_TEST_POSTGRES_DIR")?.Groups[2].Value;
        return connection is not null && directory is not null
            ? new PrivatePostgres(connection, directory)
            : throw new InvalidOperationException("scripts/test-postgres.sh start printed no connection string: " + started);
    }

    /// <summary>pg_ctl restart -m fast: every session is cut, the server is down for a moment, then accepts connections again.</summary>
    public Task RestartAsync() =>
        RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(PgBin, "pg_ctl"), "--pgdata", Path.Combine(Directory, "data"),
            "--log", Path.Combine(Directory, "server.log"), "--mode", "fast", "--wait", "--silent", "restart"]);

    /// <summary>When the server (the postmaster) last started: a restart changes it.</summary>
    public async Task<DateTime> StartedAtAsync()
    {
        // Unpooled: a pooled connection would be one the restart cut.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_postmaster_start_time()", connection);
        return (DateTime)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync() => await RunAsync("bash", [Script, "stop", Directory]);

    private static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
    }

    [GeneratedRegex("^export (\\w+)='([^']*)'$", RegexOptions.Multiline)]
    private static partial Regex ExportLine();
}
