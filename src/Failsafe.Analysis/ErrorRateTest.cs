using Failsafe.Contracts;
using static Failsafe.Analysis.Wording;

namespace Failsafe.Analysis;

/// <summary>
/// Error rate, canary minus stable, with an always-valid interval (normal mixture). Fails when the
/// interval is above 0 and the observed rise reaches the minimum effect; passes when the whole
/// interval is below the minimum effect.
/// </summary>
internal static class ErrorRateTest
{
    public const string Metric = "error-rate";

    public static TestInfo Evaluate(VersionWindow canary, VersionWindow stable, AnalysisSettings settings, double alpha, Tuning tuning)
    {
        var minimum = settings.MinErrorRateIncrease;
        var name = $"always-valid normal-mixture interval (mSPRT), α={Plain(alpha)}";
        long n1 = canary.Requests, x1 = canary.Errors, n2 = stable.Requests, x2 = stable.Errors;
        double p1 = canary.ErrorRate, p2 = stable.ErrorRate;
        if (n1 < settings.MinRequests || n2 < settings.MinRequests)
        {
            return new TestInfo(
                Metric, name, VerdictOutcomes.NoData, n1, n2, p1, p2, null, null, minimum,
                $"Canary {Count(n1)} requests, stable {Count(n2)}: at least {Count(settings.MinRequests)} needed on each side to judge errors.");
        }

        var difference = p1 - p2;
        var halfWidth = ConfidenceSequence.HalfWidth(Variance(n1, x1, n2, x2), Math.Max(minimum, 1e-4) * tuning.ErrorTauPerMinEffect, alpha);
        var low = difference - halfWidth;
        var high = difference + halfWidth;

        string outcome, reason;
        var effect = $"the {Plain(minimum * 100)}-point minimum effect";
        if (high < minimum)
        {
            (outcome, reason) = (VerdictOutcomes.Pass, $"below {effect}");
        }
        else if (low > 0 && difference >= minimum - 1e-12)
        {
            (outcome, reason) = (VerdictOutcomes.Fail, $"above {effect}");
        }
        else if (low > 0)
        {
            (outcome, reason) = (VerdictOutcomes.Hold, $"higher than stable, but not yet by {effect}");
        }
        else
        {
            (outcome, reason) = (VerdictOutcomes.Hold, $"too early to tell against {effect}");
        }

        var sentence =
            $"Canary errors {Percent(p1)} ({Count(x1)}/{Count(n1)}) vs stable {Percent(p2)} ({Count(x2)}/{Count(n2)}): " +
            $"{Points(difference)} points, {Level(alpha)} always-valid interval {Points(low, low > 0 ? 0 : minimum)} to {Points(high, high < minimum ? minimum : 0)}, {reason}.";
        return new TestInfo(Metric, name, outcome, n1, n2, p1, p2, low, high, minimum, sentence);
    }

    /// <summary>
    /// The larger of the unpooled and the pooled variance of the difference, each with one added
    /// error and one added success per side (Agresti–Caffo), so zero errors still has a variance and
    /// a side whose errors happen to run low does not make the interval too narrow.
    /// </summary>
    internal static double Variance(long n1, long x1, long n2, long x2)
    {
        var q1 = (x1 + 1.0) / (n1 + 2.0);
        var q2 = (x2 + 1.0) / (n2 + 2.0);
        var unpooled = (q1 * (1 - q1) / n1) + (q2 * (1 - q2) / n2);
        var q = (x1 + x2 + 1.0) / (n1 + n2 + 2.0);
        var pooled = q * (1 - q) * ((1.0 / n1) + (1.0 / n2));
        return Math.Max(unpooled, pooled);
    }
}
