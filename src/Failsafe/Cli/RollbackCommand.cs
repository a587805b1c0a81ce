using System.CommandLine;

namespace Failsafe.Cli;

internal static class RollbackCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var service = new Argument<string>("SERVICE");
        var to = new Option<string?>("--to") { Description = "Version to switch to (default: each host's previous release). It must still be installed; nothing is downloaded." };
        var detach = new Option<bool>("--detach") { Description = "Start the rollback and return without following it." };
        var json = new Option<bool>("--json") { Description = "Print the final deployment as JSON." };
        var command = new Command("rollback", "Switch a service back to a release its hosts still have installed.") { service, to, detach, json };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var created = await client.RollbackAsync(result.GetValue(service)!, result.GetValue(to), ct).ConfigureAwait(false);
            return await DeployCommand.FinishAsync(client, created, result.GetValue(detach), result.GetValue(json), ct).ConfigureAwait(false);
        });
        return command;
    }
}
