using Failsafe.Analysis.Simulation;
using Failsafe.Contracts;
using Xunit.Abstractions;

namespace Failsafe.Analysis.Tests;

/// <summary>
/// A/A: canary and stable identical (1% errors, the same latency distribution), 100 requests/s for
/// ten simulated minutes, the analysis looking after every second at the cumulative window. A fail
/// is a false alarm; the always-valid tests must keep them at or under α however often they look.
/// </summary>
public sealed class FalseAlarmTests(ITestOutputHelper output)
{
    private const int Runs = 1_000;
    private const int Seconds = 600;

    [Theory]
    [InlineData(0.5, 0.99)]
    [InlineData(0.05, 0.85)]
    public void Evaluate_IdenticalVersionsPeekedEverySecond_FailRateWithinAlphaAndMostPass(double canaryShare, double minPassShare)
    {
        var settings = new AnalysisSettings();
        var model = LatencyModel.Typical();
        var spec = new StreamSpec(100, canaryShare, 0.01, 0.01, model, model);

        var results = AnalysisRun.Many(Runs, seed => AnalysisRun.Run(spec, seed + 10_000, Seconds, settings));

        var failures = results.Where(r => r.FailSecond is not null).ToList();
        var passes = results.Where(r => r.PassSecond is not null).Select(r => r.PassSecond!.Value).Order().ToList();
        var falseAlarmRate = (double)failures.Count / Runs;
        output.WriteLine($"canary share {canaryShare:P0}: {failures.Count} false alarms in {Runs} runs ({falseAlarmRate:P2}, α = {settings.FalseAlarmRate:P0}); " +
            $"{passes.Count} passed, median after {(passes.Count > 0 ? passes[passes.Count / 2] : 0)} s");
        foreach (var failure in failures)
        {
            output.WriteLine($"  at {failure.FailSecond} s: {failure.FirstFail!.Sentence}");
        }

        Assert.True(falseAlarmRate <= settings.FalseAlarmRate, $"false-alarm rate {falseAlarmRate:P2} is above α");
        Assert.True(passes.Count >= minPassShare * Runs, $"only {passes.Count} of {Runs} identical canaries passed within {Seconds} s");
        Assert.All(results, r => Assert.NotEqual(VerdictOutcomes.NoData, r.Last.Outcome));
    }
}
