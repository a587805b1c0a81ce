using System.Collections.Concurrent;
using Failsafe.Analysis;
using Failsafe.DataPlane.Traffic;

namespace Failsafe.DataPlane;

/// <summary>What the proxy measures, per service and version: counted once, read by both the server's reports and /metrics.</summary>
internal sealed class ProxyMetrics(TimeProvider time) : IRequestObserver
{
    private const double DefaultApdexMilliseconds = 100;

    private readonly ConcurrentDictionary<string, double> _apdex = new(StringComparer.Ordinal);

    public TrafficRecorder Recorder { get; } = new(time);

    public void SetApdex(string service, double milliseconds) => _apdex[service] = milliseconds;

    public void OnCompleted(string service, Backend backend, bool canary, int statusCode, bool failed, TimeSpan elapsed) =>
        Recorder.Record(
            service, backend.Version, backend.Release, canary, failed || statusCode >= 500, elapsed,
            _apdex.TryGetValue(service, out var t) ? t : DefaultApdexMilliseconds);
}
