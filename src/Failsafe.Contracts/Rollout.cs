namespace Failsafe.Contracts;

/// <summary>
/// How a deployment grows: first the canary hosts take a rising share of traffic beside the running
/// version (the <see cref="Steps"/>), analysis watching, then the remaining hosts switch in batches.
/// Null members take the defaults below; <see cref="Default"/> is what a deployment without a policy gets
/// when its service is behind the proxy.
/// </summary>
/// <param name="Steps">Canary weights in percent, rising, each held at least its hold time and until analysis passes.</param>
/// <param name="CanaryHosts">How many hosts (from the first batch) run the canary.</param>
/// <param name="BatchHoldSeconds">After each later batch, wait this long (analysis watching) before the next.</param>
public sealed record RolloutPolicy(
    IReadOnlyList<CanaryStep>? Steps = null,
    int CanaryHosts = 1,
    int BatchHoldSeconds = 0,
    AnalysisSettings? Analysis = null)
{
    public static RolloutPolicy Default { get; } = new(
        [new CanaryStep(5, 30), new CanaryStep(25, 30), new CanaryStep(50, 30)],
        CanaryHosts: 1,
        BatchHoldSeconds: 0,
        new AnalysisSettings());
}

public sealed record CanaryStep(int Weight, int HoldSeconds = 0);

/// <summary>The thresholds of canary analysis.</summary>
/// <param name="FalseAlarmRate">Bound on the chance that a canary as good as stable is failed (α).</param>
/// <param name="MinErrorRateIncrease">Smallest rise of the error rate worth acting on, as a fraction (0.01 = one percentage point).</param>
/// <param name="MinLatencyIncrease">Smallest latency rise worth acting on, as a fraction of stable's (0.1 = 10% slower).</param>
/// <param name="MinRequests">Fewer requests than this on either side is NO-DATA: the rollout holds.</param>
/// <param name="Prometheus">When set, error counts and latency come from this Prometheus server instead of the agents' proxies.</param>
/// <param name="InitialDelaySeconds">The analysis window opens this long after the canary first takes traffic (and after the
/// batches begin): a freshly started process runs colder code for its first seconds (a JIT warming up), which is not
/// what the release should be judged on. Argo Rollouts' <c>initialDelay</c>, Kayenta's warm-up period.</param>
public sealed record AnalysisSettings(
    double FalseAlarmRate = 0.01,
    double MinErrorRateIncrease = 0.01,
    double MinLatencyIncrease = 0.1,
    long MinRequests = 100,
    PrometheusSource? Prometheus = null,
    int InitialDelaySeconds = AnalysisSettings.DefaultInitialDelaySeconds)
{
    public const int DefaultInitialDelaySeconds = 10;
}

/// <summary>
/// Queries for a Prometheus server. Each query is PromQL with placeholders: {{version}} (the version
/// measured), {{service}} and {{window}} (the analysis window as a PromQL duration, e.g. "93s").
/// Each must return a single number.
/// </summary>
public sealed record PrometheusSource(
    string Url,
    string RequestsQuery = PrometheusSource.DefaultRequestsQuery,
    string ErrorsQuery = PrometheusSource.DefaultErrorsQuery,
    string? LatencyBucketsQuery = PrometheusSource.DefaultLatencyBucketsQuery)
{
    public const string DefaultRequestsQuery =
        "sum(increase(failsafe_proxy_requests_total{service=\"{{service}}\",version=\"{{version}}\"}[{{window}}]))";
    public const string DefaultErrorsQuery =
        "sum(increase(failsafe_proxy_errors_total{service=\"{{service}}\",version=\"{{version}}\"}[{{window}}]))";
    /// <summary>Returns one series per "le" label: the cumulative histogram over the window.</summary>
    public const string DefaultLatencyBucketsQuery =
        "sum by (le) (increase(failsafe_proxy_request_duration_seconds_bucket{service=\"{{service}}\",version=\"{{version}}\"}[{{window}}]))";
}
