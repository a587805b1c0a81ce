using Failsafe.Contracts;
using static Failsafe.Analysis.Wording;

namespace Failsafe.Analysis;

/// <summary>
/// Compares a canary with the stable version over the same window. Meant to be called again and
/// again (every 250 ms) on windows that only grow: every test is an always-valid sequential test, so
/// looking often does not raise the false-alarm rate. The overall verdict fails if any test fails,
/// passes only if all pass, is no-data while either side has too little traffic, and holds otherwise.
/// α is split evenly between the tests, so a canary as good as stable is failed with probability at
/// most <see cref="AnalysisSettings.FalseAlarmRate"/> over the whole window, however often it is looked at.
/// </summary>
public static class CanaryAnalysis
{
    public static VerdictInfo Evaluate(VersionWindow canary, VersionWindow stable, AnalysisSettings settings, DateTimeOffset at) =>
        Evaluate(canary, stable, settings, at, Tuning.Default);

    internal static VerdictInfo Evaluate(VersionWindow canary, VersionWindow stable, AnalysisSettings settings, DateTimeOffset at, Tuning tuning)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(stable);
        ArgumentNullException.ThrowIfNull(settings);
        Validate(settings);

        var withLatency = canary.HasLatency && stable.HasLatency;
        var alpha = settings.FalseAlarmRate / (withLatency ? 2 : 1);
        var tests = new List<TestInfo>(2) { ErrorRateTest.Evaluate(canary, stable, settings, alpha, tuning) };
        if (withLatency)
        {
            tests.Add(LatencyTest.Evaluate(canary, stable, settings, alpha, tuning));
        }

        return Combine(tests, canary, stable, settings, at);
    }

    private static VerdictInfo Combine(List<TestInfo> tests, VersionWindow canary, VersionWindow stable, AnalysisSettings settings, DateTimeOffset at)
    {
        IEnumerable<string> SentencesOf(string outcome) => tests.Where(t => t.Outcome == outcome).Select(t => t.Sentence);

        if (tests.Any(t => t.Outcome == VerdictOutcomes.Fail))
        {
            return new VerdictInfo(VerdictOutcomes.Fail, Join(SentencesOf(VerdictOutcomes.Fail)), at, tests);
        }

        if (tests.All(t => t.Outcome == VerdictOutcomes.Pass))
        {
            return new VerdictInfo(VerdictOutcomes.Pass, Join(SentencesOf(VerdictOutcomes.Pass)), at, tests);
        }

        if (tests.Any(t => t.Outcome == VerdictOutcomes.NoData))
        {
            var sentence = canary.Requests < settings.MinRequests || stable.Requests < settings.MinRequests
                ? $"Too little traffic to judge: canary {Count(canary.Requests)} requests, stable {Count(stable.Requests)}; at least {Count(settings.MinRequests)} needed on each side."
                : Join(SentencesOf(VerdictOutcomes.NoData));
            return new VerdictInfo(VerdictOutcomes.NoData, sentence, at, tests);
        }

        return new VerdictInfo(VerdictOutcomes.Hold, Join(SentencesOf(VerdictOutcomes.Hold)), at, tests);
    }

    private static void Validate(AnalysisSettings settings)
    {
        if (!(settings.FalseAlarmRate > 0 && settings.FalseAlarmRate < 1))
        {
            throw new ArgumentException($"The false-alarm rate must be between 0 and 1 (exclusive), not {Plain(settings.FalseAlarmRate)}.", nameof(settings));
        }

        if (!(settings.MinErrorRateIncrease >= 0 && settings.MinErrorRateIncrease < 1))
        {
            throw new ArgumentException($"The minimum error-rate increase must be a fraction from 0 to 1, not {Plain(settings.MinErrorRateIncrease)}.", nameof(settings));
        }

        if (!(settings.MinLatencyIncrease >= 0 && double.IsFinite(settings.MinLatencyIncrease)))
        {
            throw new ArgumentException($"The minimum latency increase must be 0 or more, not {Plain(settings.MinLatencyIncrease)}.", nameof(settings));
        }

        if (settings.MinRequests < 1)
        {
            throw new ArgumentException($"The minimum number of requests must be at least 1, not {settings.MinRequests}.", nameof(settings));
        }
    }
}
