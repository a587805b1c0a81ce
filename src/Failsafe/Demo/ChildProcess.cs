using System.Diagnostics;

namespace Failsafe.Demo;

/// <summary>
/// A role of this same executable (server, agent) run as a real child process, its output
/// appended to a log file. Disposing kills it and everything it started (service instances).
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Task _pump;

    private ChildProcess(Process process, StreamWriter log, Task pump)
    {
        _process = process;
        _log = log;
        _pump = pump;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <param name="environment">Variables set for the child on top of this process's own (secrets stay out of the process list).</param>
    public static ChildProcess Start(FailsafeExecutable executable, IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo
        {
            FileName = executable.FileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var prefix in executable.PrefixArguments)
        {
            info.ArgumentList.Add(prefix);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        var pump = Task.WhenAll(Pump(process.StandardOutput, log), Pump(process.StandardError, log));
        return new ChildProcess(process, log, pump);
    }

    /// <summary>SIGKILL to this process alone; what it started lives on, as after a crash.</summary>
    public void KillProcessOnly()
    {
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        await _log.DisposeAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static async Task Pump(StreamReader reader, StreamWriter log)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }
}

/// <summary>How to start the failsafe executable: the apphost directly, or `dotnet failsafe.dll`.</summary>
internal sealed record FailsafeExecutable(string FileName, IReadOnlyList<string> PrefixArguments)
{
    /// <summary>This very process's executable.</summary>
    public static FailsafeExecutable Self { get; } =
        Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "dotnet") == "dotnet"
            ? new("dotnet", [typeof(FailsafeExecutable).Assembly.Location])
            : new(Environment.ProcessPath!, []);

    public ChildProcess Start(IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string>? environment = null) =>
        ChildProcess.Start(this, arguments, logPath, environment);
}
