using System.Diagnostics;
using System.Net.Sockets;

namespace Failsafe.Bench.Proxy;

/// <summary>A server process of the benchmark (this executable in another role, or nginx), stopped with SIGTERM.</summary>
internal sealed class Child : IAsyncDisposable
{
    private readonly Process _process;

    private Child(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Id => _process.Id;

    /// <summary>Starts this executable with the given role arguments, pinned to CPU 0 when asked.</summary>
    public static Task<Child> StartSelfAsync(int port, string arguments, bool pin, IReadOnlyDictionary<string, string>? environment = null)
    {
        var self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            arguments = $"\"{typeof(Child).Assembly.Location}\" {arguments}";
        }

        return StartAsync(self, arguments, port, pin, environment);
    }

    public static async Task<Child> StartAsync(string file, string arguments, int port, bool pin, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = pin ? new ProcessStartInfo("taskset", $"-c 0 {file} {arguments}") : new ProcessStartInfo(file, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                Console.Error.WriteLine($"  [{Path.GetFileName(file)} {process.Id}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new Child(process, port);
        var clock = Stopwatch.StartNew();
        while (!await ListeningAsync(port))
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                await child.DisposeAsync();
                throw new InvalidOperationException($"{file} {arguments} did not listen on port {port}");
            }

            await Task.Delay(20);
        }

        return child;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (Process.Start("kill", $"-TERM {_process.Id}"))
            {
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private static async Task<bool> ListeningAsync(int port)
    {
        using var socket = new TcpClient();
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
