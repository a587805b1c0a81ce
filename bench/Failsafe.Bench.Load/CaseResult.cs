namespace Failsafe.Bench.Load;

/// <summary>What one case (one store, its servers) measured.</summary>
internal sealed record CaseResult(
    string Name,
    int Servers,
    int Agents,
    double TokenSeconds,
    double EnrollSeconds,
    double EnrollP50Ms,
    double EnrollP99Ms,
    long[] RssIdle,
    long[] RssEnrolled,
    long[] RssMean,
    long[] RssMax,
    long[] RssPeak,
    long[] MaxThreads,
    double[] ServerCpuSeconds,
    double PostgresCpuSeconds,
    double BenchCpuSeconds,
    double WindowSeconds,
    IReadOnlyDictionary<RequestKind, KindFigures> Requests,
    IReadOnlyList<double> DeliveryMs,
    int DeploymentsStarted,
    int DeploymentsSucceeded,
    int DeploymentsFailed,
    int ApiErrors,
    IReadOnlyList<double> DeploymentWallSeconds);
