using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Failsafe.Bench.Load;

/// <summary>One `failsafe server` as a real process on 127.0.0.1, its output appended to a log file.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private bool _closed;

    private ServerProcess(Process process, StreamWriter log, string url, string logPath)
    {
        _process = process;
        _log = log;
        Url = url;
        LogPath = logPath;
    }

    public string Url { get; }

    public string LogPath { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts the server on a free port with <paramref name="data"/> (shared by replicas) and waits until the CA and the
    /// admin token exist. The caller waits for it to answer (<see cref="AdminApi.WaitReadyAsync"/>).
    /// </summary>
    /// <param name="store">A PostgreSQL connection string, or null for SQLite in the data folder. Passed in the environment: it holds a password.</param>
    public static async Task<ServerProcess> StartAsync(string executable, string data, string logPath, string? store, CancellationToken ct)
    {
        var url = $"https://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["server", "--data", data, "--urls", url, "--bootstrap-token-file", Path.Combine(data, "admin-token")])
        {
            info.ArgumentList.Add(argument);
        }

        if (store is not null)
        {
            info.Environment["FAILSAFE_STORE"] = store;
        }

        Directory.CreateDirectory(data);
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start");
        var server = new ServerProcess(process, log, url, logPath);
        process.OutputDataReceived += (_, e) => server.Write(e.Data);
        process.ErrorDataReceived += (_, e) => server.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(data, "admin-token")) || !File.Exists(Path.Combine(data, "tls", "ca.crt.pem")))
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"The server did not start; see {logPath}.");
            }

            await Task.Delay(100, ct);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        lock (_log)
        {
            _closed = true;
            _log.Dispose();
        }
    }

    private void Write(string? line)
    {
        lock (_log)
        {
            if (line is not null && !_closed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
