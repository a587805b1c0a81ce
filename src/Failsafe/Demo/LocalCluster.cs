using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Cli;
using Failsafe.Client;
using Failsafe.DataPlane;
using Failsafe.Security;

namespace Failsafe.Demo;

/// <summary>
/// A server and N agents on 127.0.0.1, each a real process of the failsafe executable, each agent
/// with its own root standing for its own host. The demo tells its story on one; the integration
/// tests kill and restart its parts. Instead of the one server, it may run several replicas on one
/// PostgreSQL (<see cref="StartReplicasAsync"/>).
/// </summary>
internal sealed partial class LocalCluster : IAsyncDisposable
{
    private readonly Dictionary<string, ChildProcess> _agents = [];
    private readonly Dictionary<string, int> _metricsPorts = [];
    private readonly string _workDirectory;
    private readonly FailsafeExecutable _executable;
    private readonly int _port;
    private ChildProcess? _server;

    private LocalCluster(string workDirectory, FailsafeExecutable executable)
    {
        _workDirectory = workDirectory;
        _executable = executable;
        _port = FreePort();
    }

    public string ServerUrl => $"https://127.0.0.1:{_port}";

    public int? ServerProcessId => _server?.Id;

    public string ServerData => Path.Combine(_workDirectory, "server");

    public string LogDirectory => Path.Combine(_workDirectory, "logs");

    public ConnectionSettings Connection { get; private set; } = null!;

    public IReadOnlyList<string> HostNames => [.. _agents.Keys.Order(StringComparer.Ordinal)];

    public string HostRoot(string host) => Path.Combine(_workDirectory, "hosts", host);

    public string ServiceDirectory(string host, string service) => Path.Combine(HostRoot(host), "services", service);

