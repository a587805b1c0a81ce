using System.Globalization;
using Failsafe.Contracts;

namespace Failsafe.Analysis.Tests;

public sealed class TrafficRecorderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Record_FromSeveralThreads_SumsExactly()
    {
        var recorder = new TrafficRecorder(new ManualTime(T0));
        const int threads = 4, perThread = 50_000;
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                var version = i % 2 == 0 ? "1.0" : "2.0";
                recorder.Record("web", version, "r-" + version, version == "2.0", i % 20 < 2, TimeSpan.FromMilliseconds(1 + (i % 7)), 100);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        var samples = recorder.Drain();
        Assert.Equal(2, samples.Count);
        foreach (var sample in samples)
        {
            Assert.Equal(threads * perThread / 2, sample.Requests);
            Assert.Equal(threads * perThread / 20, sample.Errors);
            Assert.Equal(sample.Requests - sample.Errors, sample.Satisfied);
            var histogram = LatencyHistogram.FromSparse(sample.LatencyBuckets, sample.LatencyCounts);
            Assert.Equal(sample.Requests, histogram.Count);
        }

        // Every (i % 7) latency: the same number of requests in each of the 7 buckets per version, give or take one.
        var first = samples[0];
        Assert.Equal(7, first.LatencyBuckets.Count);
        Assert.True(first.LatencyCounts.Max() - first.LatencyCounts.Min() <= threads);
    }

    [Fact]
    public void Drain_TwoIntervals_GivesDeltasWithTheirTimesThenNothing()
    {
        var time = new ManualTime(T0);
        var recorder = new TrafficRecorder(time);
        for (var i = 0; i < 10; i++)
        {
            recorder.Record("web", "1.0", "r1", canary: false, error: i < 2, TimeSpan.FromMilliseconds(20), 100);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        var first = Assert.Single(recorder.Drain());
        Assert.Equal((T0, T0.AddSeconds(1)), (first.Start, first.End));
        Assert.Equal((10L, 2L, 8L, 0L), (first.Requests, first.Errors, first.Satisfied, first.Tolerating));
        Assert.Equal(("web", "1.0", "r1", false), (first.Service, first.Version, first.Release, first.Canary));

        for (var i = 0; i < 5; i++)
        {
            recorder.Record("web", "1.0", "r1", canary: false, error: false, TimeSpan.FromMilliseconds(300), 100);
        }

        recorder.Record("web", "2.0", "r2", canary: true, error: false, TimeSpan.FromMilliseconds(20), 100);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = recorder.Drain().OrderBy(s => s.Version, StringComparer.Ordinal).ToList();
        Assert.Equal(2, second.Count);
        Assert.Equal((T0.AddSeconds(1), T0.AddSeconds(2)), (second[0].Start, second[0].End));
        Assert.Equal((5L, 0L, 0L, 5L), (second[0].Requests, second[0].Errors, second[0].Satisfied, second[0].Tolerating));
        Assert.Equal(5, second[0].LatencyCounts.Sum());
        Assert.Equal(("2.0", "r2", true, 1L), (second[1].Version, second[1].Release, second[1].Canary, second[1].Requests));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(recorder.Drain());
    }

    [Fact]
    public void Drain_ErrorCountedAfterItsRequestWasReported_WaitsSoEverySampleAddsUp()
    {
        var time = new ManualTime(T0);
        var recorder = new TrafficRecorder(time);
        recorder.Record("web", "1.0", "r1", false, false, TimeSpan.FromMilliseconds(20), 100);
        var stripe = recorder.Entry("web", "1.0")!.Stripes[0];

        // A report took a request whose error and Apdex class were not counted yet...
        Interlocked.Increment(ref stripe.Counts.Requests);
        Interlocked.Decrement(ref stripe.Counts.Satisfied);
        Assert.Equal((2L, 0L, 0L), Counts(Assert.Single(recorder.Drain())));

        // ...then both errors land with only one new request: the sample holds one, the next the other.
        Interlocked.Add(ref stripe.Counts.Errors, 2);
        Interlocked.Increment(ref stripe.Counts.Satisfied);
        Interlocked.Increment(ref stripe.Counts.Requests);
        Assert.Equal((1L, 1L, 0L), Counts(Assert.Single(recorder.Drain())));
        Interlocked.Increment(ref stripe.Counts.Requests);
        Interlocked.Increment(ref stripe.Counts.Satisfied);
        Assert.Equal((1L, 1L, 0L), Counts(Assert.Single(recorder.Drain())));
        Interlocked.Increment(ref stripe.Counts.Requests);
        Assert.Equal((1L, 0L, 1L), Counts(Assert.Single(recorder.Drain())));

        static (long, long, long) Counts(TrafficSample s) => (s.Requests, s.Errors, s.Satisfied);
    }

    [Fact]
    public void Record_Apdex_SatisfiedToleratingFrustrated()
    {
        var recorder = new TrafficRecorder(new ManualTime(T0));
        recorder.Record("web", "1", "r", false, false, TimeSpan.FromMilliseconds(100), 100); // at T: satisfied
        recorder.Record("web", "1", "r", false, false, TimeSpan.FromMilliseconds(400), 100); // at 4T: tolerating
        recorder.Record("web", "1", "r", false, false, TimeSpan.FromMilliseconds(401), 100); // over 4T: frustrated
        recorder.Record("web", "1", "r", false, true, TimeSpan.FromMilliseconds(5), 100);    // error: frustrated
        var sample = Assert.Single(recorder.Drain());
        Assert.Equal((4L, 1L, 1L, 1L), (sample.Requests, sample.Errors, sample.Satisfied, sample.Tolerating));
    }

    [Fact]
    public void WritePrometheus_ParsesAndCountsEqualWhatWasRecorded()
    {
        var recorder = new TrafficRecorder(new ManualTime(T0));
        double[] millis = [0.4, 3, 7, 20, 40, 40, 80, 200, 700, 1500, 4000, 30_000];
        for (var i = 0; i < millis.Length; i++)
        {
            recorder.Record("web", "1.0", "r1", false, error: i % 4 == 0, TimeSpan.FromMilliseconds(millis[i]), 50);
        }

        recorder.Record("api", "7", "r7", true, false, TimeSpan.FromMilliseconds(9), 50);
        recorder.Drain(); // reports take deltas; /metrics keeps totals

        var text = Write(recorder);
        var parsed = PrometheusTextParser.Parse(text);
        Assert.Equal("counter", parsed.Types["failsafe_proxy_requests_total"]);
        Assert.Equal("counter", parsed.Types["failsafe_proxy_errors_total"]);
        Assert.Equal("counter", parsed.Types["failsafe_proxy_apdex_satisfied_total"]);
        Assert.Equal("counter", parsed.Types["failsafe_proxy_apdex_tolerating_total"]);
        Assert.Equal("histogram", parsed.Types["failsafe_proxy_request_duration_seconds"]);
        Assert.Equal(5, parsed.Help.Count);

        (string, string)[] web = [("service", "web"), ("version", "1.0")];
        Assert.Equal(12, parsed.Value("failsafe_proxy_requests_total", web));
        Assert.Equal(3, parsed.Value("failsafe_proxy_errors_total", web));
        Assert.Equal(millis.Where((m, i) => i % 4 != 0 && m <= 50).Count(), parsed.Value("failsafe_proxy_apdex_satisfied_total", web));
        Assert.Equal(millis.Where((m, i) => i % 4 != 0 && m > 50 && m <= 200).Count(), parsed.Value("failsafe_proxy_apdex_tolerating_total", web));
        Assert.Equal(1, parsed.Value("failsafe_proxy_requests_total", ("service", "api"), ("version", "7")));

        var buckets = parsed.Samples
            .Where(s => s.Name == "failsafe_proxy_request_duration_seconds_bucket" && s.Labels["service"] == "web")
            .Select(s => (Le: double.Parse(s.Labels["le"].Replace("+Inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture), s.Value))
            .ToList();
        Assert.Equal(PrometheusText.UpperBounds.Length + 1, buckets.Count);
        Assert.Equal(double.PositiveInfinity, buckets[^1].Le);
        foreach (var (le, count) in buckets)
        {
            Assert.Equal(millis.Count(m => m / 1000 <= le), count);
        }

        Assert.Equal(12, parsed.Value("failsafe_proxy_request_duration_seconds_count", web));
        Assert.Equal(millis.Sum() / 1000, parsed.Value("failsafe_proxy_request_duration_seconds_sum", web), 1e-6);
    }

    [Fact]
    public void WritePrometheus_LabelValuesWithQuotesBackslashesNewlines_AreEscaped()
    {
        var recorder = new TrafficRecorder(new ManualTime(T0));
        const string service = "we\"b\\x", version = "1.0\nbeta";
        recorder.Record(service, version, "r", false, false, TimeSpan.FromMilliseconds(1), 100);
        var text = Write(recorder);
        Assert.Contains("service=\"we\\\"b\\\\x\",version=\"1.0\\nbeta\"", text);
        var parsed = PrometheusTextParser.Parse(text);
        Assert.Equal(1, parsed.Value("failsafe_proxy_requests_total", ("service", service), ("version", version)));
    }

    [Fact]
    public void WritePrometheus_NothingRecorded_DeclaresTheFamiliesOnly()
    {
        var parsed = PrometheusTextParser.Parse(Write(new TrafficRecorder(new ManualTime(T0))));
        Assert.Equal(5, parsed.Types.Count);
        Assert.Empty(parsed.Samples);
    }

    private static string Write(TrafficRecorder recorder)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        recorder.WritePrometheus(writer);
        return writer.ToString();
    }
}
