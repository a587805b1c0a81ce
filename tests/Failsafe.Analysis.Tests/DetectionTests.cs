using System.Globalization;
using Failsafe.Analysis.Simulation;
using Failsafe.Contracts;
using Xunit.Abstractions;

namespace Failsafe.Analysis.Tests;

/// <summary>
/// A/B: the canary really regressed. It must be failed in (nearly) every seeded run, within a
/// bounded number of requests, by the test of the metric that regressed, and say so with its numbers.
/// </summary>
public sealed class DetectionTests(ITestOutputHelper output)
{
    private const int Runs = 200;
    private static readonly LatencyModel Model = LatencyModel.Typical();

    public static TheoryData<string, double, double, double, string, int> Regressions => new()
    {
        // name, canary share, canary error rate, canary latency factor, metric that must fail, most requests allowed at p90
        { "errors 1% → 3%, 50% canary", 0.5, 0.03, 1.0, "error-rate", 8_000 },
        { "latency +20%, 50% canary", 0.5, 0.01, 1.2, "latency", 2_000 },
        { "latency +30%, 50% canary", 0.5, 0.01, 1.3, "latency", 1_000 },
        { "latency +20%, 5% canary", 0.05, 0.01, 1.2, "latency", 8_000 },
    };

    [Theory]
    [MemberData(nameof(Regressions))]
    public void Evaluate_RealRegression_FailsInNearlyEveryRunWithinBoundedRequests(
        string name, double canaryShare, double canaryErrorRate, double latencyFactor, string metric, int maxRequestsAtP90)
    {
        var spec = new StreamSpec(100, canaryShare, 0.01, canaryErrorRate, Model, Model.Scaled(latencyFactor));
        var results = AnalysisRun.Many(Runs, seed => AnalysisRun.Run(spec, seed + 20_000, 600, new AnalysisSettings()));

        var caught = results.Where(r => r.FailSecond is not null).ToList();
        var requests = caught.Select(r => r.RequestsAtFail).Order().ToList();
        var p90 = requests.Count == 0 ? long.MaxValue : requests[(int)Math.Ceiling(0.9 * requests.Count) - 1];
        output.WriteLine($"{name}: caught in {caught.Count}/{Runs} runs; requests until fail median {requests.ElementAtOrDefault(requests.Count / 2)}, p90 {p90}, max {requests.LastOrDefault()}");
        output.WriteLine("first run: " + caught.FirstOrDefault()?.FirstFail?.Sentence);

        Assert.True(caught.Count >= 0.99 * Runs, $"{name}: caught in only {caught.Count} of {Runs} runs");
        Assert.True(p90 <= maxRequestsAtP90, $"{name}: 90% of runs needed up to {p90} requests");
        Assert.True(caught.Count(r => r.FailedMetrics.Contains(metric)) >= 0.99 * caught.Count, $"{name}: not failed on {metric}");
        Assert.All(caught, r =>
        {
            var test = r.FirstFail!.Tests.First(t => t.Outcome == VerdictOutcomes.Fail);
            Assert.Contains(test.Sentence.TrimEnd('.'), r.FirstFail.Sentence, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(test.CanarySamples.ToString("N0", CultureInfo.InvariantCulture), test.Sentence);
            if (test.Metric == "error-rate")
            {
                Assert.Contains($"/{test.StableSamples.ToString("N0", CultureInfo.InvariantCulture)})", test.Sentence);
            }
        });
    }

    [Fact]
    public void Evaluate_ThinTraffic_StaysNoDataAndNeverDecides()
    {
        // 2 requests/s with 5% to the canary: about 60 canary requests in ten minutes, under the 100 needed.
        var spec = new StreamSpec(2, 0.05, 0.01, 0.2, Model, Model.Scaled(2));
        var results = AnalysisRun.Many(50, seed => AnalysisRun.Run(spec, seed + 30_000, 600, new AnalysisSettings()));

        Assert.All(results, r =>
        {
            Assert.Null(r.FailSecond);
            Assert.Null(r.PassSecond);
            Assert.Equal(VerdictOutcomes.NoData, r.Last.Outcome);
            Assert.StartsWith("Too little traffic to judge: canary ", r.Last.Sentence);
            Assert.Contains(r.Last.Tests[0].CanarySamples.ToString("N0", CultureInfo.InvariantCulture) + " requests", r.Last.Sentence);
        });
    }
}
