using System.Numerics;
using System.Runtime.InteropServices;

namespace Failsafe.Analysis;

/// <summary>
/// One service version's counters in a <see cref="TrafficRecorder"/>, striped by processor so that
/// threads on different cores do not fight over one cache line. The counters only grow (Prometheus
/// reads them as they are); the Drained* copies remember what the last report took, so a report
/// is a subtraction and the hot path never takes a lock. Fixed size: about 6 KB per stripe plus 6 KB,
/// with at most 8 stripes.
/// </summary>
internal sealed class RecorderEntry
{
    public readonly string Service;
    public readonly string Version;

    // Only touched under the recorder's drain lock.
    public readonly long[] DrainedBuckets = new long[LatencyHistogram.BucketCount];
    public long DrainedRequests;
    public long DrainedErrors;
    public long DrainedSatisfied;
    public long DrainedTolerating;

    private static readonly int StripeCount = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount, 1, 8));

    private readonly Stripe[] stripes;
    private volatile string release;
    private volatile bool canary;

    public RecorderEntry(string service, string version, string release, bool canary)
    {
        Service = service;
        Version = version;
        this.release = release;
        this.canary = canary;
        stripes = new Stripe[StripeCount];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new Stripe();
        }
    }

    public string Release => release;

    public bool Canary => canary;

    public IReadOnlyList<Stripe> Stripes => stripes;

    /// <summary>The stripe of the core this thread runs on (a hint: any stripe is correct, this one is uncontended).</summary>
    public Stripe Local => stripes[Thread.GetCurrentProcessorId() & (stripes.Length - 1)];

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

    /// <summary>
    /// Totals over the stripes, read in the reverse order of Record's increments (requests last), so
    /// every bucket or error counted belongs to a request counted; anything in flight shows next time.
    /// </summary>
    public Totals Read(long[] buckets)
    {
        Array.Clear(buckets);
        var totals = default(Totals);
        foreach (var stripe in stripes)
        {
            for (var b = 0; b < buckets.Length; b++)
            {
                buckets[b] += Volatile.Read(ref stripe.Buckets[b]);
            }

            totals.SumMicroseconds += Volatile.Read(ref stripe.Counts.SumMicroseconds);
            totals.Errors += Volatile.Read(ref stripe.Counts.Errors);
            totals.Satisfied += Volatile.Read(ref stripe.Counts.Satisfied);
            totals.Tolerating += Volatile.Read(ref stripe.Counts.Tolerating);
            totals.Requests += Volatile.Read(ref stripe.Counts.Requests);
        }

        return totals;
    }

    internal struct Totals
    {
        public long Requests;
        public long Errors;
        public long Satisfied;
        public long Tolerating;
        public long SumMicroseconds;
    }

    /// <summary>One core's share of the counters.</summary>
    internal sealed class Stripe
    {
        public readonly long[] Buckets = new long[LatencyHistogram.BucketCount];
        public Counters Counts;
    }

    /// <summary>The counters with a cache line of padding on each side, off their neighbours' lines.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 168)]
    internal struct Counters
    {
        [FieldOffset(64)]
        public long Requests;

        [FieldOffset(72)]
        public long Errors;

        [FieldOffset(80)]
        public long Satisfied;

        [FieldOffset(88)]
        public long Tolerating;

        [FieldOffset(96)]
        public long SumMicroseconds;
    }
}
