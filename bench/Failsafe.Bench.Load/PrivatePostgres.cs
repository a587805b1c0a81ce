using System.Diagnostics;
using System.Globalization;

namespace Failsafe.Bench.Load;

/// <summary>A throw-away PostgreSQL 15 started by scripts/test-postgres.sh (as the tests do), stopped and deleted on dispose.</summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _script;

    private PrivatePostgres(string script, string connectionString, string directory)
    {
        _script = script;
        ConnectionString = connectionString;
        Directory = directory;
    }

    public string ConnectionString { get; }

    public string Directory { get; }

    /// <summary>The postmaster; its backends are its children.</summary>
    public int? PostmasterId =>
        File.Exists(Path.Combine(Directory, "data", "postmaster.pid"))
            ? int.Parse(File.ReadLines(Path.Combine(Directory, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture)
            : null;

    public static async Task<PrivatePostgres> StartAsync(string root)
    {
        var script = Path.Combine(root, "scripts", "test-postgres.sh");
        var output = await RunAsync(script, "start");
        string Export(string name) =>
            output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith($"export {name}=", StringComparison.Ordinal)) is { } line
                ? line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('\'')
                : throw new InvalidOperationException($"{script} start printed no {name}");
        return new PrivatePostgres(script, Export("FAILSAFE_TEST_POSTGRES"), Export("FAILSAFE_TEST_POSTGRES_DIR"));
    }

    public async ValueTask DisposeAsync() => await RunAsync(_script, "stop", Directory);

    private static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{script} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} failed: {(await error).Trim()}");
    }
}
