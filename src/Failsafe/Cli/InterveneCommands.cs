using System.CommandLine;
using System.Text.Json;
using Failsafe.Client;
using Failsafe.Contracts;

namespace Failsafe.Cli;

/// <summary>promote, abort, pause, resume: a person stepping into a running deployment.</summary>
internal static class InterveneCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Create(
            DeploymentActions.Promote,
            "Skip a running deployment's remaining canary steps, holds and analysis: switch every host now. "
            + "With a VERSION: deploy that release to the next environment of its lifecycle (or --to ENV), once it succeeded in the one before.");
        yield return Create(DeploymentActions.Abort, "Take the canary out of traffic and roll every switched host back.");
        yield return Create(DeploymentActions.Pause, "Hold the rollout at its current step (analysis still watches; a failing canary is still rolled back).");
        yield return Create(DeploymentActions.Resume, "Let a paused rollout go on.");
    }

    private static Command Create(string action, string description)
    {
        var connection = new ConnectionOptions();
        var target = new Argument<string>("SERVICE|DEPLOYMENT") { Description = "A service (its running deployment) or a deployment id such as d-12." };
        var json = new Option<bool>("--json") { Description = "Print the deployment as JSON." };
        var command = new Command(action, description) { target, json };
        connection.AddTo(command);
        var promotion = action == DeploymentActions.Promote ? new Promotion(command) : null;
        command.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            if (promotion?.Version(result) is { } version)
            {
                var created = await client.PromoteAsync(result.GetValue(target)!, new PromoteRequest(version, promotion.To(result)), ct).ConfigureAwait(false);
                return await DeployCommand.FinishAsync(client, created, promotion.Detach(result), result.GetValue(json), ct).ConfigureAwait(false);
            }

            var id = await ResolveAsync(client, result.GetValue(target)!, ct).ConfigureAwait(false);
            var info = await client.ActAsync(id, action, ct).ConfigureAwait(false);
            Console.WriteLine(result.GetValue(json)
                ? JsonSerializer.Serialize(info, FailsafeJson.Options)
                : $"{info.Id} ({info.Service} {info.Version}): {Said(action)}; it is {info.State}.");
            return 0;
        });
        return command;
    }

    private static async Task<string> ResolveAsync(FailsafeClient client, string target, CancellationToken ct)
    {
        if (target.StartsWith("d-", StringComparison.Ordinal))
        {
            return target;
        }

        var status = await client.GetServiceStatusAsync(target, ct).ConfigureAwait(false);
        return status.ActiveDeployment?.Id ?? throw new UserException($"{target} has no running deployment.");
    }

    private static string Said(string action) => action switch
    {
        DeploymentActions.Promote => "promoted",
        DeploymentActions.Abort => "aborted",
        DeploymentActions.Pause => "paused",
        _ => "resumed",
    };

    /// <summary><c>promote SERVICE VERSION [--to ENV]</c>: the lifecycle's next step, beside the canary's promote.</summary>
    private sealed class Promotion
    {
        private readonly Argument<string?> _version = new("VERSION") { Description = "A release of SERVICE to promote along its lifecycle.", Arity = ArgumentArity.ZeroOrOne };
        private readonly Option<string?> _to = new("--to") { Description = "The environment to promote to (default: the lifecycle's next one)." };
        private readonly Option<bool> _detach = new("--detach") { Description = "Start the deployment and return without following it." };

        public Promotion(Command command)
        {
            command.Arguments.Add(_version);
            command.Options.Add(_to);
            command.Options.Add(_detach);
        }

        public string? Version(ParseResult result) =>
            result.GetValue(_version) ?? (result.GetValue(_to) is not null ? throw new UserException("--to goes with a VERSION: failsafe promote SERVICE VERSION --to ENV.") : null);

        public string? To(ParseResult result) => result.GetValue(_to);

        public bool Detach(ParseResult result) => result.GetValue(_detach);
    }
}
