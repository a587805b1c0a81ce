using System.Diagnostics;
using Failsafe.Analysis;

namespace Failsafe.Bench.Detection;

/// <summary>
/// The proxy's hot path: nanoseconds per TrafficRecorder.Record on one thread, and on every core
/// recording either different versions or all the same one (the counters' cache lines then bounce).
/// </summary>
internal static class RecorderThroughput
{
    private const int PerThread = 5_000_000;

    public static void Run()
    {
        Measure(1, sameVersion: true, print: false); // warm-up: tiered JIT
        Measure(1, sameVersion: true, print: true);
        Measure(Environment.ProcessorCount, sameVersion: false, print: true);
        Measure(Environment.ProcessorCount, sameVersion: true, print: true);
    }

    private static void Measure(int threads, bool sameVersion, bool print)
    {
        var recorder = new TrafficRecorder(TimeProvider.System);
        var clock = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var version = sameVersion || t % 2 == 0 ? "1.4.2" : "1.5.0";
            for (var i = 0; i < PerThread; i++)
            {
                recorder.Record("web", version, "r1", version == "1.5.0", i % 100 == 0, TimeSpan.FromTicks(200_000 + (i % 5000 * 10)), 100);
            }
        });
        if (print)
        {
            var what = threads == 1 ? "1 thread" : $"{threads} threads, {(sameVersion ? "all on one version" : "one version each")}";
            Console.WriteLine($"TrafficRecorder.Record, {what}: {clock.Elapsed.TotalNanoseconds / PerThread:0} ns per call ({threads * PerThread / clock.Elapsed.TotalSeconds / 1e6:0.0} M calls/s in all).");
        }
    }
}
