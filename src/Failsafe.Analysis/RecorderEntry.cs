namespace Failsafe.Analysis;

/// <summary>
/// One service version's counters in a <see cref="TrafficRecorder"/>. The counters only grow
/// (Prometheus reads them as they are); the Drained* copies remember what the last report took,
/// so a report is a subtraction and the hot path never takes a lock. Fixed size: about 12 KB.
/// </summary>
internal sealed class RecorderEntry(string service, string version, string release, bool canary)
{
    public readonly string Service = service;
    public readonly string Version = version;
    public readonly long[] Buckets = new long[LatencyHistogram.BucketCount];

    public long Requests;
    public long Errors;
    public long Satisfied;
    public long Tolerating;
    public long SumMicroseconds;

    // Only touched under the recorder's drain lock.
    public readonly long[] DrainedBuckets = new long[LatencyHistogram.BucketCount];
    public long DrainedRequests;
    public long DrainedErrors;
    public long DrainedSatisfied;
    public long DrainedTolerating;

    private volatile string release = release;
    private volatile bool canary = canary;

    public string Release => release;

    public bool Canary => canary;

    public void Describe(string newRelease, bool newCanary)
    {
        // Written only on change, so recording threads do not keep bouncing this cache line.
        if (!ReferenceEquals(release, newRelease) && release != newRelease)
        {
            release = newRelease;
        }

        if (canary != newCanary)
        {
            canary = newCanary;
        }
    }
}
