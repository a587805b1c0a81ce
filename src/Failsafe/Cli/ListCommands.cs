using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Failsafe.Contracts;
using Spectre.Console;

namespace Failsafe.Cli;

/// <summary>Read-only listings: hosts, releases, events.</summary>
internal static class ListCommands
{
    public static Command CreateHosts() => Create<IReadOnlyList<AgentInfo>>("hosts", "List enrolled hosts, whether they are online and what they run.", async (client, ct) =>
    {
        var agents = await client.ListAgentsAsync(ct).ConfigureAwait(false);
        return (agents, () => PrintHosts(agents));
    });

    public static Command CreateReleases() => Create<IReadOnlyList<ReleaseInfo>>("releases", "List pushed releases.", async (client, ct) =>
    {
        var releases = await client.ListReleasesAsync(null, ct).ConfigureAwait(false);
        return (releases, () =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("service").AddColumn("version").AddColumn("size").AddColumn("files").AddColumn("sha256").AddColumn("pushed");
            foreach (var r in releases)
            {
                table.AddRow(Markup.Escape(r.Service), Markup.Escape(r.Version), Sizes.Format(r.Size), r.FileCount.ToString(CultureInfo.InvariantCulture), r.Sha256[..12], $"{r.PushedAt:u} by {Markup.Escape(r.PushedBy)}");
            }

            StatusCommand.Render(table);
        }
        );
    });

    public static Command CreateEvents() => Create<IReadOnlyList<EventInfo>>("events", "Show the audit log: who changed what, when, from where, and the result.", async (client, ct) =>
    {
        var events = await client.ListEventsAsync(50, ct).ConfigureAwait(false);
        return (events, () =>
        {
            foreach (var e in events.Reverse())
            {
                Console.WriteLine($"{e.At:u} #{e.Id} {e.Actor}@{e.RemoteAddress ?? "-"} {e.Action} {e.Target} {e.Result}{(e.Detail is null ? "" : ": " + e.Detail)}");
            }
        }
        );
    });

    public static void PrintHosts(IReadOnlyList<AgentInfo> agents)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("hosts").AddColumn("host").AddColumn("online").AddColumn("last seen").AddColumn("services");
        foreach (var a in agents)
        {
            var services = a.Inventory?.Services.Select(s => $"{s.Service}={s.Current ?? "-"}") ?? [];
            table.AddRow(Markup.Escape(a.Name), a.Online ? "[green]yes[/]" : "[red]no[/]", a.LastSeenAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never", Markup.Escape(string.Join(", ", services)));
        }

        StatusCommand.Render(table);
    }

    private static Command Create<T>(string name, string description, Func<Client.FailsafeClient, CancellationToken, Task<(T Data, Action Print)>> load)
    {
        var connection = new ConnectionOptions();
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var command = new Command(name, description) { json };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var (data, print) = await load(client, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(data, FailsafeJson.Options));
            }
            else
            {
                print();
            }

            return 0;
        });
        return command;
    }
}
