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

        // Requests before the bucket: a report that sees the bucket also sees the request.
        Interlocked.Increment(ref entry.Requests);
        if (error)
        {
            Interlocked.Increment(ref entry.Errors);
        }
        else
        {
            var milliseconds = micros / 1000.0;
            if (milliseconds <= apdexMilliseconds)
            {
                Interlocked.Increment(ref entry.Satisfied);
            }
            else if (milliseconds <= 4 * apdexMilliseconds)
            {
                Interlocked.Increment(ref entry.Tolerating);
            }
        }

        Interlocked.Add(ref entry.SumMicroseconds, micros);
        Interlocked.Increment(ref entry.Buckets[LatencyHistogram.BucketOf(micros)]);
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

    private static TrafficSample? TakeDelta(RecorderEntry entry, DateTimeOffset start, DateTimeOffset end)
    {
        // Read in the reverse order of Record's increments (requests last): every bucket or error counted
        // here belongs to a request counted here or before; anything in flight goes in the next report.
        var buckets = new List<int>();
        var counts = new List<long>();
        var current = new long[LatencyHistogram.BucketCount];
        for (var b = 0; b < current.Length; b++)
        {
            current[b] = Volatile.Read(ref entry.Buckets[b]);
            var delta = current[b] - entry.DrainedBuckets[b];
            if (delta > 0)
            {
                buckets.Add(b);
                counts.Add(delta);
            }
        }

        var errors = Volatile.Read(ref entry.Errors);
        var satisfied = Volatile.Read(ref entry.Satisfied);
        var tolerating = Volatile.Read(ref entry.Tolerating);
        var requests = Volatile.Read(ref entry.Requests);
        if (requests == entry.DrainedRequests)
        {
            return null;
        }

        var sample = new TrafficSample(
            entry.Service,
            entry.Version,
            entry.Release,
            entry.Canary,
            start,
            end,
            requests - entry.DrainedRequests,
            errors - entry.DrainedErrors,
            satisfied - entry.DrainedSatisfied,
            tolerating - entry.DrainedTolerating,
            buckets.ToArray(),
            counts.ToArray());
        Array.Copy(current, entry.DrainedBuckets, current.Length);
        entry.DrainedRequests = requests;
        entry.DrainedErrors = errors;
        entry.DrainedSatisfied = satisfied;
        entry.DrainedTolerating = tolerating;
        return sample;
    }
}
