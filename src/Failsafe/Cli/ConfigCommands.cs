using System.CommandLine;
using System.Text.Json;
using Failsafe.Config;
using Failsafe.Contracts;

namespace Failsafe.Cli;

/// <summary>validate, plan, apply, schema: the files in a repository are the truth, and the server is made to match them.</summary>
internal static class ConfigCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return CreateValidate();
        yield return CreatePlanOrApply(apply: false);
        yield return CreatePlanOrApply(apply: true);
        yield return CreateSchema();
    }

    private static Argument<string> PathArgument() => new("PATH")
    {
        Description = "A folder (every failsafe.yaml in it and below, and the fleet: failsafe.fleet.yaml or fleet/*.yaml) or one file.",
        DefaultValueFactory = _ => ".",
    };

    private static Command CreateValidate()
    {
        var path = PathArgument();
        var command = new Command("validate", "Check failsafe.yaml and fleet files without a server: every mistake, with file:line:column.") { path };
        command.SetAction(result =>
        {
            var loaded = Load(result.GetValue(path)!);
            var document = loaded.Document;
            Console.WriteLine(
                $"Valid: {Count(document.Services.Count, "service")}"
                + (document.Services.Count > 0 ? $" ({string.Join(", ", document.Services.Select(s => s.Name))})" : "")
                + (loaded.IncludesFleet
                    ? $"; fleet with {Count(document.Environments.Count, "environment")}, {Count(document.HostGroups.Count, "host group")}, {Count(document.Lifecycles.Count, "lifecycle")}"
                    : "; no fleet file (the server's fleet applies)")
                + $" — {Count(loaded.Files.Count, "file")}.");
            return 0;
        });
        return command;
    }

    private static Command CreatePlanOrApply(bool apply)
    {
        var connection = new ConnectionOptions();
        var path = PathArgument();
        var prune = new Option<bool>("--prune") { Description = "Also remove services the server holds and the files do not describe." };
        var json = new Option<bool>("--json") { Description = "Print the plan (or the applied result) as JSON." };
        var detailedExitCode = new Option<bool>("--detailed-exitcode")
        {
            Description = "Exit 2 when apply would change something and 0 when the server matches (1 on errors), for CI, as terraform plan does.",
        };
        var command = apply
            ? new Command("apply", "Make the server match the files, in one transaction, recorded with the git commit. Unchanged files change nothing.") { path, prune, json }
            : new Command("plan", "Show what apply would change on the server (add, change, remove) and the drift: server state the files do not describe.") { path, prune, json, detailedExitCode };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var folder = result.GetValue(path)!;
            var loaded = Load(folder);
            var full = Path.GetFullPath(folder);
            var request = new ConfigRequest(
                loaded.Document, loaded.IncludesFleet, result.GetValue(prune),
                GitCommit.Of(Directory.Exists(full) ? full : Path.GetDirectoryName(full)!), full);
            using var client = connection.CreateClient(result);
            var plan = await client.PlanAsync(request, ct).ConfigureAwait(false);
            if (!apply)
            {
                Console.WriteLine(result.GetValue(json) ? JsonSerializer.Serialize(plan, FailsafeJson.Options) : PlanText.Format(plan));
                return result.GetValue(detailedExitCode) && !plan.IsEmpty ? 2 : 0;
            }

            if (plan.IsEmpty)
            {
                Console.WriteLine(result.GetValue(json)
                    ? JsonSerializer.Serialize(new ConfigApplied(plan.Revision, false, []), FailsafeJson.Options)
                    : $"No changes: the server matches the files (revision {plan.Revision}).");
                return 0;
            }

            var applied = await client.ApplyAsync(request with { ExpectedRevision = plan.Revision }, ct).ConfigureAwait(false);
            Console.WriteLine(result.GetValue(json)
                ? JsonSerializer.Serialize(applied, FailsafeJson.Options)
                : PlanText.Format(plan) + Environment.NewLine + $"Applied: revision {applied.Revision}"
                    + (request.Commit is null ? "." : $" from commit {request.Commit}."));
            return 0;
        });
        return command;
    }

    private static Command CreateSchema()
    {
        var command = new Command("schema", "Print the JSON Schema of failsafe.yaml and the fleet file, for editors (also in docs/failsafe.schema.json).");
        command.SetAction(_ =>
        {
            Console.Write(ConfigSchema.Generate());
            return 0;
        });
        return command;
    }

    /// <summary>The files, or every mistake in them on standard error and a one-line summary as the failure.</summary>
    private static ConfigLoadResult Load(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new UserException($"'{path}' is neither a file nor a folder.");
        }

        var loaded = ConfigLoader.Load(path);
        if (loaded.Ok)
        {
            return loaded;
        }

        foreach (var error in loaded.Errors)
        {
            Console.Error.WriteLine(error.ToString());
        }

        var files = loaded.Errors.Select(e => e.File).Distinct().Count();
        throw new UserException($"{Count(loaded.Errors.Count, "mistake")} in {Count(files, "file")}; nothing was sent to the server.");
    }

    private static string Count(int n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";
}
