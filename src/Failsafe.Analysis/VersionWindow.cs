using Failsafe.Contracts;

namespace Failsafe.Analysis;

/// <summary>
/// One side of a comparison: everything a version did over the analysis window, summed over hosts
/// and report intervals. Windows only grow; the analysis can look at them as often as it likes.
/// Not thread-safe.
/// </summary>
public sealed class VersionWindow
{
    public long Requests { get; private set; }

    public long Errors { get; private set; }

    public long Satisfied { get; private set; }

    public long Tolerating { get; private set; }

    public LatencyHistogram Latency { get; } = new();

    /// <summary>False when the source gives no latency at all (Prometheus without a bucket query): the latency test is left out.</summary>
    public bool HasLatency { get; private init; } = true;

    /// <summary>Errors per request, 0–1; 0 without requests.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <summary>(satisfied + tolerating / 2) / requests, 0–1; 0 without requests or without Apdex counts.</summary>
    public double Apdex => Requests == 0 ? 0 : (Satisfied + (Tolerating / 2.0)) / Requests;

    /// <summary>
    /// Adds one report interval. Throws <see cref="ArgumentException"/> (and changes nothing) when the
    /// sample is malformed: negative counts, or latency arrays that do not pair up or are out of range.
    /// </summary>
    public void Add(TrafficSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Requests < 0 || sample.Errors < 0 || sample.Satisfied < 0 || sample.Tolerating < 0)
        {
            throw new ArgumentException(
                $"A traffic sample of {sample.Service} {sample.Version} has a negative count.", nameof(sample));
        }

        Latency.AddSparse(sample.LatencyBuckets, sample.LatencyCounts);
        Requests = checked(Requests + sample.Requests);
        Errors = checked(Errors + sample.Errors);
        Satisfied = checked(Satisfied + sample.Satisfied);
        Tolerating = checked(Tolerating + sample.Tolerating);
    }

    /// <summary>
    /// A window from plain totals, e.g. what Prometheus answers. Errors above requests (increase()
    /// extrapolates each series on its own) are capped at requests. A null latency leaves the
    /// latency test out; the histogram is copied.
    /// </summary>
    public static VersionWindow FromCounts(long requests, long errors, LatencyHistogram? latency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        ArgumentOutOfRangeException.ThrowIfNegative(errors);
        var window = new VersionWindow
        {
            Requests = requests,
            Errors = Math.Min(errors, requests),
            HasLatency = latency is not null,
        };
        if (latency is not null)
        {
            window.Latency.Merge(latency);
        }

        return window;
    }
}
