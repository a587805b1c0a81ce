namespace Failsafe.Analysis;

/// <summary>
/// Constants of the tests that are not user settings. The mixing scales only decide when each
/// interval is tightest, never the false-alarm bound; they are fixed in advance, as validity needs.
/// </summary>
/// <param name="ErrorTauPerMinEffect">The error test's mixing scale τ as a multiple of the minimum error-rate rise.</param>
/// <param name="LatencyTau">The latency test's mixing scale on the P(canary slower) scale.</param>
internal sealed record Tuning(double ErrorTauPerMinEffect = 2, double LatencyTau = 0.05)
{
    public static Tuning Default { get; } = new();
}
