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

        return d.Reason is null ? table : new Rows(table, new Markup($"[grey]{Markup.Escape(d.Reason)}[/]"));
    }

    public static string StateMarkup(string state) => state switch
    {
        DeploymentStates.Succeeded => "[green]succeeded[/]",
        DeploymentStates.Failed => "[red]failed[/]",
        DeploymentStates.RolledBack => "[yellow]rolled-back[/]",
        DeploymentStates.RollingBack => "[yellow]rolling-back[/]",
        HostStates.InProgress => "[blue]in-progress[/]",
        _ => Markup.Escape(state),
    };
}
