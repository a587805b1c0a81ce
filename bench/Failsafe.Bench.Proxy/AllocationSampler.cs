using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Failsafe.Bench.Proxy;

/// <summary>Samples allocations by type through the runtime's AllocationTick events (one per ~100 KB allocated).</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName == "GCAllocationTick_V4" && e.Payload is { } payload)
        {
            var name = (string)payload[e.PayloadNames!.IndexOf("TypeName")]!;
            _bytes.AddOrUpdate(name, 100_000, (_, v) => v + 100_000);
        }
    }

    public void Print(long requests)
    {
        foreach (var (name, bytes) in _bytes.OrderByDescending(p => p.Value).Take(40))
        {
            Console.Error.WriteLine($"  {bytes / (double)requests,8:0.0} B/req  {name}");
        }
    }
}
