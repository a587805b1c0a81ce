using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Configuration;

/// <summary>
/// State on the server that the files do not describe, or that they describe and the server lacks: apply cannot
/// change it (hosts enroll, secrets are set by hand, releases are pushed), so plan names it and says what to do.
/// </summary>
internal static class ConfigDriftFinder
{
    public static async Task<List<ConfigDrift>> FindAsync(DbSession session, ConfigDocument desired, IReadOnlyList<string> unmanagedServices)
    {
        var drift = new List<ConfigDrift>();
        foreach (var service in unmanagedServices)
        {
            drift.Add(new ConfigDrift(ConfigDiff.Service, service, "is on the server but in none of these files; it stays (apply --prune removes it)"));
        }

        var agents = await AgentsStore.ListAsync(session).ConfigureAwait(false);
        if (desired.Environments.Count > 0)
        {
            foreach (var agent in agents.Where(a => !HostSelection.EnvironmentsOf(desired, a).Any()))
            {
                drift.Add(new ConfigDrift("host", agent.Name, "is enrolled but in no environment; no deployment by environment reaches it"));
            }
        }

        var enrolled = agents.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (host, where) in NamedHosts(desired).Where(h => !enrolled.Contains(h.Host)))
        {
            drift.Add(new ConfigDrift("host", host, $"is named by {where} but has not enrolled"));
        }

        var configured = desired.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var service in (await ReleasesStore.ListAsync(session, null).ConfigureAwait(false)).Select(r => r.Service).Distinct().Order(StringComparer.Ordinal))
        {
            if (!configured.Contains(service) && !unmanagedServices.Contains(service))
            {
                drift.Add(new ConfigDrift(ConfigDiff.Service, service, "has releases on the server but no failsafe.yaml; it deploys only by --hosts"));
            }
        }

        var set = (await SecretsStore.ListAsync(session, null).ConfigureAwait(false)).Select(r => (r.Environment, r.Name)).ToHashSet();
        var referenced = ReferencedSecrets(desired);
        foreach (var (environment, name, service) in referenced.Where(r => !set.Contains((r.Environment, r.Name))))
        {
            drift.Add(new ConfigDrift("secret", $"{environment}/{name}", $"is used by {service} but not set: failsafe secret set {name} --env {environment}"));
        }

        var used = referenced.Select(r => (r.Environment, r.Name)).ToHashSet();
        foreach (var (environment, name) in set.Where(s => !used.Contains(s)).Order())
        {
            drift.Add(new ConfigDrift("secret", $"{environment}/{name}", "is set but no service uses it"));
        }

        return drift;
    }

    /// <summary>Each (environment, secret, service) the services can need: a secret in a variable's scope is needed in
    /// every environment of the service that the scope reaches.</summary>
    private static List<(string Environment, string Name, string Service)> ReferencedSecrets(ConfigDocument document) =>
        document.Services
            .SelectMany(s => s.Variables.Where(v => v.Secret is not null)
                .SelectMany(v => s.Environments.Where(e => v.Scope.Environment is null || v.Scope.Environment == e)
                    .Select(e => (e, v.Secret!, s.Name))))
            .Distinct()
            .OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2, StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<(string Host, string Where)> NamedHosts(ConfigDocument document) =>
        document.Environments.SelectMany(e => e.Hosts.Select(h => (h, $"environment {e.Name}")))
            .Concat(document.HostGroups.SelectMany(g => g.Hosts.Select(h => (h, $"host group {g.Name}"))))
            .DistinctBy(h => h.Item1)
            .OrderBy(h => h.Item1, StringComparer.Ordinal);
}
