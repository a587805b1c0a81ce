using Failsafe.Contracts;

namespace Failsafe.Analysis.Simulation;

/// <summary>What happened in one simulated canary analysis.</summary>
/// <param name="FailSecond">The first second whose verdict was fail, or null.</param>
/// <param name="PassSecond">The first second whose verdict was pass, or null.</param>
internal sealed record RunResult(
    int? FailSecond,
    long RequestsAtFail,
    long CanaryRequestsAtFail,
    IReadOnlyList<string> FailedMetrics,
    int? PassSecond,
    VerdictInfo? FirstFail,
    VerdictInfo Last);

/// <summary>
/// Streams traffic into cumulative windows and evaluates the analysis after every simulated second,
/// as the server does (it looks even more often; the tests are valid under any number of looks).
/// </summary>
internal static class AnalysisRun
{
    public static RunResult Run(
        StreamSpec spec,
        ulong seed,
        int seconds,
        AnalysisSettings settings,
        Tuning? tuning = null,
        bool stopAtFail = true,
        Action<int, TrafficSample, TrafficSample>? onSecond = null)
    {
        var stream = new TrafficStream(spec, seed);
        var canary = new VersionWindow();
        var stable = new VersionWindow();
        int? failSecond = null, passSecond = null;
        long requestsAtFail = 0, canaryAtFail = 0;
        VerdictInfo? firstFail = null, last = null;
        for (var s = 1; s <= seconds; s++)
        {
            var (c, st) = stream.NextSecond();
            onSecond?.Invoke(s, c, st);
            if (failSecond is not null && stopAtFail)
            {
                // Only the observer still wants the stream.
                continue;
            }

            canary.Add(c);
            stable.Add(st);
            last = CanaryAnalysis.Evaluate(canary, stable, settings, c.End, tuning ?? Tuning.Default);
            if (last.Outcome == VerdictOutcomes.Fail && failSecond is null)
            {
                (failSecond, firstFail) = (s, last);
                (requestsAtFail, canaryAtFail) = (canary.Requests + stable.Requests, canary.Requests);
                if (stopAtFail && onSecond is null)
                {
                    break;
                }
            }

            if (last.Outcome == VerdictOutcomes.Pass && passSecond is null)
            {
                passSecond = s;
            }
        }

        var failed = firstFail?.Tests.Where(t => t.Outcome == VerdictOutcomes.Fail).Select(t => t.Metric).ToList() ?? [];
        return new RunResult(failSecond, requestsAtFail, canaryAtFail, failed, passSecond, firstFail, last!);
    }

    /// <summary>Runs seeds 1..runs on all cores; results in seed order.</summary>
    public static RunResult[] Many(int runs, Func<ulong, RunResult> run)
    {
        var results = new RunResult[runs];
        Parallel.For(0, runs, i => results[i] = run((ulong)i + 1));
        return results;
    }
}