    public static async Task<LocalCluster> StartServerAsync(string workDirectory, FailsafeExecutable executable, CancellationToken ct)
    {
        var cluster = new LocalCluster(workDirectory, executable);
        try
        {
            await cluster.StartServerAsync(ct).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts (or restarts) the server on the same port and data folder.</summary>
    public async Task StartServerAsync(CancellationToken ct)
    {
        _server = await StartServerProcessAsync(ServerUrl, "server.log", [], ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a server process on <paramref name="url"/> with this cluster's data folder and waits until it answers. The first one
    /// to start makes the CA and the admin token in the data folder; every one after reads them (and sets <see cref="Connection"/>).
    /// </summary>
    private async Task<ChildProcess> StartServerProcessAsync(string url, string logName, IReadOnlyList<string> extraArguments, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null)
    {
        var tokenFile = Path.Combine(ServerData, "admin-token");
        var log = Path.Combine(LogDirectory, logName);
        Directory.CreateDirectory(ServerData);
        var server = _executable.Start(
            ["server", "--data", ServerData, "--urls", url, "--bootstrap-token-file", tokenFile, .. extraArguments], log, environment);
        try
        {
            var caPath = Path.Combine(ServerData, "tls", "ca.crt.pem");
            await WaitAsync(() => Task.FromResult(File.Exists(tokenFile) && File.Exists(caPath) || server.HasExited), TimeSpan.FromSeconds(60), "the server to start", ct).ConfigureAwait(false);
            if (server.HasExited)
            {
                throw new UserException($"The server stopped at start; see {log}.");
            }

            using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(caPath, ct).ConfigureAwait(false));
            Connection = new ConnectionSettings(ServerUrl, (await File.ReadAllTextAsync(tokenFile, ct).ConfigureAwait(false)).Trim(), CertificateFingerprint.Of(ca));
            using var client = new FailsafeClient(Connection with { ServerUrl = url });
            await WaitAsync(async () =>
            {
                try
                {
                    await client.WhoAmIAsync(ct).ConfigureAwait(false);
                    return true;
                }
                catch (UserException)
                {
                    return !server.HasExited ? false : throw new UserException($"The server stopped at start; see {log}.");
                }
            }, TimeSpan.FromSeconds(60), "the server to answer", ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>kill -9 of the server process (its children too).</summary>
    public async Task KillServerAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>host-N listens on 127.0.1.N; any other name on an address derived from it.</summary>
    public static string HostAddress(string name) =>
        name.StartsWith("host-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), out var n) && n is > 0 and < 255
            ? $"127.0.1.{n}"
            : $"127.0.2.{(uint)name.GetHashCode(StringComparison.Ordinal) % 250 + 1}";

    /// <summary>Where an agent serves Prometheus metrics.</summary>
    public string MetricsUrl(string name) => $"http://{HostAddress(name)}:{_metricsPorts[name]}/metrics";

    /// <summary>A port free on every host address: the one the service's proxy listens on.</summary>
    public static int FreePort(string address = "127.0.0.1")
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task StartAgentsAsync(FailsafeClient client, int count, CancellationToken ct)
    {
        var names = Enumerable.Range(1, count).Select(i => $"host-{i}").ToList();
        foreach (var name in names)
        {
            await StartAgentAsync(client, name, ct).ConfigureAwait(false);
        }

        await WaitOnlineAsync(client, names, ct).ConfigureAwait(false);
    }

    /// <summary>Starts an agent; enrolls it with a fresh one-time token unless its root already holds an identity.</summary>
    public async Task StartAgentAsync(FailsafeClient client, string name, CancellationToken ct)
    {
        // Every "host" gets its own loopback address, so each agent's proxy can listen on the same public port, as on real hosts.
        var address = HostAddress(name);
        var metricsPort = _metricsPorts.GetValueOrDefault(name);
        if (metricsPort == 0)
        {
            _metricsPorts[name] = metricsPort = FreePort(address);
        }

        List<string> args =
        [
            "agent", "--server", AgentServerUrl(name), "--root", HostRoot(name), "--name", name,
            "--proxy-address", address, "--metrics", $"{address}:{metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        ];
        if (!File.Exists(Path.Combine(HostRoot(name), "agent", "identity.json")))
        {
            var token = await client.CreateAgentTokenAsync(10, ct).ConfigureAwait(false);
            args.AddRange(["--enroll-token", token.Token]);
        }

        _agents[name] = _executable.Start(args, Path.Combine(LogDirectory, $"{name}.log"));
    }

    /// <summary>kill -9 of the agent process alone: the service instances it supervises keep running, as on a real host.</summary>
    public void KillAgent(string name)
    {
        if (_agents.Remove(name, out var agent))
        {
            agent.KillProcessOnly();
            agent.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public async Task WaitOnlineAsync(FailsafeClient client, IReadOnlyCollection<string> names, CancellationToken ct) =>
        await WaitAsync(async () =>
        {
            var agents = await client.ListAgentsAsync(ct).ConfigureAwait(false);
            return names.All(n => agents.Any(a => a.Name == n && a.Online));
        }, TimeSpan.FromSeconds(60), $"{string.Join(", ", names)} to come online", ct).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        // Agents first: killing an agent's process tree also stops the service instances it started.
        foreach (var agent in _agents.Values)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
        }

        _agents.Clear();
        await KillServerAsync().ConfigureAwait(false);
        await KillReplicasAsync().ConfigureAwait(false);
        StopOrphanInstances();
    }

    /// <summary>Instances outlive a killed agent on purpose; the cluster still must not leave them behind.</summary>
    private void StopOrphanInstances()
    {
        var hosts = Path.Combine(_workDirectory, "hosts");
        if (!Directory.Exists(hosts))
        {
            return;
        }

        foreach (var host in Directory.EnumerateDirectories(hosts))
        {
            AgentHost.StopInstancesAsync(host).GetAwaiter().GetResult();
        }
    }

    internal static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken ct)
    {
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        while (!await condition().ConfigureAwait(false))
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new UserException($"Gave up waiting for {what} after {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }
}
