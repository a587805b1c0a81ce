using System.CommandLine;
using System.Text.Json;
using Failsafe.Contracts;

namespace Failsafe.Cli;

internal static class ApproveCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var deployment = new Argument<string>("DEPLOYMENT") { Description = "A deployment waiting at an environment's approval gate, such as d-12." };
        var comment = new Option<string?>("--comment") { Description = "Why, kept with the approval in the audit trail." };
        var json = new Option<bool>("--json") { Description = "Print the deployment as JSON." };
        var command = new Command("approve", "Approve a deployment waiting at its environment's gate; it starts once enough people approved.") { deployment, comment, json };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var info = await client.ApproveAsync(result.GetValue(deployment)!, result.GetValue(comment), ct).ConfigureAwait(false);
            Console.WriteLine(result.GetValue(json)
                ? JsonSerializer.Serialize(info, FailsafeJson.Options)
                : $"{info.Id} ({info.Service} {info.Version} to {info.Environment}): approved by {string.Join(", ", (info.Approvals ?? []).Select(a => a.By))}; it is {info.State}.");
            return 0;
        });
        return command;
    }
}
