using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Failsafe.Contracts;
using Spectre.Console;

namespace Failsafe.Cli;

internal static class StatusCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var service = new Argument<string?>("SERVICE") { Arity = ArgumentArity.ZeroOrOne, Description = "Show one service's hosts and rollout; without it, hosts and recent deployments." };
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var watch = new Option<bool>("--watch") { Description = "Follow the running deployment until it ends." };
        var command = new Command("status", "Show each host's current release and the rollout's progress.") { service, json, watch };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var name = result.GetValue(service);
            if (name is null)
            {
                var agents = await client.ListAgentsAsync(ct).ConfigureAwait(false);
                var deployments = await client.ListDeploymentsAsync(null, ct).ConfigureAwait(false);
                if (result.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new { agents, deployments }, FailsafeJson.Options));
                    return 0;
                }

                ListCommands.PrintHosts(agents);
                PrintDeployments(deployments.Take(10));
                return 0;
            }

            var status = await client.GetServiceStatusAsync(name, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(status, FailsafeJson.Options));
                return 0;
            }

            PrintService(status);
            if (result.GetValue(watch) && status.ActiveDeployment is { } active)
            {
                var final = await DeploymentFollower.FollowAsync(client, active, ct).ConfigureAwait(false);
                Console.WriteLine(DeploymentFollower.Summary(final));
            }

            return 0;
        });
        return command;
    }

    private static void PrintService(ServiceStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(status.Service))
            .AddColumn("host").AddColumn("online").AddColumn("current").AddColumn("instance").AddColumn("installed");
        foreach (var h in status.Hosts)
        {
            var instance = h.Instance is { } i ? $"{i.State} on :{i.Port.ToString(CultureInfo.InvariantCulture)}" + (i.Restarts > 0 ? $", {i.Restarts} restarts" : "") : "-";
            if (h.Canary is { } c)
            {
                instance += $"; canary {c.Release} {c.State} on :{c.Port.ToString(CultureInfo.InvariantCulture)}";
            }

            table.AddRow(Markup.Escape(h.Host), h.Online ? "yes" : "[red]no[/]", Markup.Escape(h.Current ?? "-"), Markup.Escape(instance), h.Installed.Count.ToString(CultureInfo.InvariantCulture));
        }

        Render(table);
        if (status.ActiveDeployment is { } active)
        {
            Render(DeploymentTable.Render(active));
        }
        else if (status.LastDeployment is { } last)
        {
            Console.WriteLine($"Last deployment: {DeploymentFollower.Summary(last)}");
        }

        foreach (var waiting in status.AwaitingApproval ?? [])
        {
            var given = waiting.Approvals is { Count: > 0 } approvals ? $"approved so far by {string.Join(", ", approvals.Select(a => a.By))}" : "no approval yet";
            Console.WriteLine($"{waiting.Id} ({waiting.Version} to {waiting.Environment}, by {waiting.CreatedBy}) awaits approval: {given}; 'failsafe approve {waiting.Id}'.");
        }
    }

    private static void PrintDeployments(IEnumerable<DeploymentInfo> deployments)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("recent deployments")
            .AddColumn("id").AddColumn("kind").AddColumn("service").AddColumn("version").AddColumn("state").AddColumn("created").AddColumn("reason");
        foreach (var d in deployments)
        {
            table.AddRow(d.Id, d.Kind, Markup.Escape(d.Service), Markup.Escape(d.Version), DeploymentTable.StateMarkup(d.State), d.CreatedAt.ToString("u", CultureInfo.InvariantCulture), Markup.Escape(d.Reason ?? ""));
        }

        Render(table);
    }

    internal static void Render(Spectre.Console.Rendering.IRenderable renderable) => AnsiConsole.Write(renderable);
}
