using System.Text.Json;
using Failsafe.Analysis.Simulation;
using Failsafe.Contracts;

namespace Failsafe.Analysis.Tests;

public sealed class CanaryAnalysisTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AnalysisSettings Defaults = new();

    [Fact]
    public void Evaluate_TooFewRequestsOnOneSide_IsNoDataSayingHowMany()
    {
        var verdict = CanaryAnalysis.Evaluate(Window(42, 5), Window(1_310, 13), Defaults, At);

        Assert.Equal(VerdictOutcomes.NoData, verdict.Outcome);
        Assert.Equal(At, verdict.At);
        Assert.Equal("Too little traffic to judge: canary 42 requests, stable 1,310; at least 100 needed on each side.", verdict.Sentence);
        Assert.All(verdict.Tests, t => Assert.Equal(VerdictOutcomes.NoData, t.Outcome));
        Assert.All(verdict.Tests, t => Assert.Null(t.Low));
        Assert.Equal((42L, 1_310L), (verdict.Tests[0].CanarySamples, verdict.Tests[0].StableSamples));
    }

    [Fact]
    public void Evaluate_ClearErrorRegression_FailsWithTheNumbersInTheSentence()
    {
        var verdict = CanaryAnalysis.Evaluate(Window(1_512, 47), Window(1_488, 15), Defaults, At);

        Assert.Equal(VerdictOutcomes.Fail, verdict.Outcome);
        var errors = verdict.Tests.Single(t => t.Metric == "error-rate");
        Assert.Equal(VerdictOutcomes.Fail, errors.Outcome);
        Assert.StartsWith("Canary errors 3.1% (47/1,512) vs stable 1.0% (15/1,488): +2.1 points, 99.5% always-valid interval +", errors.Sentence);
        Assert.EndsWith(", above the 1-point minimum effect.", errors.Sentence);
        Assert.True(errors.Low > 0 && errors.High > errors.Low);
        Assert.Equal(47.0 / 1_512, errors.CanaryValue, 12);
        Assert.Equal(0.01, errors.MinimumEffect);
        Assert.Contains("α=0.005", errors.Test);
        Assert.Equal(errors.Sentence, verdict.Sentence);
    }

    [Fact]
    public void Evaluate_SameErrorCountsEarly_HoldsNotPasses()
    {
        var verdict = CanaryAnalysis.Evaluate(Window(300, 3), Window(300, 3), Defaults, At);
        var errors = verdict.Tests.Single(t => t.Metric == "error-rate");
        Assert.Equal(VerdictOutcomes.Hold, errors.Outcome);
        Assert.Contains("too early to tell against the 1-point minimum effect", errors.Sentence);
        Assert.Equal(VerdictOutcomes.Hold, verdict.Outcome);
    }

    [Fact]
    public void Evaluate_TwoCleanVersionsWithEnoughTraffic_Pass()
    {
        // Zero errors must not collapse the interval to a point; with enough requests it passes.
        var verdict = CanaryAnalysis.Evaluate(Window(20_000, 0), Window(20_000, 0), Defaults, At);
        Assert.Equal(VerdictOutcomes.Pass, verdict.Outcome);
        Assert.All(verdict.Tests, t => Assert.Equal(VerdictOutcomes.Pass, t.Outcome));
        Assert.Contains("Canary errors 0.0% (0/20,000) vs stable 0.0% (0/20,000)", verdict.Sentence);
        Assert.Contains("below the 1-point minimum effect", verdict.Sentence);
        Assert.Contains("so it is not 10% slower", verdict.Sentence);
    }

    [Fact]
    public void Evaluate_ZeroErrorsAtTheMinimum_HoldsWithAFiniteInterval()
    {
        var errors = CanaryAnalysis.Evaluate(Window(100, 0), Window(100, 0), Defaults, At).Tests[0];
        Assert.Equal(VerdictOutcomes.Hold, errors.Outcome);
        Assert.True(errors.High > 0.01 && double.IsFinite(errors.High!.Value));
    }

    [Fact]
    public void Evaluate_SmallRealRiseBelowTheMinimumEffect_EventuallyPasses()
    {
        // +0.3 points is real but smaller than the 1-point minimum: with a million requests a side it passes.
        var verdict = CanaryAnalysis.Evaluate(Window(1_000_000, 13_000), Window(1_000_000, 10_000), Defaults, At);
        Assert.Equal(VerdictOutcomes.Pass, verdict.Tests[0].Outcome);
        Assert.True(verdict.Tests[0].Low > 0);
    }

    [Fact]
    public void Evaluate_CanaryThirtyPercentSlower_FailsOnLatencyWithQuantilesInTheSentence()
    {
        var model = LatencyModel.Typical();
        var verdict = CanaryAnalysis.Evaluate(
            Window(3_000, 30, model.Scaled(1.3)), Window(3_000, 30, model), Defaults, At);

        Assert.Equal(VerdictOutcomes.Fail, verdict.Outcome);
        var latency = verdict.Tests.Single(t => t.Metric == "latency");
        Assert.Equal(VerdictOutcomes.Fail, latency.Outcome);
        Assert.Matches(@"^Canary latency p50 5\d ms vs stable 4\d ms \(\+(29|30|31)%\), p99 \d+ ms vs \d+ ms \(\+\d+%\), over 3,000 and 3,000 requests: a canary request is slower than a stable one \d+\.\d% of the time \(99\.5% always-valid interval \d+\.\d+% to \d+\.\d+%\); with its times cut by 10%, a canary request would still be slower \d+\.\d% of the time, so it is slower by at least the 10% minimum effect\.$", latency.Sentence);
        Assert.True(latency.Low > 0);
        Assert.Equal(latency.Sentence, verdict.Sentence);
        Assert.Equal(3_000, latency.CanarySamples);
        Assert.True(latency.CanaryValue > latency.StableValue * 1.2);
    }

    [Fact]
    public void Evaluate_SameLatencyWithLotsOfData_LatencyPasses()
    {
        var model = LatencyModel.Typical();
        var latency = CanaryAnalysis.Evaluate(Window(5_000, 50, model), Window(5_000, 50, model), Defaults, At).Tests[1];
        Assert.Equal(VerdictOutcomes.Pass, latency.Outcome);
        Assert.True(latency.Low < 0 && latency.High > 0);
    }

    [Fact]
    public void Evaluate_CanaryFivePercentSlower_NeverFailsAndPassesWithEnoughData()
    {
        // Slower, confidently, but by less than the 10% minimum effect.
        var model = LatencyModel.Typical();
        var latency = CanaryAnalysis.Evaluate(Window(100_000, 0, model.Scaled(1.05)), Window(100_000, 0, model), Defaults, At).Tests[1];
        Assert.True(latency.Low > 0);
        Assert.Equal(VerdictOutcomes.Pass, latency.Outcome);
    }

    [Fact]
    public void Evaluate_SlightlySlowerWithAHeavierTail_HoldsThenPassesNeverFails()
    {
        // What CI once saw from a freshly started good release: a few percent slower at the median, confidently,
        // and p99 well past +10% on a few slow requests. Under the 10% minimum effect: never a rollback.
        var stable = LatencyModel.Typical();
        var canary = new LatencyModel(stable.MedianMs, stable.Sigma, 0.03, stable.TailMedianMs, stable.TailSigma, 1.06);
        TestInfo Latency(long n) => CanaryAnalysis.Evaluate(Window(n, 0, canary), Window(3 * n, 0, stable), Defaults, At).Tests[1];

        var early = Latency(3_000);
        Assert.True(early.Low > 0, "the canary is slower, with confidence");
        Assert.True(early.CanaryValue >= 1.2 * early.StableValue, $"p99 {early.CanaryValue} vs {early.StableValue}: far past the minimum effect");
        Assert.Equal(VerdictOutcomes.Hold, early.Outcome);
        Assert.Contains("less than the 10% minimum effect so far", early.Sentence);

        Assert.Equal(VerdictOutcomes.Pass, Latency(20_000).Outcome);
        Assert.All(new[] { 500L, 1_000, 2_000, 5_000, 10_000, 40_000 }, n => Assert.NotEqual(VerdictOutcomes.Fail, Latency(n).Outcome));
    }

    [Fact]
    public void Evaluate_AllLatenciesInOneBucket_DoesNotCollapseToCertaintyEarly()
    {
        var same = LatencyHistogram.FromSparse([400], [100]);
        var latency = CanaryAnalysis.Evaluate(
            VersionWindow.FromCounts(100, 0, same), VersionWindow.FromCounts(100, 0, same), Defaults, At).Tests[1];
        Assert.NotEqual(VerdictOutcomes.Fail, latency.Outcome);
        Assert.True(latency.High > 0);
    }

    [Fact]
    public void Evaluate_NoLatencyFromTheSource_RunsTheErrorTestAloneAtFullAlpha()
    {
        var verdict = CanaryAnalysis.Evaluate(
            VersionWindow.FromCounts(1_512, 47, null), VersionWindow.FromCounts(1_488, 15, null), Defaults, At);
        var only = Assert.Single(verdict.Tests);
        Assert.Equal("error-rate", only.Metric);
        Assert.Contains("α=0.01", only.Test);
        Assert.Contains("99% always-valid interval", only.Sentence);
    }

    [Fact]
    public void Evaluate_HoldAndPass_VerdictSaysWhyNotYet()
    {
        var model = LatencyModel.Typical();
        var verdict = CanaryAnalysis.Evaluate(Window(5_000, 70, model), Window(5_000, 50, model), Defaults, At);
        Assert.Equal(VerdictOutcomes.Hold, verdict.Outcome);
        Assert.Equal(VerdictOutcomes.Pass, verdict.Tests[1].Outcome);
        Assert.Equal(verdict.Tests[0].Sentence, verdict.Sentence);
        Assert.Contains("(70/5,000)", verdict.Sentence);
    }

    [Fact]
    public void Evaluate_BothRegressed_OneSentenceWithBoth()
    {
        var model = LatencyModel.Typical();
        var verdict = CanaryAnalysis.Evaluate(Window(3_000, 120, model.Scaled(1.5)), Window(3_000, 30, model), Defaults, At);
        Assert.Equal(VerdictOutcomes.Fail, verdict.Outcome);
        Assert.All(verdict.Tests, t => Assert.Equal(VerdictOutcomes.Fail, t.Outcome));
        Assert.StartsWith("Canary errors 4.0% (120/3,000)", verdict.Sentence);
        Assert.Contains("; canary latency p50", verdict.Sentence);
        Assert.Single(verdict.Sentence.Split(". ", StringSplitOptions.None));
    }

    [Fact]
    public void Evaluate_Verdict_SerialisesToJson()
    {
        var model = LatencyModel.Typical();
        foreach (var (canary, stable) in new[] { (Window(10, 0), Window(10, 0)), (Window(3_000, 90, model.Scaled(1.3)), Window(3_000, 30, model)) })
        {
            var verdict = CanaryAnalysis.Evaluate(canary, stable, Defaults, At);
            var json = JsonSerializer.Serialize(verdict, FailsafeJson.Options);
            var back = JsonSerializer.Deserialize<VerdictInfo>(json, FailsafeJson.Options)!;
            Assert.Equal(verdict.Sentence, back.Sentence);
            Assert.Equal(verdict.Tests.Count, back.Tests.Count);
        }
    }

    [Theory]
    [InlineData(0, 0.01, 0.1, 100)]
    [InlineData(1, 0.01, 0.1, 100)]
    [InlineData(0.01, -0.01, 0.1, 100)]
    [InlineData(0.01, 0.01, double.NaN, 100)]
    [InlineData(0.01, 0.01, 0.1, 0)]
    public void Evaluate_BadSettings_ThrowsArgumentException(double alpha, double minErrors, double minLatency, long minRequests)
    {
        var settings = new AnalysisSettings(alpha, minErrors, minLatency, minRequests);
        Assert.ThrowsAny<ArgumentException>(() => CanaryAnalysis.Evaluate(Window(500, 5), Window(500, 5), settings, At));
    }

    private static VersionWindow Window(long requests, long errors, LatencyModel? latency = null) =>
        VersionWindow.FromCounts(requests, errors, (latency ?? LatencyModel.Typical()).Expected(requests));
}
