using System.Globalization;

namespace Failsafe.Bench.Load;

/// <param name="Agents">Simulated agents, each with its own client certificate.</param>
/// <param name="Seconds">The measured period.</param>
/// <param name="WarmUpSeconds">Agents start polling spread over this time, so their long polls are out of step as in a real fleet.</param>
/// <param name="Cases">"sqlite", "postgres" or both, in that order.</param>
/// <param name="MetricsShare">The share of agents that report one traffic sample every second.</param>
/// <param name="Lanes">Deployments running at once, each of its own service (agent i runs service i % lanes); 0 for none.</param>
/// <param name="DeployHosts">Hosts per deployment.</param>
/// <param name="DeployBatch">Hosts per batch of a deployment.</param>
/// <param name="DeployEverySeconds">A lane starts a deployment this often (later when the previous one is still running).</param>
/// <param name="StepMilliseconds">Simulated work per step of a task; 8 steps, each reported running then succeeded.</param>
/// <param name="EnrollConcurrency">Enrollments in flight at once.</param>
internal sealed record LoadSettings(
    int Agents,
    int Seconds,
    int WarmUpSeconds,
    IReadOnlyList<string> Cases,
    double MetricsShare,
    int Lanes,
    int DeployHosts,
    int DeployBatch,
    int DeployEverySeconds,
    int StepMilliseconds,
    int EnrollConcurrency,
    bool Keep)
{
    public const int PollWaitSeconds = 25;

    public static LoadSettings Parse(string[] args)
    {
        string? Text(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        int Int(string name, int fallback) => Text(name) is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : fallback;

        var which = Text("--case") ?? "both";
        IReadOnlyList<string> cases = which switch
        {
            "sqlite" => ["sqlite"],
            "postgres" => ["postgres"],
            "both" => ["sqlite", "postgres"],
            _ => throw new ArgumentException($"--case is sqlite, postgres or both, not '{which}'."),
        };
        var metricsShare = Text("--metrics-share") is { } share ? double.Parse(share, CultureInfo.InvariantCulture) : 0.10;
        return new LoadSettings(
            Int("--agents", 1000), Int("--seconds", 60), Int("--warmup", PollWaitSeconds), cases, metricsShare,
            Int("--lanes", 2), Int("--deploy-hosts", 50), Int("--deploy-batch", 25), Int("--deploy-every", 10),
            Int("--step-ms", 50), Int("--enroll-concurrency", 16), args.Contains("--keep"));
    }

    /// <summary>The service agent <paramref name="index"/> runs: the one of the lane it belongs to.</summary>
    public string ServiceOf(int index) => $"bench-{index % Math.Max(1, Lanes)}";
}
