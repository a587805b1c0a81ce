using System.Diagnostics;
using Failsafe.Analysis;

namespace Failsafe.Bench.Detection;

/// <summary>The proxy's hot path: nanoseconds per TrafficRecorder.Record, on one thread and on all cores.</summary>
internal static class RecorderThroughput
{
    public static void Run()
    {
        foreach (var threads in new[] { 1, Environment.ProcessorCount })
        {
            var recorder = new TrafficRecorder(TimeProvider.System);
            const int perThread = 5_000_000;
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var version = t % 2 == 0 ? "1.4.2" : "1.5.0";
                for (var i = 0; i < perThread; i++)
                {
                    recorder.Record("web", version, "r1", version == "1.5.0", i % 100 == 0, TimeSpan.FromTicks(200_000 + (i % 5000 * 10)), 100);
                }
            });
            var nanoseconds = clock.Elapsed.TotalNanoseconds / perThread;
            Console.WriteLine($"TrafficRecorder.Record on {threads} thread(s): {nanoseconds:0} ns per call per thread ({threads * perThread / clock.Elapsed.TotalSeconds / 1e6:0.0} M calls/s in all).");
        }
    }
}
