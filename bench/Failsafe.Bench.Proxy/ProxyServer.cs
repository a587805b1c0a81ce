using System.Net;
using System.Runtime.InteropServices;
using Failsafe.Contracts;
using Failsafe.DataPlane.Traffic;
using Microsoft.Extensions.Logging.Abstractions;

namespace Failsafe.Bench.Proxy;

/// <summary>The Failsafe proxy in a process of its own, so that it can be pinned and measured like nginx.</summary>
internal static class ProxyServer
{
    public static async Task<int> RunAsync(int port, int upstreamPort)
    {
        // BENCH_ALLOCS=1: which types the allocations are (sampled), printed at the end.
        using var sampler = Environment.GetEnvironmentVariable("BENCH_ALLOCS") == "1" ? new AllocationSampler() : null;
        var observer = new CountingObserver();
        await using var proxy = new TrafficProxy(IPAddress.Loopback, observer, TimeProvider.System, NullLoggerFactory.Instance);
        await proxy.ApplyAsync(
            new ServiceRoute("bench", new Backend("1.0.0", "1.0.0-bench", upstreamPort), null, 0, new TrafficSettings(port)), CancellationToken.None);
        var stopped = new TaskCompletionSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
        await stopped.Task;

        // For the benchmark's report: what each request cost the heap.
        var requests = Math.Max(1, observer.Requests);
        Console.Error.WriteLine(
            $"proxy: {observer.Requests} requests, {GC.GetTotalAllocatedBytes() / requests} bytes allocated per request, " +
            $"GCs gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        sampler?.Print(requests);
        return 0;
    }
}
