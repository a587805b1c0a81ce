using Failsafe.Config.Validation;
using Failsafe.Contracts;

namespace Failsafe.Config.Reading;

/// <summary>The <c>rollout</c> block as a fully spelled-out <see cref="RolloutPolicy"/> (defaults filled in).</summary>
internal static class RolloutReader
{
    public static RolloutPolicy? Read(ObjectValue? rollout, FileReport report)
    {
        if (rollout is null)
        {
            return null;
        }

        var hold = rollout.Seconds("hold") ?? 30;
        var weights = rollout["steps"] is null
            ? RolloutPolicy.Default.Steps!.Select(s => s.Weight).ToList()
            : Rising(rollout.List("steps"), report);
        var analysis = rollout.Object("analysis");
        var defaults = new AnalysisSettings();
        var settings = analysis is null
            ? defaults
            : new AnalysisSettings(
                analysis.Percent("false-alarm") / 100 ?? defaults.FalseAlarmRate,
                analysis.Percent("min-error-increase") / 100 ?? defaults.MinErrorRateIncrease,
                analysis.Percent("min-latency-increase") / 100 ?? defaults.MinLatencyIncrease,
                analysis.Int("min-requests") ?? defaults.MinRequests,
                Prometheus(analysis.Object("prometheus")),
                analysis.Seconds("initial-delay") ?? defaults.InitialDelaySeconds);
        return new RolloutPolicy(
            weights.Select(w => new CanaryStep(w, hold)).ToList(),
            rollout.Int("canary-hosts") ?? 1,
            rollout.Seconds("batch-hold") ?? 0,
            settings);
    }

    private static List<int> Rising(IReadOnlyList<Node> steps, FileReport report)
    {
        var weights = new List<int>();
        Node? previous = null;
        foreach (var step in steps)
        {
            var weight = (int)(double)step.Value;
            if (previous is not null && weight <= (int)(double)previous.Value)
            {
                report.Add(step.At, step.Field,
                    $"steps must rise: {weight}% comes after {ScalarText.Percent((double)previous.Value)}");
                continue;
            }

            weights.Add(weight);
            previous = step;
        }

        return weights;
    }

    private static PrometheusSource? Prometheus(ObjectValue? prometheus) =>
        prometheus?.Text("url") is not { } url
            ? null
            : new PrometheusSource(
                url,
                prometheus.Text("requests-query") ?? PrometheusSource.DefaultRequestsQuery,
                prometheus.Text("errors-query") ?? PrometheusSource.DefaultErrorsQuery,
                prometheus.Text("latency-buckets-query") ?? PrometheusSource.DefaultLatencyBucketsQuery);
}
