using Failsafe.Contracts;

namespace Failsafe.Config;

/// <summary>
/// Checks that the names in a loaded document point at something: for a service repository applied against the
/// server's fleet, where the loader could not check them because the fleet was not among the files.
/// </summary>
public static class ConfigRules
{
    /// <summary>One sentence per name that points at nothing; empty when all match.</summary>
    public static IReadOnlyList<string> Check(ConfigDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var environments = document.Environments.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var groups = document.HostGroups.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        var lifecycles = document.Lifecycles.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var service in document.Services)
        {
            problems.AddRange(service.Environments.Where(e => !environments.Contains(e)).Select(e => Sentences.ServiceEnvironment(service.Name, e)));
            if (service.Lifecycle is { } lifecycle && !lifecycles.Contains(lifecycle))
            {
                problems.Add(Sentences.ServiceLifecycle(service.Name, lifecycle));
            }

            foreach (var variable in service.Variables)
            {
                if (variable.Scope.Environment is { } environment && !environments.Contains(environment))
                {
                    problems.Add(Sentences.VariableEnvironment(service.Name, variable.Name, environment));
                }

                if (variable.Scope.HostGroup is { } group && !groups.Contains(group))
                {
                    problems.Add(Sentences.VariableHostGroup(service.Name, variable.Name, group));
                }
            }
        }

        foreach (var lifecycle in document.Lifecycles)
        {
            problems.AddRange(lifecycle.Phases.Where(p => !environments.Contains(p)).Select(p => Sentences.LifecyclePhase(lifecycle.Name, p)));
        }

        foreach (var environment in document.Environments)
        {
            problems.AddRange(environment.HostGroups.Where(g => !groups.Contains(g)).Select(g => Sentences.EnvironmentHostGroup(environment.Name, g)));
        }

        return problems;
    }
}
