using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Failsafe.Tests.Common;

/// <summary>
/// A real Prometheus (/usr/bin/prometheus, the Debian package) on a free 127.0.0.1 port with a temporary config
/// and TSDB, scraping the given targets every second. Dispose kills it and deletes its files.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly TempDirectory _directory;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PrometheusServer(TempDirectory directory, Process process, string url)
    {
        _directory = directory;
        _process = process;
        Url = url;
        Client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
    }

    public string Url { get; }

    /// <summary>Talks to the API directly, not through the code under test.</summary>
    public HttpClient Client { get; }

    /// <summary>What Prometheus printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<PrometheusServer> StartAsync(params string[] targets)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: these tests run a real Prometheus. Install it with: apt-get install -y prometheus");
        }

        // A port found free can be taken before Prometheus binds it; try another then.
        for (var attempt = 1; ; attempt++)
        {
            var directory = new TempDirectory("failsafe-prometheus");
            PrometheusServer? server = null;
            try
            {
                server = Launch(directory, FreePort(), targets);
                await server.WaitReadyAsync();
                return server;
            }
            catch (Exception) when (attempt < 3 && server is { _process.HasExited: true })
            {
                await server.DisposeAsync();
            }
            catch
            {
                if (server is null)
                {
                    directory.Dispose();
                }
                else
                {
                    await server.DisposeAsync();
                }

                throw;
            }
        }
    }

    /// <summary>An instant query's series as (labels, value).</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await Client.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{promql}: HTTP {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        var result = data.GetProperty("result");
        if (data.GetProperty("resultType").GetString() == "scalar")
        {
            return [([], Value(result))];
        }

        return [.. result.EnumerateArray().Select(s => (
            s.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            Value(s.GetProperty("value"))))];

        static double Value(JsonElement pair) => double.Parse(pair[1].GetString()!, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _process.Dispose();
            _directory.Dispose();
        }
    }

    private static PrometheusServer Launch(TempDirectory directory, int port, string[] targets)
    {
        // scrape_timeout must not exceed the interval; the default (10 s) would make the config invalid.
        var config = directory.WriteFile("prometheus.yml", $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: failsafe-agents
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
            """);
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add($"--config.file={config}");
        start.ArgumentList.Add($"--storage.tsdb.path={directory.Combine("data")}");
        start.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        start.ArgumentList.Add("--log.level=warn");
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Binary} did not start.");
        var server = new PrometheusServer(directory, process, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Prometheus exited with code {_process.ExitCode}: {Output}");
            }

            try
            {
                using var ready = await Client.GetAsync("/-/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Prometheus was not ready within 20 s: {Output}");
            }

            await Task.Delay(50);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
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
