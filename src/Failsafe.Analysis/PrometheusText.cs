using System.Globalization;
using System.Text;

namespace Failsafe.Analysis;

/// <summary>The recorder's totals in the Prometheus text exposition format 0.0.4.</summary>
internal static class PrometheusText
{
    public const string Requests = "failsafe_proxy_requests_total";
    public const string Errors = "failsafe_proxy_errors_total";
    public const string Satisfied = "failsafe_proxy_apdex_satisfied_total";
    public const string Tolerating = "failsafe_proxy_apdex_tolerating_total";
    public const string Duration = "failsafe_proxy_request_duration_seconds";

    /// <summary>The "le" bounds in seconds, Prometheus' defaults with 1 ms added below.</summary>
    internal static readonly double[] UpperBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // For each fine bucket, the first "le" bound it counts under (UpperBounds.Length for +Inf only).
    // A fine bucket straddling a bound goes by its midpoint: off by at most half a fine bucket (1.6%).
    private static readonly int[] CoarseOf = BuildCoarseOf();

    public static void Write(TextWriter writer, IReadOnlyList<RecorderEntry> entries)
    {
        var labels = entries.Select(e => $"service=\"{Escape(e.Service)}\",version=\"{Escape(e.Version)}\"").ToList();
        var buckets = entries.Select(_ => new long[LatencyHistogram.BucketCount]).ToList();
        var totals = entries.Select((e, i) => e.Read(buckets[i])).ToList();
        Counter(writer, Requests, "Requests the traffic proxy answered, by service version.", labels, totals.Select(t => t.Requests));
        Counter(writer, Errors, "Requests answered with a 5xx status or a failed connection to the instance.", labels, totals.Select(t => t.Errors));
        Counter(writer, Satisfied, "Requests answered without error within the Apdex target T.", labels, totals.Select(t => t.Satisfied));
        Counter(writer, Tolerating, "Requests answered without error over T but within 4T.", labels, totals.Select(t => t.Tolerating));

        writer.Write($"# HELP {Duration} Time from receiving a request to answering it, in seconds.\n");
        writer.Write($"# TYPE {Duration} histogram\n");
        var coarse = new long[UpperBounds.Length + 1];
        for (var i = 0; i < entries.Count; i++)
        {
            Array.Clear(coarse);
            for (var b = 0; b < LatencyHistogram.BucketCount; b++)
            {
                coarse[CoarseOf[b]] += buckets[i][b];
            }

            long cumulative = 0;
            for (var k = 0; k < coarse.Length; k++)
            {
                cumulative += coarse[k];
                var le = k < UpperBounds.Length ? Number(UpperBounds[k]) : "+Inf";
                writer.Write($"{Duration}_bucket{{{labels[i]},le=\"{le}\"}} {Number(cumulative)}\n");
            }

            var seconds = totals[i].SumMicroseconds / 1_000_000.0;
            writer.Write($"{Duration}_sum{{{labels[i]}}} {Number(seconds)}\n");
            writer.Write($"{Duration}_count{{{labels[i]}}} {Number(cumulative)}\n");
        }
    }

    internal static string Escape(string labelValue)
    {
        if (labelValue.AsSpan().IndexOfAny('\\', '"', '\n') < 0)
        {
            return labelValue;
        }

        var builder = new StringBuilder(labelValue.Length + 8);
        foreach (var c in labelValue)
        {
            builder.Append(c switch
            {
                '\\' => @"\\",
                '"' => "\\\"",
                '\n' => @"\n",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    private static void Counter(TextWriter writer, string name, string help, List<string> labels, IEnumerable<long> values)
    {
        writer.Write($"# HELP {name} {help}\n");
        writer.Write($"# TYPE {name} counter\n");
        foreach (var (label, value) in labels.Zip(values))
        {
            writer.Write($"{name}{{{label}}} {Number(value)}\n");
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static int[] BuildCoarseOf()
    {
        var map = new int[LatencyHistogram.BucketCount];
        for (var b = 0; b < map.Length; b++)
        {
            var seconds = LatencyHistogram.BucketMidMicroseconds(b) / 1_000_000.0;
            var k = 0;
            while (k < UpperBounds.Length && seconds > UpperBounds[k])
            {
                k++;
            }

            map[b] = k;
        }

        return map;
    }
}
