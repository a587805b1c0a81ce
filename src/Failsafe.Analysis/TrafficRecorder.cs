using System.Collections.Concurrent;
using Failsafe.Contracts;

namespace Failsafe.Analysis;

/// <summary>
/// What the proxy measures, per service version: request, error and Apdex counters and a latency
/// histogram. <see cref="Record"/> is the hot path: one dictionary lookup and a few interlocked
/// increments, no lock, no allocation once a version has been seen. <see cref="Drain"/> takes the
/// deltas for the report to the server; <see cref="WritePrometheus"/> shows the totals since start.
/// </summary>
public sealed class TrafficRecorder
{
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<(string Service, string Version), RecorderEntry> entries = new();
    private readonly Lock drainLock = new();
    private DateTimeOffset lastDrain;

    public TrafficRecorder(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        this.time = time;
        lastDrain = time.GetUtcNow();
    }

    /// <summary>
    /// Counts one request. An error is frustrated for Apdex; otherwise the request is satisfied at or
    /// under <paramref name="apdexMilliseconds"/> and tolerating at or under four times that.
    /// </summary>
    public void Record(string service, string version, string release, bool canary, bool error, TimeSpan elapsed, double apdexMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(release);
        if (!entries.TryGetValue((service, version), out var entry))
        {
            entry = entries.GetOrAdd((service, version), static (key, arg) => new RecorderEntry(key.Service, key.Version, arg.release, arg.canary), (release, canary));
        }

        entry.Describe(release, canary);
        var micros = Math.Max(0, elapsed.Ticks / TimeSpan.TicksPerMicrosecond);
        var stripe = entry.Local;

        // Requests first: a report that sees anything else of this request also sees the request.
        Interlocked.Increment(ref stripe.Counts.Requests);
        if (error)
        {
            Interlocked.Increment(ref stripe.Counts.Errors);
        }
        else
        {
            var milliseconds = micros / 1000.0;
            if (milliseconds <= apdexMilliseconds)
            {
                Interlocked.Increment(ref stripe.Counts.Satisfied);
            }
            else if (milliseconds <= 4 * apdexMilliseconds)
            {
                Interlocked.Increment(ref stripe.Counts.Tolerating);
            }
        }

        Interlocked.Add(ref stripe.Counts.SumMicroseconds, micros);
        Interlocked.Increment(ref stripe.Buckets[LatencyHistogram.BucketOf(micros)]);
    }

    /// <summary>
    /// What was recorded since the previous call (or since construction): one sample per service
    /// version that had requests, over [previous drain, now).
    /// </summary>
    public IReadOnlyList<TrafficSample> Drain()
    {
        lock (drainLock)
        {
            var start = lastDrain;
            var end = time.GetUtcNow();
            lastDrain = end;
            var samples = new List<TrafficSample>();
            foreach (var entry in entries.Values)
            {
                var sample = TakeDelta(entry, start, end);
                if (sample is not null)
                {
                    samples.Add(sample);
                }
            }

            return samples;
        }
    }

    /// <summary>Writes the totals since start in the Prometheus text format 0.0.4.</summary>
    public void WritePrometheus(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var snapshot = entries.Values
            .OrderBy(e => e.Service, StringComparer.Ordinal)
            .ThenBy(e => e.Version, StringComparer.Ordinal)
            .ToList();
        PrometheusText.Write(writer, snapshot);
    }

    /// <summary>The counters of one version, for tests that stage a report racing a request.</summary>
    internal RecorderEntry? Entry(string service, string version) => entries.GetValueOrDefault((service, version));

    private static TrafficSample? TakeDelta(RecorderEntry entry, DateTimeOffset start, DateTimeOffset end)
    {
        var current = new long[LatencyHistogram.BucketCount];
        var totals = entry.Read(current);
        var requests = totals.Requests - entry.DrainedRequests;
        if (requests <= 0)
        {
            return null;
        }

        // A request counted in the previous report may have had its error or Apdex class counted only
        // after it. Each sample must add up on its own (the server refuses one that does not), so what
        // does not fit waits for the next report; the totals stay exact.
        var errors = Math.Min(totals.Errors - entry.DrainedErrors, requests);
        var satisfied = Math.Min(totals.Satisfied - entry.DrainedSatisfied, requests - errors);
        var tolerating = Math.Min(totals.Tolerating - entry.DrainedTolerating, requests - errors - satisfied);

        var buckets = new List<int>();
        var counts = new List<long>();
        for (var b = 0; b < current.Length; b++)
        {
            var delta = current[b] - entry.DrainedBuckets[b];
            if (delta > 0)
            {
                buckets.Add(b);
                counts.Add(delta);
            }
        }

        var sample = new TrafficSample(
            entry.Service, entry.Version, entry.Release, entry.Canary, start, end,
            requests, errors, satisfied, tolerating, buckets.ToArray(), counts.ToArray());
        Array.Copy(current, entry.DrainedBuckets, current.Length);
        entry.DrainedRequests += requests;
        entry.DrainedErrors += errors;
        entry.DrainedSatisfied += satisfied;
        entry.DrainedTolerating += tolerating;
        return sample;
    }
}
