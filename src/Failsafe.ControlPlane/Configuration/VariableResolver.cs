using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Configuration;

/// <summary>
/// Which value of each variable one host gets. A value applies when every part of its scope matches the host
/// (environment, host group, host); among those, the most specific wins: host (4) over host group (2) over environment
/// (1) over everywhere (0), parts adding up. Two different values equally specific (the host is in two groups that
/// disagree) is an error: Failsafe never picks one silently.
/// </summary>
internal static class VariableResolver
{
    public static HostVariables Resolve(
        ServiceConfig service, string environment, string host, IReadOnlyCollection<string> hostGroups, List<string> errors)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in service.Variables.GroupBy(v => v.Name, StringComparer.Ordinal))
        {
            var applying = variable
                .Where(v => (v.Scope.Environment is null || v.Scope.Environment == environment)
                    && (v.Scope.HostGroup is null || hostGroups.Contains(v.Scope.HostGroup))
                    && (v.Scope.Host is null || v.Scope.Host == host))
                .GroupBy(Specificity)
                .OrderByDescending(g => g.Key)
                .FirstOrDefault();
            if (applying is null)
            {
                errors.Add($"variable {variable.Key} has no value for host {host} in environment {environment}"
                    + (hostGroups.Count > 0 ? $" (host groups {string.Join(", ", hostGroups)})" : "")
                    + $": it is set only for {string.Join("; ", variable.Select(v => v.Scope.ToString()))}.");
                continue;
            }

            var distinct = applying.DistinctBy(v => (v.Value, v.Secret)).ToList();
            if (distinct.Count > 1)
            {
                errors.Add($"variable {variable.Key} has {distinct.Count} different values for host {host}, equally specific: "
                    + string.Join("; ", distinct.Select(v => v.Scope.ToString()))
                    + $". Set it for host {host} (or in one place) to decide.");
                continue;
            }

            if (distinct[0].Secret is { } secret)
            {
                secrets[variable.Key] = secret;
            }
            else
            {
                values[variable.Key] = distinct[0].Value ?? "";
            }
        }

        return new HostVariables(values, secrets);
    }

    private static int Specificity(VariableConfig v) =>
        (v.Scope.Host is null ? 0 : 4) + (v.Scope.HostGroup is null ? 0 : 2) + (v.Scope.Environment is null ? 0 : 1);
}
