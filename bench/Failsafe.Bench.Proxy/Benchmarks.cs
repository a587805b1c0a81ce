namespace Failsafe.Bench.Proxy;

internal static class Benchmarks
{
    public static async Task<int> RunAsync(BenchSettings settings)
    {
        foreach (var tool in new[] { "wrk", "nginx" })
        {
            if (!Shell.Exists(tool))
            {
                Console.Error.WriteLine($"{tool} is missing: apt-get install -y wrk nginx");
                return 2;
            }
        }

        var pin = settings.Pin && Shell.Exists("taskset") && Environment.ProcessorCount >= 2;
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(pin ? "pinned: servers on CPU 0, wrk on CPU 1" : "not pinned")}");
        Console.WriteLine($"Failsafe proxy process: DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS={(settings.Inline ? "1" : "unset")}, DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION=512, workstation GC");
        Console.WriteLine();

        await ProxyCostBenchmark.RunAsync(settings, pin);
        Console.WriteLine();
        return await SwitchBenchmark.RunAsync(settings) ? 0 : 1;
    }

    public static int FreePort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
