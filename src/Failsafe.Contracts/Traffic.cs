namespace Failsafe.Contracts;

/// <summary>
/// How a host's traffic proxy fronts a service. It travels with every task of a deployment that
/// uses the proxy, and the agent keeps the last one it saw, so the proxy comes back on restart.
/// </summary>
/// <param name="PublicPort">The port clients use; the proxy listens on it, instances run on private ports.</param>
/// <param name="StickyCookie">When set, a client keeps the version it was first routed to through this cookie.</param>
/// <param name="StickyHeader">When set, requests with the same value of this header go to the same version.</param>
/// <param name="VersionHeader">A tester picks a side with this header: "canary" or "stable".</param>
/// <param name="WarmUpPaths">Paths requested on a new instance before it gets traffic; none means the health path.</param>
/// <param name="WarmUpRequests">How many warm-up requests in all.</param>
/// <param name="ApdexMilliseconds">Apdex T: satisfied at or under T, tolerating at or under 4T, errors frustrated.</param>
/// <param name="UpstreamTimeoutSeconds">An instance that has not answered within this time gets the client a 504.</param>
public sealed record TrafficSettings(
    int PublicPort,
    string? StickyCookie = null,
    string? StickyHeader = null,
    string VersionHeader = TrafficSettings.DefaultVersionHeader,
    IReadOnlyList<string>? WarmUpPaths = null,
    int WarmUpRequests = 10,
    double ApdexMilliseconds = 100,
    int UpstreamTimeoutSeconds = 60)
{
    public const string DefaultVersionHeader = "X-Failsafe-Version";
}

/// <summary>The share of a service's traffic the server wants the canary instance on a host to take.</summary>
/// <param name="CanaryRelease">The release whose instance is the canary; null when no canary should run.</param>
/// <param name="CanaryWeight">Percent of requests, 0–100.</param>
public sealed record TrafficRoute(string Service, string? CanaryRelease, int CanaryWeight);

/// <summary>Sent by the agent every second: what its proxy measured since the previous report.</summary>
public sealed record MetricsReport(IReadOnlyList<TrafficSample> Samples);

/// <summary>
/// One service version's requests on one host over [Start, End). Latency is a sparse log-linear
/// histogram: <see cref="LatencyBuckets"/>[i] is a bucket index, <see cref="LatencyCounts"/>[i] its count
/// (the bucket scheme is Failsafe.Analysis.LatencyHistogram's).
/// </summary>
public sealed record TrafficSample(
    string Service,
    string Version,
    string Release,
    bool Canary,
    DateTimeOffset Start,
    DateTimeOffset End,
    long Requests,
    long Errors,
    long Satisfied,
    long Tolerating,
    IReadOnlyList<int> LatencyBuckets,
    IReadOnlyList<long> LatencyCounts);

public static class VerdictOutcomes
{
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string Hold = "hold";
    public const string NoData = "no-data";
}

/// <summary>An analysis verdict: the outcome, one sentence saying why, and each test with its numbers.</summary>
public sealed record VerdictInfo(string Outcome, string Sentence, DateTimeOffset At, IReadOnlyList<TestInfo> Tests);

/// <param name="Metric">"error-rate" or "latency".</param>
/// <param name="Test">The test's name, e.g. "mSPRT (always-valid), α=0.01".</param>
/// <param name="CanaryValue">The canary's figure (error rate as a fraction; latency in ms at the quantile named by the sentence).</param>
/// <param name="Low">Lower end of the always-valid interval of the difference (canary minus stable), when the test gives one.</param>
/// <param name="High">Upper end of that interval.</param>
/// <param name="MinimumEffect">The smallest difference worth acting on, in the test's own unit.</param>
public sealed record TestInfo(
    string Metric,
    string Test,
    string Outcome,
    long CanarySamples,
    long StableSamples,
    double CanaryValue,
    double StableValue,
    double? Low,
    double? High,
    double MinimumEffect,
    string Sentence);
