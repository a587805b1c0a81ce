using System.Diagnostics;
using System.Globalization;
using Failsafe.Analysis;
using Failsafe.Analysis.Simulation;
using Failsafe.Contracts;

namespace Failsafe.Bench.Detection;

internal static class DetectionBenchmark
{
    private const double RequestsPerSecond = 100;
    private const int DetectionHorizon = 900;
    private const int AaHorizon = 600;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static int Run(BenchSettings settings)
    {
        var clock = Stopwatch.StartNew();
        var analysis = new AnalysisSettings();
        var stable = LatencyModel.Typical();
        // Flagger needs a fixed p99 ceiling; it gets stable's true p99 + 10%, known exactly here,
        // which no Flagger user knows in advance: a generous choice for Flagger.
        var p99Ceiling = stable.QuantileMs(0.99) * 1.1;
        Console.WriteLine($"Streams: {RequestsPerSecond} requests/s (Poisson), stable 1% errors, latency log-normal median 40 ms σ 0.5 + 2% around 200 ms (p99 {stable.QuantileMs(0.99):0} ms).");
        Console.WriteLine($"Ours: α={analysis.FalseAlarmRate}, minimum effects {analysis.MinErrorRateIncrease * 100} point / {analysis.MinLatencyIncrease * 100}%, min {analysis.MinRequests} requests a side, evaluated every second on the cumulative window.");
        Console.WriteLine($"Flagger-style: every 60 s on the last 60 s of the canary, rollback at 5 failed checks; request-success-rate ≥ 99% (or ≥ 98%) and request-duration p99 ≤ {p99Ceiling:0} ms (stable's p99 × 1.1).");
        Console.WriteLine();

        if (settings.Tune)
        {
            Tune(settings, analysis, stable);
            return 0;
        }

        var rows = new List<string[]>();
        foreach (var share in new[] { 0.5, 0.05 })
        {
            rows.Add(Detect("errors 1% → 3%", new(RequestsPerSecond, share, 0.01, 0.03, stable, stable), settings.Runs, analysis, p99Ceiling));
            rows.Add(Detect("latency +20%", new(RequestsPerSecond, share, 0.01, 0.01, stable, stable.Scaled(1.2)), settings.Runs, analysis, p99Ceiling));
            rows.Add(Detect("latency +30%", new(RequestsPerSecond, share, 0.01, 0.01, stable, stable.Scaled(1.3)), settings.Runs, analysis, p99Ceiling));
        }

        Print(
            ["canary share", "regression", "caught ours", "ours s median / p90", "ours requests median / p90", "caught Flagger", "Flagger s median / p90", "Flagger requests median / p90", "speed-up (median s)"],
            rows);

        Console.WriteLine();
        var aaRows = new List<string[]>();
        foreach (var share in new[] { 0.5, 0.05 })
        {
            aaRows.Add(FalseAlarms(new(RequestsPerSecond, share, 0.01, 0.01, stable, stable), settings.AaRuns, analysis, p99Ceiling));
        }

        Print(["A/A, canary share", "runs", "false alarms ours", "passed ours", "ours s to pass median / p90", "false alarms Flagger 99%", "false alarms Flagger 98%"], aaRows);
        Console.WriteLine();
        RecorderThroughput.Run();
        Console.WriteLine($"\n(took {clock.Elapsed.TotalSeconds:0} s)");
        return 0;
    }

    private static string[] Detect(string name, StreamSpec spec, int runs, AnalysisSettings analysis, double p99Ceiling)
    {
        var flagger = new FlaggerCheck[runs];
        var results = AnalysisRun.Many(runs, seed =>
        {
            var check = flagger[seed - 1] = new FlaggerCheck(minSuccessRate: 98, maxP99Ms: p99Ceiling);
            return AnalysisRun.Run(spec, seed, DetectionHorizon, analysis, onSecond: check.Observe);
        });

        var ours = results.Where(r => r.FailSecond is not null).ToList();
        var theirs = flagger.Where(f => f.FailSecond is not null).ToList();
        var oursSeconds = Median(ours.Select(r => (double)r.FailSecond!.Value));
        var theirSeconds = Median(theirs.Select(f => (double)f.FailSecond!.Value));
        return
        [
            Percent(spec.CanaryShare),
            name,
            $"{ours.Count}/{runs}",
            Spread(ours.Select(r => (double)r.FailSecond!.Value)),
            Spread(ours.Select(r => (double)r.RequestsAtFail)),
            $"{theirs.Count}/{runs}",
            Spread(theirs.Select(f => (double)f.FailSecond!.Value)),
            Spread(theirs.Select(f => (double)f.RequestsAtFail)),
            double.IsNaN(oursSeconds) || double.IsNaN(theirSeconds) ? "-" : (theirSeconds / oursSeconds).ToString("0.0", Invariant) + "×",
        ];
    }

