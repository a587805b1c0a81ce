using Failsafe.Contracts;
using static Failsafe.Analysis.Wording;

namespace Failsafe.Analysis;

/// <summary>
/// Latency distributions compared through θ = P(a canary request is slower than a stable one), with
/// an always-valid interval (normal mixture over the Mann–Whitney estimate). With the canary's times
/// divided by (1 + minimum), θ becomes θ′. Passes when θ′ is confidently below ½: the canary is not
/// slower by the minimum effect. Fails when θ is confidently above ½ and θ′ is still at or above ½:
/// the canary is slower, and by at least the minimum effect across the whole distribution.
/// p50 and p99 are reported, never decisive: a few hundred requests put p99 on a handful of them,
/// and a fresh process's slightly slower start once failed a good release that way (CI, 2026-12).
/// </summary>
internal static class LatencyTest
{
    public const string Metric = "latency";

    public static TestInfo Evaluate(VersionWindow canary, VersionWindow stable, AnalysisSettings settings, double alpha, Tuning tuning)
    {
        var minimum = settings.MinLatencyIncrease;
        var name = $"always-valid Mann-Whitney (normal mixture), α={Plain(alpha)}";
        var (c, s) = (canary.Latency, stable.Latency);
        var c99 = c.QuantileMilliseconds(0.99);
        var s99 = s.QuantileMilliseconds(0.99);
        if (c.Count < settings.MinRequests || s.Count < settings.MinRequests)
        {
            return new TestInfo(
                Metric, name, VerdictOutcomes.NoData, c.Count, s.Count, c99, s99, null, null, minimum,
                $"Canary {Count(c.Count)} latency samples, stable {Count(s.Count)}: at least {Count(settings.MinRequests)} needed on each side to judge latency.");
        }

        var c50 = c.QuantileMilliseconds(0.5);
        var s50 = s.QuantileMilliseconds(0.5);
        using var canaryRanks = new MannWhitney.Ranks(c);
        using var stableRanks = new MannWhitney.Ranks(s);
        var (theta, variance) = MannWhitney.Compare(canaryRanks, stableRanks, 1);
        var halfWidth = ConfidenceSequence.HalfWidth(variance, tuning.LatencyTau, alpha);
        var (low, high) = (Math.Max(0, theta - halfWidth), Math.Min(1, theta + halfWidth));
        var (thetaShifted, varianceShifted) = MannWhitney.Compare(canaryRanks, stableRanks, 1 + minimum);
        var highShifted = thetaShifted + ConfidenceSequence.HalfWidth(varianceShifted, tuning.LatencyTau, alpha);

        var effect = $"the {Plain(minimum * 100)}% minimum effect";
        var cut = $"with its times cut by {Plain(minimum * 100)}%, a canary request would";
        var slower = $"a canary request is slower than a stable one {Percent(theta)} of the time ({Level(alpha)} always-valid interval {Percent(low, 0.5)} to {Percent(high, 0.5)})";
        string outcome, reason;
        if (highShifted < 0.5)
        {
            outcome = VerdictOutcomes.Pass;
            reason = $"{cut} be slower at most {Percent(highShifted, 0.5)} of the time ({Level(alpha)} always-valid bound), so it is not {Plain(minimum * 100)}% slower";
        }
        else if (low > 0.5 && thetaShifted >= 0.5)
        {
            outcome = VerdictOutcomes.Fail;
            reason = $"{slower}; {cut} still be slower {Percent(thetaShifted)} of the time, so it is slower by at least {effect}";
        }
        else if (low > 0.5)
        {
            outcome = VerdictOutcomes.Hold;
            reason = $"{slower}, but {cut} be slower only {Percent(thetaShifted)} of the time: less than {effect} so far";
        }
        else
        {
            outcome = VerdictOutcomes.Hold;
            reason = $"{slower}, too early to tell against {effect}";
        }

        var sentence =
            $"Canary latency p50 {Milliseconds(c50)} vs stable {Milliseconds(s50)} ({Change(c50 / s50)}), " +
            $"p99 {Milliseconds(c99)} vs {Milliseconds(s99)} ({Change(c99 / s99)}), over {Count(c.Count)} and {Count(s.Count)} requests: {reason}.";
        return new TestInfo(Metric, name, outcome, c.Count, s.Count, c99, s99, low - 0.5, high - 0.5, minimum, sentence);
    }
}
