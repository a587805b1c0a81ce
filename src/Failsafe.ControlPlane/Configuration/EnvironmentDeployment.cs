using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Configuration;

/// <summary>A deployment to an environment, worked out from the applied configuration before any row is written:
/// its hosts, its settings and policy (the service's failsafe.yaml), each host's variables, and its approval gate.</summary>
internal sealed record EnvironmentDeployment(
    EnvironmentConfig Environment,
    List<AgentRecord> Hosts,
    ActivationSettings Settings,
    RolloutPolicy? Policy,
    IReadOnlyDictionary<string, HostVariables> Variables)
{
    public ApprovalGate? Approval => Environment.Approval;

    /// <summary>Everything is checked here, so that a mistake (a variable the target lacks, a secret not set, a phase
    /// skipped) is refused with a sentence before any host is touched.</summary>
    public static async Task<EnvironmentDeployment> PrepareAsync(
        DbSession session, CreateDeployment request, List<AgentRecord> agents, Actor actor, DateTimeOffset now)
    {
        var name = request.Environment!;
        if (request.Settings is not null || request.Policy is not null)
        {
            throw ApiProblemException.BadRequest(
                $"A deployment to environment {name} takes its settings and rollout policy from the service's failsafe.yaml; change them there and apply.");
        }

        var document = (await ConfigStore.ReadAsync(session).ConfigureAwait(false)).Document;
        var service = document.Services.FirstOrDefault(s => s.Name == request.Service)
            ?? throw ApiProblemException.BadRequest($"{request.Service} has no failsafe.yaml applied: add one to its repository and run 'failsafe apply'.");
        var environment = document.Environments.FirstOrDefault(e => e.Name == name)
            ?? throw ApiProblemException.BadRequest(
                $"There is no environment {name}; the fleet defines {Names(document.Environments.Select(e => e.Name))}.");
        if (!service.Environments.Contains(name))
        {
            throw ApiProblemException.BadRequest(
                $"{service.Name} does not deploy to {name}: its failsafe.yaml lists {Names(service.Environments)}.");
        }

        await DeployLocks.RefuseIfLockedAsync(session, service.Name, name, actor, now).ConfigureAwait(false);
        var succeeded = await DeploymentsStore.SucceededEnvironmentsAsync(session, service.Name, request.Version).ConfigureAwait(false);
        LifecycleRules.RequirePrevious(LifecycleRules.Of(document, service), service, request.Version, name, succeeded);

        var hosts = HostSelection.Select(document, environment, agents);
        if (request.Hosts is { Count: > 0 } only)
        {
            var outside = only.Where(h => hosts.All(a => a.Name != h)).ToList();
            if (outside.Count > 0)
            {
                throw ApiProblemException.BadRequest($"{Names(outside)} {(outside.Count == 1 ? "is" : "are")} not in environment {name}, which reaches {Names(hosts.Select(h => h.Name))}.");
            }

            hosts = only.Distinct().Select(h => hosts.First(a => a.Name == h)).ToList();
        }

        if (hosts.Count == 0)
        {
            throw ApiProblemException.BadRequest(
                $"Environment {name} reaches no enrolled host (hosts {Names(environment.Hosts)}; host groups {Names(environment.HostGroups)}).");
        }

        var secrets = (await SecretsStore.ListAsync(session, name).ConfigureAwait(false)).Select(r => (r.Environment, r.Name)).ToHashSet();
        var problems = new List<string>();
        var variables = new Dictionary<string, HostVariables>(StringComparer.Ordinal);
        foreach (var host in hosts)
        {
            var groups = HostSelection.GroupsOf(document, host).Select(g => g.Name).ToList();
            var resolved = VariableResolver.Resolve(service, name, host.Name, groups, problems);
            foreach (var (variable, secret) in resolved.Secrets.Where(s => !secrets.Contains((name, s.Value))))
            {
                problems.Add($"variable {variable} uses secret {secret}, which is not set in environment {name} (failsafe secret set {secret} --env {name}).");
            }

            variables[host.Name] = resolved;
        }

        if (problems.Count > 0)
        {
            throw ApiProblemException.BadRequest(
                $"{service.Name} {request.Version} cannot deploy to {name}: " + string.Join(" ", problems.Distinct()) + " No host was touched.");
        }

        var run = service.Run;
        var settings = new ActivationSettings(
            KeepReleases: run.KeepReleases,
            HealthTimeoutSeconds: run.HealthTimeoutSeconds,
            DrainTimeoutSeconds: run.DrainTimeoutSeconds,
            HookTimeoutSeconds: service.Hooks.Select(h => h.TimeoutSeconds).DefaultIfEmpty(60).Max(),
            Traffic: run.Port is { } port
                ? new TrafficSettings(port, WarmUpPaths: run.WarmUpPaths, WarmUpRequests: run.WarmUpRequests)
                : null,
            Environment: name,
            Substitute: service.Substitute.Count > 0 ? service.Substitute : null);
        return new EnvironmentDeployment(environment, hosts, settings, service.Rollout, variables);
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
