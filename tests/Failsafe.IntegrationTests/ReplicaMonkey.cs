using System.Diagnostics;
using Failsafe.Demo;

namespace Failsafe.IntegrationTests;

/// <summary>
/// kill -9 of a random replica (not the one killed last) every few seconds, restarted on its port 1–2 s later. One kill at
/// a time: the next comes only once the last one answers again, so never are all replicas down at once.
/// </summary>
internal sealed class ReplicaMonkey
{
    private readonly LocalCluster _cluster;
    private readonly Random _random;
    private readonly Stopwatch _clock;
    private readonly Action<string> _log;
    private readonly List<Kill> _kills = [];
    private int? _last;

    public ReplicaMonkey(LocalCluster cluster, Random random, Stopwatch clock, Action<string> log)
    {
        _cluster = cluster;
        _random = random;
        _clock = clock;
        _log = log;
    }

    /// <param name="Down">From the kill until the restarted replica answered again.</param>
    public sealed record Kill(int Replica, TimeSpan At, int ProcessId, TimeSpan Down);

    public IReadOnlyList<Kill> Kills
    {
        get
        {
            lock (_kills)
            {
                return [.. _kills];
            }
        }
    }

    /// <summary>Kills until <paramref name="stop"/> fires; the replica down then is restarted before this returns.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_random.Next(1500, 4000), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Never the same one twice in a row: an agent talks to one replica, and one killed again and again would only
            // measure how far that agent's retry backoff has grown.
            var replica = _last is { } last ? (last + 1 + _random.Next(_cluster.ReplicaCount - 1)) % _cluster.ReplicaCount : _random.Next(_cluster.ReplicaCount);
            _last = replica;
            var pid = _cluster.ReplicaProcessId(replica) ?? 0;
            var at = _clock.Elapsed;
            await _cluster.KillReplicaAsync(replica);
            _log($"kill -9 replica {replica} (pid {pid})");
            await Task.Delay(_random.Next(1000, 2000), CancellationToken.None);
            await _cluster.StartReplicaAsync(replica, CancellationToken.None);
            var down = _clock.Elapsed - at;
            _log($"replica {replica} answers again (pid {_cluster.ReplicaProcessId(replica)}), down {down.TotalSeconds:0.0} s");
            lock (_kills)
            {
                _kills.Add(new Kill(replica, at, pid, down));
            }
        }
    }

    public static string At(TimeSpan t) => $"[{t.TotalSeconds,6:0.0} s]";
}
