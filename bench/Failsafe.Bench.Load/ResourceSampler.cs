using System.Diagnostics;

namespace Failsafe.Bench.Load;

/// <summary>Samples each server's RSS every second; takes CPU time at the start and the end of the measured window.</summary>
internal sealed class ResourceSampler(IReadOnlyList<int> servers, int? postgres)
{
    private readonly List<long>[] _rss = [.. servers.Select(_ => new List<long>())];
    private readonly long[] _threads = new long[servers.Count];
    private double[] _cpuStart = [];
    private double _postgresStart;
    private double _selfStart;

    public double[] ServerCpuSeconds { get; private set; } = [];

    public double PostgresCpuSeconds { get; private set; }

    public double BenchCpuSeconds { get; private set; }

    public long[] MeanRss => [.. _rss.Select(r => r.Count == 0 ? 0 : (long)r.Average())];

    public long[] MaxRss => [.. _rss.Select(r => r.Count == 0 ? 0 : r.Max())];

    public long[] MaxThreads => _threads;

    public async Task RunAsync(CancellationToken ct)
    {
        _cpuStart = [.. servers.Select(p => ProcStat.CpuSeconds(p) ?? 0)];
        _postgresStart = postgres is { } pg ? ProcStat.TreeCpuSeconds(pg) : 0;
        _selfStart = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
            {
                for (var i = 0; i < servers.Count; i++)
                {
                    if (ProcStat.RssBytes(servers[i]) is { } rss)
                    {
                        _rss[i].Add(rss);
                    }

                    _threads[i] = Math.Max(_threads[i], ProcStat.Threads(servers[i]) ?? 0);
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
        }

        ServerCpuSeconds = [.. servers.Select((p, i) => (ProcStat.CpuSeconds(p) ?? 0) - _cpuStart[i])];
        PostgresCpuSeconds = postgres is { } id ? ProcStat.TreeCpuSeconds(id) - _postgresStart : 0;
        BenchCpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - _selfStart;
    }
}
