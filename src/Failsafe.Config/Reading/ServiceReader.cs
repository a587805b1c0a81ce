using Failsafe.Config.Validation;
using Failsafe.Contracts;

namespace Failsafe.Config.Reading;

/// <param name="Scoped">Each value set for an environment or host group, with where that name was written.</param>
internal sealed record ServiceDraft(
    ServiceConfig Config,
    Ref? Name,
    IReadOnlyList<Ref> Environments,
    Ref? Lifecycle,
    IReadOnlyList<(VariableConfig Variable, Ref Scope)> Scoped);

/// <summary>Turns a walked <c>failsafe.yaml</c> into a <see cref="ServiceConfig"/>, checking what a shape cannot say.</summary>
internal static class ServiceReader
{
    public static ServiceDraft Read(ObjectValue root, FileReport report)
    {
        var name = root["service"] is { } n ? new Ref(report, n) : null;
        var run = ReadRun(root.Object("run"));
        var hooks = ReadHooks(root.Object("hooks"));
        var rollout = RolloutReader.Read(root.Object("rollout"), report);
        var scoped = new List<(VariableConfig, Ref)>();
        var variables = VariableReader.Read(root.Map("variables"), report, scoped);
        var environments = root.List("environments").Select(e => new Ref(report, e)).ToList();
        var lifecycle = root["lifecycle"] is { } l ? new Ref(report, l) : null;

        CheckPlaceholders(root, variables, report);

        var config = new ServiceConfig(
            name?.Name ?? "",
            run,
            hooks,
            rollout,
            variables,
            root.List("substitute").Select(s => s.Text).ToList(),
            environments.Select(e => e.Name).Order(StringComparer.Ordinal).ToList(),
            lifecycle?.Name);
        return new ServiceDraft(config, name, environments, lifecycle, scoped);
    }

    private static RunConfig ReadRun(ObjectValue? run)
    {
        var defaults = new RunConfig("");
        if (run is null)
        {
            return defaults;
        }

        var health = run.Object("health");
        var warmUp = run.Object("warm-up");
        return new RunConfig(
            run.Text("entry") ?? "",
            run.Int("port"),
            health?.Text("path") ?? defaults.HealthPath,
            health?.Seconds("timeout") ?? defaults.HealthTimeoutSeconds,
            warmUp?["paths"] is null ? null : warmUp.List("paths").Select(p => p.Text).ToList(),
            warmUp?.Int("requests") ?? defaults.WarmUpRequests,
            run.Seconds("drain-timeout") ?? defaults.DrainTimeoutSeconds,
            run.Int("keep-releases") ?? defaults.KeepReleases);
    }

    private static List<HookConfig> ReadHooks(ObjectValue? hooks)
    {
        var list = new List<HookConfig>();
        foreach (var name in Artifacts.HookNames.All)
        {
            switch (hooks?[name]?.Value)
            {
                case string command:
                    list.Add(new HookConfig(name, command));
                    break;
                case ObjectValue hook when hook.Text("command") is { } command:
                    list.Add(new HookConfig(name, command, hook.Seconds("timeout") ?? 60));
                    break;
            }
        }

        return list.OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
    }

    // Every #{NAME} in the entry, the hooks' commands and the variables' values must name one of the service's variables.
    private static void CheckPlaceholders(ObjectValue root, IReadOnlyList<VariableConfig> variables, FileReport report)
    {
        var defined = variables.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in PlaceholderSites(root))
        {
            foreach (var used in VariablePlaceholders.Names(node.Text).Where(u => !defined.Contains(u)))
            {
                report.Add(node.At, node.Field, $"#{{{used}}} names no variable: define {used} under variables");
            }
        }
    }

    private static IEnumerable<Node> PlaceholderSites(ObjectValue root)
    {
        if (root.Object("run")?["entry"] is { } entry)
        {
            yield return entry;
        }

        foreach (var name in Artifacts.HookNames.All)
        {
            var hook = root.Object("hooks")?[name];
            if (hook?.Value is string)
            {
                yield return hook;
            }
            else if ((hook?.Value as ObjectValue)?["command"] is { } command)
            {
                yield return command;
            }
        }

        foreach (var (_, value) in root.Map("variables"))
        {
            foreach (var text in VariableReader.ValueNodes(value))
            {
                yield return text;
            }
        }
    }
}
