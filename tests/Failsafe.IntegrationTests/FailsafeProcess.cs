using System.Diagnostics;

namespace Failsafe.IntegrationTests;

/// <summary>Runs the failsafe CLI as a user would, capturing exit code and output.</summary>
internal static class FailsafeProcess
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    /// <param name="stdin">What the command reads on standard input (closed after it); null: nothing redirected.</param>
    public static async Task<Outcome> RunAsync(
        IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null, string? stdin = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        info.ArgumentList.Add(TestPaths.FailsafeDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The user's saved login must not leak into a test.
        info.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "failsafe-it-noconfig");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A user mistake: exit code 1 and exactly one line on stderr, no stack trace.</summary>
    public static void AssertOneLineError(Outcome outcome, string expectedFragment)
    {
        Assert.Equal(1, outcome.ExitCode);
        var lines = outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expectedFragment, line);
        Assert.DoesNotContain("   at ", outcome.Stderr + outcome.Stdout);
    }
}
