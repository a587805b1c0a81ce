namespace Failsafe.ControlPlane.Analysis;

/// <summary>What Prometheus counted for one version over the analysis window.</summary>
/// <param name="Requests">Requests in the window (increase() extrapolates, so not always a whole number).</param>
/// <param name="Errors">Failed requests in the window.</param>
/// <param name="LatencyBuckets">
/// The cumulative latency histogram over the window, sorted by upper bound (+Inf last when Prometheus has it);
/// empty when there is no latency query or it found nothing.
/// </param>
internal sealed record PrometheusWindow(
    double Requests,
    double Errors,
    IReadOnlyList<(double UpperSeconds, double CumulativeCount)> LatencyBuckets);
