using System.CommandLine;
using System.Text.Json;
using Failsafe.Client;
using Failsafe.Contracts;

namespace Failsafe.Cli;

internal static class DeployCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var service = new Argument<string>("SERVICE");
        var version = new Argument<string>("VERSION");
        var hosts = new Option<string?>("--hosts") { Description = "Comma-separated host names, deployed in this order." };
        var all = new Option<bool>("--all") { Description = "Every enrolled host." };
        var environment = new Option<string?>("--env") { Description = "Deploy to this environment of the applied configuration: its hosts, the service's failsafe.yaml settings and variables, its lifecycle and approval gate." };
        var batch = new Option<int>("--batch") { Description = "Hosts switched at a time; each batch is health-gated before the next.", DefaultValueFactory = _ => 1 };
        var noRollback = new Option<bool>("--no-rollback") { Description = "On failure, stop but leave the hosts already switched on the new release." };
        var healthTimeout = new Option<int?>("--health-timeout") { Description = "Seconds a new instance has to become healthy (default: the release's own)." };
        var keep = new Option<int>("--keep") { Description = "Releases kept on each host (never the current or previous one).", DefaultValueFactory = _ => 5 };
        var detach = new Option<bool>("--detach") { Description = "Start the deployment and return without following it." };
        var json = new Option<bool>("--json") { Description = "Print the final deployment as JSON." };
        var rollout = new RolloutOptions();
        var command = new Command("deploy", "Roll a pushed release out: a canary beside the running version when the service is behind the proxy (--port), then batches; rolls back by itself when a host fails or analysis finds the new version worse.")
        {
            service, version, environment, hosts, all, batch, noRollback, healthTimeout, keep, detach, json,
        };
        rollout.AddTo(command);
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var hostList = result.GetValue(hosts)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (hostList is not null && result.GetValue(all))
            {
                throw new UserException("Give --hosts or --all, not both.");
            }

            if (result.GetValue(batch) < 1)
            {
                throw new UserException("--batch must be at least 1.");
            }

            var env = result.GetValue(environment);
            if (env is not null && (result.GetValue(all) || rollout.AnyGiven(result) || result.GetValue(healthTimeout) is not null
                || result.GetResult(keep) is { Implicit: false }))
            {
                throw new UserException("--env takes its hosts, settings and rollout policy from the applied failsafe.yaml; give --hosts at most, to narrow it.");
            }

            var (settings, policy) = env is not null ? (null, null) : rollout.Read(
                result, new ActivationSettings(KeepReleases: result.GetValue(keep), HealthTimeoutSeconds: result.GetValue(healthTimeout) ?? 0));
            using var client = connection.CreateClient(result);
            var created = await client.CreateDeploymentAsync(
                new CreateDeployment(result.GetValue(service)!, result.GetValue(version)!, hostList, result.GetValue(all), result.GetValue(batch), result.GetValue(noRollback), settings, policy, env),
                ct).ConfigureAwait(false);
            return await FinishAsync(client, created, result.GetValue(detach), result.GetValue(json), ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Shared by deploy and rollback: follow (or not), print the outcome, exit 0 only on success.</summary>
    public static async Task<int> FinishAsync(FailsafeClient client, DeploymentInfo created, bool detach, bool json, CancellationToken ct)
    {
        if (created.State == DeploymentStates.AwaitingApproval)
        {
            Console.WriteLine(json ? JsonSerializer.Serialize(created, FailsafeJson.Options)
                : $"{created.Id} ({created.Service} {created.Version} to {created.Environment}) waits for approval: 'failsafe approve {created.Id}' by someone its gate names. No host was touched.");
            return 0;
        }

        if (detach)
        {
            Console.WriteLine(json ? JsonSerializer.Serialize(created, FailsafeJson.Options) : $"Started {created.Id}; follow it with 'failsafe status {created.Service} --watch'.");
            return 0;
        }

        var final = json
            ? await DeploymentFollower.FollowPlainAsync(client, created, TextWriter.Null, ct).ConfigureAwait(false)
            : await DeploymentFollower.FollowAsync(client, created, ct).ConfigureAwait(false);
        Console.WriteLine(json ? JsonSerializer.Serialize(final, FailsafeJson.Options) : DeploymentFollower.Summary(final));
        return final.State == DeploymentStates.Succeeded ? 0 : 1;
    }
}