    private static string[] FalseAlarms(StreamSpec spec, int runs, AnalysisSettings analysis, double p99Ceiling)
    {
        var strict = new FlaggerCheck[runs];
        var loose = new FlaggerCheck[runs];
        var results = AnalysisRun.Many(runs, seed =>
        {
            var a = strict[seed - 1] = new FlaggerCheck(99, p99Ceiling);
            var b = loose[seed - 1] = new FlaggerCheck(98, p99Ceiling);
            return AnalysisRun.Run(spec, seed + 1_000_000, AaHorizon, analysis, onSecond: (s, c, st) =>
            {
                a.Observe(s, c, st);
                b.Observe(s, c, st);
            });
        });

        var failed = results.Count(r => r.FailSecond is not null);
        foreach (var r in results.Where(r => r.FailSecond is not null))
        {
            Console.WriteLine($"  A/A false alarm at {r.FailSecond} s: {r.FirstFail!.Sentence}");
        }

        var passed = results.Where(r => r.PassSecond is not null).ToList();
        return
        [
            Percent(spec.CanaryShare),
            runs.ToString(Invariant),
            $"{failed} ({Percent((double)failed / runs)})",
            $"{passed.Count} ({Percent((double)passed.Count / runs)})",
            Spread(passed.Select(r => (double)r.PassSecond!.Value)),
            Rate(strict.Count(f => f.FailSecond is not null), runs),
            Rate(loose.Count(f => f.FailSecond is not null), runs),
        ];
    }

    private static void Tune(BenchSettings settings, AnalysisSettings analysis, LatencyModel stable)
    {
        Console.WriteLine("Mixing scales: median seconds to catch (50% share) and A/A false alarms (50% and 5%).");
        foreach (var errorTau in new[] { 0.5, 1.0, 1.5, 2.0, 3.0 })
        {
            foreach (var latencyTau in new[] { 0.025, 0.05, 0.1 })
            {
                var tuning = new Tuning(errorTau, latencyTau);
                double Median(StreamSpec spec) => DetectionBenchmark.Median(AnalysisRun.Many(settings.Runs, seed => AnalysisRun.Run(spec, seed, DetectionHorizon, analysis, tuning))
                    .Where(r => r.FailSecond is not null).Select(r => (double)r.FailSecond!.Value));
                int Alarms(double share) => AnalysisRun.Many(settings.AaRuns, seed => AnalysisRun.Run(new(RequestsPerSecond, share, 0.01, 0.01, stable, stable), seed + 1_000_000, AaHorizon, analysis, tuning))
                    .Count(r => r.FailSecond is not null);
                var errors = Median(new(RequestsPerSecond, 0.5, 0.01, 0.03, stable, stable));
                var latency = Median(new(RequestsPerSecond, 0.5, 0.01, 0.01, stable, stable.Scaled(1.2)));
                var errors5 = Median(new(RequestsPerSecond, 0.05, 0.01, 0.03, stable, stable));
                Console.WriteLine($"errorTau {errorTau}×min, latencyTau {latencyTau}: errors {errors} s (5%: {errors5} s), latency+20% {latency} s, A/A alarms {Alarms(0.5)}/{settings.AaRuns} and {Alarms(0.05)}/{settings.AaRuns}");
            }
        }
    }

    private static double Median(IEnumerable<double> values) => Quantile(values, 0.5);

    private static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }

    private static string Spread(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? "-" : $"{Quantile(list, 0.5).ToString("N0", Invariant)} / {Quantile(list, 0.9).ToString("N0", Invariant)}";
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("0.#", Invariant) + "%";

    private static string Rate(int count, int runs) => $"{count} ({Percent((double)count / runs)})";

    private static void Print(string[] header, List<string[]> rows)
    {
        Console.WriteLine("| " + string.Join(" | ", header) + " |");
        Console.WriteLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows)
        {
            Console.WriteLine("| " + string.Join(" | ", row) + " |");
        }
    }
}
