using System.Globalization;
using Failsafe.Client;

namespace Failsafe.Demo;

/// <summary>
/// Several server replicas on one PostgreSQL and this cluster's one data folder (TLS material and blobs shared through it),
/// each on its own port. Agent host-N talks to replica N % count: an agent has one server URL.
/// </summary>
internal sealed partial class LocalCluster
{
    private readonly Dictionary<int, ChildProcess> _replicas = [];
    private readonly Dictionary<int, int> _replicaPorts = [];
    private ReplicaSettings? _replicaSettings;

    /// <summary>How many replicas the cluster was started with (0 for a single server).</summary>
    public int ReplicaCount => _replicaPorts.Count;

    public string ReplicaUrl(int index) => $"https://127.0.0.1:{_replicaPorts[index].ToString(CultureInfo.InvariantCulture)}";

    public ConnectionSettings ReplicaConnection(int index) => Connection with { ServerUrl = ReplicaUrl(index) };

    public bool IsReplicaRunning(int index) => _replicas.TryGetValue(index, out var replica) && !replica.HasExited;

    public int? ReplicaProcessId(int index) => _replicas.TryGetValue(index, out var replica) ? replica.Id : null;

    /// <summary>
    /// Starts <paramref name="count"/> replicas of the server on the PostgreSQL database <paramref name="store"/>: the first alone
    /// (it makes the CA and the admin token in the shared data folder), then the others. <see cref="Connection"/> names replica 0.
    /// </summary>
    /// <param name="lease">How long a replica holds a deployment it drives (<c>--lease</c>).</param>
    public static async Task<LocalCluster> StartReplicasAsync(
        string workDirectory, FailsafeExecutable executable, string store, int count, TimeSpan lease, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var cluster = new LocalCluster(workDirectory, executable);
        try
        {
            cluster._replicaSettings = new ReplicaSettings(store, lease);
            cluster._replicaPorts[0] = cluster._port;
            for (var i = 1; i < count; i++)
            {
                cluster._replicaPorts[i] = FreePort();
            }

            for (var i = 0; i < count; i++)
            {
                await cluster.StartReplicaAsync(i, ct).ConfigureAwait(false);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts (or restarts) replica <paramref name="index"/> on its port and waits until it answers.</summary>
    public async Task StartReplicaAsync(int index, CancellationToken ct)
    {
        var settings = _replicaSettings ?? throw new InvalidOperationException("This cluster runs no replicas.");
        if (IsReplicaRunning(index))
        {
            throw new InvalidOperationException($"Replica {index} is already running.");
        }

        var lease = settings.Lease.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
        // The connection string holds a password: through the environment, not the process list.
        _replicas[index] = await StartServerProcessAsync(
            ReplicaUrl(index), $"replica-{index}.log", ["--lease", lease], ct,
            new Dictionary<string, string> { ["FAILSAFE_STORE"] = settings.Store }).ConfigureAwait(false);
    }

    /// <summary>kill -9 of one replica.</summary>
    public async Task KillReplicaAsync(int index)
    {
        if (_replicas.Remove(index, out var replica))
        {
            await replica.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task KillReplicasAsync()
    {
        foreach (var index in _replicas.Keys.ToList())
        {
            await KillReplicaAsync(index).ConfigureAwait(false);
        }
    }

    /// <summary>The server an agent dials: the one server, or with replicas replica N % count for host-N.</summary>
    private string AgentServerUrl(string name)
    {
        if (_replicaPorts.Count == 0)
        {
            return ServerUrl;
        }

        var number = name.StartsWith("host-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), out var n)
            ? n
            : (int)((uint)name.GetHashCode(StringComparison.Ordinal) % 1000);
        return ReplicaUrl(number % _replicaPorts.Count);
    }

    private sealed record ReplicaSettings(string Store, TimeSpan Lease);
}
