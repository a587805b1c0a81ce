using Failsafe.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Failsafe.Cli;

internal static class DeploymentTable
{
    public static IRenderable Render(DeploymentInfo d)
    {
        var done = d.Hosts.Count(h => h.State is HostStates.Succeeded or HostStates.RolledBack or HostStates.Failed);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{d.Id} {d.Kind} {Markup.Escape(d.Service)} {Markup.Escape(d.Version)}: [bold]{StateMarkup(d.State)}[/] ({done}/{d.Hosts.Count} hosts)")
            .AddColumn("host").AddColumn("batch").AddColumn("state").AddColumn("from").AddColumn("to").AddColumn("last step");
        foreach (var h in d.Hosts)
        {
            var last = h.Steps.LastOrDefault();
            table.AddRow(
                Markup.Escape(h.Host),
                h.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                StateMarkup(h.State),
                Markup.Escape(h.PreviousRelease ?? "-"),
                Markup.Escape(h.TargetRelease ?? "-"),
                Markup.Escape(h.Error ?? (last is null ? "" : $"{last.Name} {last.Status} ({last.DurationMs} ms)")));
        }

        var lines = new List<IRenderable> { table };
        if (Progress(d) is { } progress)
        {
            lines.Add(new Markup(Markup.Escape(progress)));
        }

        if (d.Rollout?.Verdict is { } verdict)
        {
            lines.Add(new Markup($"{VerdictMarkup(verdict.Outcome)} {Markup.Escape(verdict.Sentence)}"));
        }

        if (d.Reason is not null)
        {
            lines.Add(new Markup($"[grey]{Markup.Escape(d.Reason)}[/]"));
        }

        return lines.Count == 1 ? table : new Rows(lines);
    }

    /// <summary>"canary step 2 of 3: 25% of traffic (paused)", or null when the deployment has no canary.</summary>
    public static string? Progress(DeploymentInfo d)
    {
        if (d.Rollout is not { } r)
        {
            return null;
        }

        if ((r.Policy.Steps ?? []).Count == 0 || r.Phase != RolloutPhases.Canary)
        {
            return r.Paused ? "paused" : null;
        }

        var steps = r.Policy.Steps!.Count;
        var where = r.Step < 0 ? "canary starting" : $"canary step {r.Step + 1} of {steps}: {r.CanaryWeight}% of traffic";
        return where + (r.Paused ? " (paused)" : string.Empty) + (r.PromotedBy is { } by ? $" (promoted by {by})" : string.Empty);
    }

    public static string VerdictMarkup(string outcome) => outcome switch
    {
        VerdictOutcomes.Pass => "[green]PASS[/]",
        VerdictOutcomes.Fail => "[red]FAIL[/]",
        VerdictOutcomes.NoData => "[grey]NO-DATA[/]",
        _ => "[yellow]HOLD[/]",
    };

    public static string StateMarkup(string state) => state switch
    {
        DeploymentStates.Succeeded => "[green]succeeded[/]",
        DeploymentStates.Failed => "[red]failed[/]",
        DeploymentStates.RolledBack => "[yellow]rolled-back[/]",
        DeploymentStates.RollingBack => "[yellow]rolling-back[/]",
        HostStates.InProgress => "[blue]in-progress[/]",
        HostStates.Canary => "[blue]canary[/]",
        _ => Markup.Escape(state),
    };
}
