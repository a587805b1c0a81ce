using System.CommandLine;
using System.Globalization;
using Failsafe.Contracts;
using Spectre.Console;

namespace Failsafe.Cli;

/// <summary><c>failsafe lock</c>, <c>unlock</c> and <c>locks</c>: keep others from deploying a service to an environment for a while.</summary>
internal static class LockCommands
{
    public static IEnumerable<Command> Create() => [CreateLock(), CreateUnlock(), CreateList()];

    private static Command CreateLock()
    {
        var connection = new ConnectionOptions();
        var service = new Argument<string>("SERVICE") { Description = "The service to lock." };
        var environment = EnvironmentOption();
        var duration = new Option<string>("--for") { Description = "How long, e.g. 30m or 2h (default 30m); the lock ends by itself then.", DefaultValueFactory = _ => "30m" };
        var reason = new Option<string?>("--reason") { Description = "Why, for whoever is refused." };
        var command = new Command("lock", "Lock a service in an environment: only you may deploy it there until the lock ends. Again to renew.")
        {
            service, environment, duration, reason,
        };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var span = RolloutOptions.Duration(result.GetValue(duration)!, "--for");
            if (span < TimeSpan.FromMinutes(1))
            {
                throw new UserException($"--for: '{result.GetValue(duration)}' is too short; a lock lasts at least 1m.");
            }

            using var client = connection.CreateClient(result);
            var taken = await client.TakeDeployLockAsync(
                result.GetValue(service)!, new TakeDeployLock(result.GetValue(environment)!, (int)Math.Ceiling(span.TotalMinutes), result.GetValue(reason)), ct)
                .ConfigureAwait(false);
            Console.WriteLine($"Locked {taken.Service} in {taken.Environment} for {taken.Holder} until {taken.ExpiresAt.ToString("u", CultureInfo.InvariantCulture)}.");
            return 0;
        });
        return command;
    }

    private static Command CreateUnlock()
    {
        var connection = new ConnectionOptions();
        var service = new Argument<string>("SERVICE") { Description = "The locked service." };
        var environment = EnvironmentOption();
        var force = new Option<bool>("--force") { Description = "Open a lock someone else holds (admin only)." };
        var command = new Command("unlock", "End your lock on a service in an environment.") { service, environment, force };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var released = await client.ReleaseDeployLockAsync(result.GetValue(service)!, result.GetValue(environment)!, result.GetValue(force), ct)
                .ConfigureAwait(false);
            Console.WriteLine($"Unlocked {released.Service} in {released.Environment} (held by {released.Holder}).");
            return 0;
        });
        return command;
    }

    private static Command CreateList()
    {
        var connection = new ConnectionOptions();
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var command = new Command("locks", "List the deploy locks in force.") { json };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var locks = await client.ListDeployLocksAsync(ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(locks, FailsafeJson.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("service").AddColumn("env").AddColumn("holder").AddColumn("until").AddColumn("reason");
            foreach (var l in locks)
            {
                table.AddRow(
                    Markup.Escape(l.Service), Markup.Escape(l.Environment), Markup.Escape(l.Holder),
                    l.ExpiresAt.ToString("u", CultureInfo.InvariantCulture), Markup.Escape(l.Reason ?? ""));
            }

            StatusCommand.Render(table);
            return 0;
        });
        return command;
    }

    private static Option<string> EnvironmentOption() => new("--env") { Description = "The environment (e.g. prod).", Required = true };
}
