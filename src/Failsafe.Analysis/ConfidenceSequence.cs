namespace Failsafe.Analysis;

/// <summary>
/// Robbins' normal-mixture confidence sequence, the interval behind the mixture SPRT of Johari et al.
/// ("Always valid inference", 2015/2022) and Howard et al. (2021). For an estimate whose error is
/// close to a Brownian motion in information time t = 1/variance, the probability that the interval
/// estimate ± HalfWidth ever misses the truth, over all looks at any times, is at most α — whereas a
/// fixed-sample interval checked every 250 ms would miss it almost surely sooner or later.
/// </summary>
internal static class ConfidenceSequence
{
    /// <summary>
    /// Half-width for an estimate of variance <paramref name="variance"/>, with mixing variance
    /// <paramref name="tau"/>² (the interval is tightest around the moment the half-width is near τ).
    /// </summary>
    public static double HalfWidth(double variance, double tau, double alpha)
    {
        if (!(variance > 0))
        {
            return 0;
        }

        var tau2 = tau * tau;
        return Math.Sqrt(variance * (variance + tau2) / tau2 * (Math.Log((variance + tau2) / variance) - (2 * Math.Log(alpha))));
    }
}
