using Failsafe.Contracts;

namespace Failsafe.Config.Reading;

/// <summary>Joins what every file said into one <see cref="ConfigDocument"/>, matching names across files.</summary>
internal static class DocumentAssembler
{
    public static ConfigDocument Assemble(IReadOnlyList<ServiceDraft> serviceDrafts, FleetParts fleet, bool includesFleet)
    {
        var services = Unique(serviceDrafts.Where(s => s.Name is not null).Select(s => new Defined<ServiceDraft>(s, s.Name!)), "service");
        var environments = Unique(fleet.Environments, "environment");
        var groups = Unique(fleet.HostGroups, "host group");
        var lifecycles = Unique(fleet.Lifecycles, "lifecycle");

        var groupNames = groups.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (environment, group) in fleet.EnvironmentGroups.Where(g => !groupNames.Contains(g.Group.Name)))
        {
            group.Report(Sentences.EnvironmentHostGroup(environment, group.Name));
        }

        if (includesFleet)
        {
            foreach (var (lifecycle, phase) in fleet.Phases.Where(p => !environments.ContainsKey(p.Phase.Name)))
            {
                phase.Report(Sentences.LifecyclePhase(lifecycle, phase.Name));
            }
        }

        var flattened = HostGroupGraph.Flatten(groups);
        if (includesFleet)
        {
            foreach (var service in services.Values)
            {
                CheckService(service, environments, lifecycles, flattened);
            }
        }

        return new ConfigDocument(
            services.Values.Select(s => s.Config).ToList(),
            environments.Values.ToList(),
            flattened.Values.ToList(),
            lifecycles.Values.ToList());
    }

    /// <summary>The first definition of each name, in name order; a later one is reported with both places.</summary>
    private static SortedDictionary<string, T> Unique<T>(IEnumerable<Defined<T>> definitions, string kind)
    {
        var first = new Dictionary<string, Ref>(StringComparer.Ordinal);
        var unique = new SortedDictionary<string, T>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            var name = definition.Name.Name;
            if (first.TryGetValue(name, out var earlier))
            {
                definition.Name.Report($"{kind} '{name}' is defined twice: here and at {earlier.Where}");
                continue;
            }

            first.Add(name, definition.Name);
            unique.Add(name, definition.Value);
        }

        return unique;
    }

    private static void CheckService(
        ServiceDraft draft,
        SortedDictionary<string, EnvironmentConfig> environments,
        SortedDictionary<string, LifecycleConfig> lifecycles,
        SortedDictionary<string, HostGroupConfig> groups)
    {
        var service = draft.Config.Name;
        foreach (var environment in draft.Environments.Where(e => !environments.ContainsKey(e.Name)))
        {
            environment.Report(Sentences.ServiceEnvironment(service, environment.Name));
        }

        if (draft.Lifecycle is { } lifecycle && !lifecycles.ContainsKey(lifecycle.Name))
        {
            lifecycle.Report(Sentences.ServiceLifecycle(service, lifecycle.Name));
        }

        foreach (var (variable, scope) in draft.Scoped)
        {
            if (variable.Scope.Environment is { } environment && !environments.ContainsKey(environment))
            {
                scope.Report(Sentences.VariableEnvironment(service, variable.Name, environment));
            }
            else if (variable.Scope.HostGroup is { } group && !groups.ContainsKey(group))
            {
                scope.Report(Sentences.VariableHostGroup(service, variable.Name, group));
            }
        }

        CheckGroupConflicts(draft, groups);
    }

    // Two groups of one host giving a variable different values would leave the winner to chance: say so instead.
    private static void CheckGroupConflicts(ServiceDraft draft, SortedDictionary<string, HostGroupConfig> groups)
    {
        var hostValues = draft.Config.Variables.Where(v => v.Scope.Host is not null).Select(v => (v.Name, v.Scope.Host)).ToHashSet();
        foreach (var byVariable in draft.Scoped.Where(s => s.Variable.Scope.HostGroup is not null).GroupBy(s => s.Variable.Name))
        {
            var seen = new Dictionary<string, VariableConfig>(StringComparer.Ordinal);
            foreach (var (variable, scope) in byVariable)
            {
                if (!groups.TryGetValue(variable.Scope.HostGroup!, out var group))
                {
                    continue;
                }

                foreach (var host in group.Hosts.Where(h => !hostValues.Contains((variable.Name, h))))
                {
                    if (seen.TryGetValue(host, out var other) && (other.Value, other.Secret) != (variable.Value, variable.Secret))
                    {
                        scope.Report($"host {host} is in host groups {other.Scope.HostGroup} and {group.Name}, which give {variable.Name} different values: set it for the host under hosts.{host}");
                        break;
                    }

                    seen.TryAdd(host, variable);
                }
            }
        }
    }
}
