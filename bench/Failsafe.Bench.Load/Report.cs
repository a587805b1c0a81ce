using System.Globalization;
using System.Text;

namespace Failsafe.Bench.Load;

/// <summary>The cases side by side as a Markdown table, with the ratio of the second to the first.</summary>
internal static class Report
{
    private static readonly (RequestKind Kind, string Label)[] AgentRequests =
    [
        (RequestKind.PollWithTask, "poll answered with a task (includes the wait for it)"),
        (RequestKind.PollTimedOut, "poll answered empty at the 25 s timeout: time beyond 25 s"),
        (RequestKind.Metrics, "metrics report (1 sample)"),
        (RequestKind.Step, "step report"),
        (RequestKind.Complete, "task completion"),
        (RequestKind.Blob, "artifact download (4 KB)"),
    ];

    private static readonly (RequestKind Kind, string Label)[] ApiRequests =
    [
        (RequestKind.Push, "API: push a release"),
        (RequestKind.CreateDeployment, "API: create a deployment"),
        (RequestKind.GetDeployment, "API: get a deployment"),
    ];

    public static string Table(IReadOnlyList<CaseResult> cases)
    {
        var text = new StringBuilder();
        var header = cases.Select(c => c.Servers == 1 ? $"{Title(c)}, 1 server" : $"{Title(c)}, {c.Servers} replicas").ToList();
        var ratio = cases.Count == 2 ? $" {Title(cases[1])} / {Title(cases[0])} |" : "";
        text.AppendLine(CultureInfo.InvariantCulture, $"| figure | {string.Join(" | ", header)} |{ratio}");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Join("", cases.Select(_ => "---|"))}{(cases.Count == 2 ? "---|" : "")}");

        void Row(string label, Func<CaseResult, string> cell, Func<CaseResult, double>? value = null, Func<CaseResult, double>? second = null)
        {
            var line = $"| {label} | {string.Join(" | ", cases.Select(cell))} |";
            if (cases.Count == 2)
            {
                var r = value is null ? "" : Ratio(value(cases[1]), value(cases[0]));
                if (second is not null)
                {
                    r += " / " + Ratio(second(cases[1]), second(cases[0]));
                }

                line += $" {r} |";
            }

            text.AppendLine(line);
        }

        Row("simulated agents", c => $"{c.Agents}");
        Row("enrollment: tokens through the API, s", c => F(c.TokenSeconds, "0.0"), c => c.TokenSeconds);
        Row("enrollment: CSR → certificate, all agents, s", c => F(c.EnrollSeconds, "0.0"), c => c.EnrollSeconds);
        Row("enrollment: per agent p50 / p99, ms", c => $"{F(c.EnrollP50Ms)} / {F(c.EnrollP99Ms)}", c => c.EnrollP50Ms, c => c.EnrollP99Ms);
        Row("measured window, s", c => F(c.WindowSeconds, "0.0"));

        foreach (var (kind, label) in AgentRequests.Concat(ApiRequests))
        {
            var offset = kind == RequestKind.PollTimedOut ? LoadSettings.PollWaitSeconds * 1000.0 : 0;
            Row($"{label}: per second (errors)", c => Get(c, kind) is { } f ? $"{F(f.PerSecond, "0.0")} ({f.Errors})" : "–", c => Get(c, kind)?.PerSecond ?? double.NaN);
            Row($"{label}: p50 / p99, ms", c => Get(c, kind) is { } f ? $"{F(f.P50 - offset)} / {F(f.P99 - offset)}" : "–",
                c => (Get(c, kind)?.P50 ?? double.NaN) - offset, c => (Get(c, kind)?.P99 ?? double.NaN) - offset);
        }

        Row("polls that failed", c => $"{Get(c, RequestKind.PollFailed)?.Errors ?? 0}");
        Row("all agent requests per second", c => F(AgentRate(c), "0.0"), AgentRate);
        Row("task delivery (task can exist → agent has it): p50 / p99, ms",
            c => $"{F(RequestLog.Quantile(c.DeliveryMs, 0.5))} / {F(RequestLog.Quantile(c.DeliveryMs, 0.99))}",
            c => RequestLog.Quantile(c.DeliveryMs, 0.5), c => RequestLog.Quantile(c.DeliveryMs, 0.99));
        Row("deployments started / succeeded / failed (API errors)", c => $"{c.DeploymentsStarted} / {c.DeploymentsSucceeded} / {c.DeploymentsFailed} ({c.ApiErrors})");
        Row("deployment wall time p50 / max, s",
            c => $"{F(RequestLog.Quantile(c.DeploymentWallSeconds, 0.5), "0.00")} / {F(c.DeploymentWallSeconds.DefaultIfEmpty(double.NaN).Max(), "0.00")}",
            c => RequestLog.Quantile(c.DeploymentWallSeconds, 0.5));
        Row("server RSS idle, MB", c => Mb(c.RssIdle), c => c.RssIdle.Sum());
        Row("server RSS after enrollment, MB", c => Mb(c.RssEnrolled), c => c.RssEnrolled.Sum());
        Row("server RSS in the window, mean / max, MB", c => $"{Mb(c.RssMean)} / {Mb(c.RssMax)}", c => c.RssMean.Sum(), c => c.RssMax.Sum());
        Row("server peak RSS (VmHWM), MB", c => Mb(c.RssPeak), c => c.RssPeak.Sum());
        Row("server threads in the window, max", c => c.MaxThreads.Length == 1 ? $"{c.MaxThreads[0]}" : $"{string.Join(" + ", c.MaxThreads)}");
        Row("server CPU in the window, cores", c => Cores(c.ServerCpuSeconds, c.WindowSeconds), c => c.ServerCpuSeconds.Sum() / c.WindowSeconds);
        Row("PostgreSQL CPU in the window, cores", c => c.Servers == 1 ? "–" : F(c.PostgresCpuSeconds / c.WindowSeconds, "0.00"));
        Row("load generator CPU in the window, cores", c => F(c.BenchCpuSeconds / c.WindowSeconds, "0.00"), c => c.BenchCpuSeconds);
        return text.ToString();
    }

    private static string Title(CaseResult c) => c.Name == "postgres" ? "PostgreSQL" : "SQLite";

    private static KindFigures? Get(CaseResult c, RequestKind kind) => c.Requests.GetValueOrDefault(kind);

    private static double AgentRate(CaseResult c) =>
        c.Requests.Where(r => r.Key is not (RequestKind.Push or RequestKind.CreateDeployment or RequestKind.GetDeployment)).Sum(r => r.Value.PerSecond);

    /// <summary>Several replicas: their sum, then each in parentheses.</summary>
    private static string Mb(long[] bytes) =>
        bytes.Length == 1 ? F(bytes[0] / 1e6, "0") : $"{F(bytes.Sum() / 1e6, "0")} ({string.Join(" + ", bytes.Select(b => F(b / 1e6, "0")))})";

    private static string Cores(double[] seconds, double window) =>
        seconds.Length == 1 ? F(seconds[0] / window, "0.00") : $"{F(seconds.Sum() / window, "0.00")} ({string.Join(" + ", seconds.Select(s => F(s / window, "0.00")))})";

    private static string Ratio(double a, double b) => double.IsFinite(a) && double.IsFinite(b) && b != 0 ? F(a / b, "0.00") : "–";

    private static string F(double value, string format = "0.0") => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "–";
}
