using System.Collections.Concurrent;
using System.Diagnostics;

namespace Failsafe.Bench.Load;

internal enum RequestKind
{
    PollWithTask,
    PollTimedOut,
    PollEarlyEmpty,
    PollFailed,
    Metrics,
    Step,
    Complete,
    Blob,
    Push,
    CreateDeployment,
    GetDeployment,
}

/// <summary>
/// Every request the simulated fleet makes, as the client saw it. Only requests that end inside the measured window count,
/// so a long poll started before the window and answered inside it counts once, at its end.
/// </summary>
internal sealed class RequestLog
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;

    public void Record(RequestKind kind, long startTimestamp, bool ok)
    {
        var end = Stopwatch.GetTimestamp();
        if (end >= Volatile.Read(ref _windowStart) && end <= Volatile.Read(ref _windowEnd))
        {
            _entries.Enqueue(new Entry(kind, Stopwatch.GetElapsedTime(startTimestamp, end).TotalMilliseconds, ok));
        }
    }

    public void OpenWindow() => Volatile.Write(ref _windowStart, Stopwatch.GetTimestamp());

    public void CloseWindow() => Volatile.Write(ref _windowEnd, Stopwatch.GetTimestamp());

    public double WindowSeconds => Stopwatch.GetElapsedTime(_windowStart, _windowEnd).TotalSeconds;

    public IReadOnlyDictionary<RequestKind, KindFigures> Summarise()
    {
        var seconds = WindowSeconds;
        return _entries.GroupBy(e => e.Kind).ToDictionary(
            g => g.Key,
            g =>
            {
                var ok = g.Where(e => e.Ok).Select(e => e.Milliseconds).Order().ToList();
                return new KindFigures(ok.Count, g.Count(e => !e.Ok), ok.Count / seconds, Quantile(ok, 0.50), Quantile(ok, 0.99), ok.Count > 0 ? ok[^1] : double.NaN);
            });
    }

    public static double Quantile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private readonly record struct Entry(RequestKind Kind, double Milliseconds, bool Ok);
}

/// <summary>Successful requests of one kind in the window: count, errors, per second, latency quantiles in ms.</summary>
internal sealed record KindFigures(int Count, int Errors, double PerSecond, double P50, double P99, double Max);
