using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>
/// "Put it back": a running deployment of the service is turned around; otherwise every host that
/// runs the service switches to its previous release (or to the named version) with Activate tasks.
/// </summary>
internal sealed class RollbackPlanner(DeploymentPlanner planner, TimeProvider time, OrchestratorSignal signal)
{
    public async Task<DeploymentInfo> RollbackAsync(string service, RollbackRequest request, Actor actor, CancellationToken cancellationToken)
    {
        DeploymentPlanner.ValidateNames(service, request.ToVersion);
        var info = await planner.InsertOnceAsync(
            service,
            async session =>
            {
                var now = time.GetUtcNow();
                var active = await DeploymentsStore.FindActiveAsync(session, service).ConfigureAwait(false);
                if (active is not null)
                {
                    return await TurnAroundAsync(session, active, request, actor, now).ConfigureAwait(false);
                }

                var targets = await PlanAsync(session, service, request.ToVersion).ConfigureAwait(false);
                var versions = targets.Select(t => ReleaseIds.VersionOf(t.Target)).Distinct().ToList();
                var deployment = new DeploymentRecord(
                    0, DeploymentKinds.Rollback, service, request.ToVersion ?? (versions.Count == 1 ? versions[0] : "previous"),
                    DeploymentStates.Running, targets.Count, NoRollback: true, new ActivationSettings(), now, now, actor.Name, null);
                var id = await DeploymentsStore.InsertAsync(session, deployment).ConfigureAwait(false);
                for (var i = 0; i < targets.Count; i++)
                {
                    await DeploymentsStore.InsertHostAsync(session, new DeploymentHostRecord(
                        id, targets[i].Agent.Name, targets[i].Agent.Id, i, 1, HostStates.Pending, targets[i].Current, targets[i].Target,
                        null, null, null, now)).ConfigureAwait(false);
                }

                deployment = deployment with { Id = id };
                await EventsStore.AppendAsync(
                    session, now, actor, "rollback.request", deployment.DisplayId,
                    $"{service}: " + string.Join(", ", targets.Select(t => $"{t.Agent.Name} {t.Current} -> {t.Target}"))).ConfigureAwait(false);
                return await DeploymentReader.ToInfoAsync(session, deployment).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        signal.Wake();
        return info;
    }

    private static async Task<DeploymentInfo> TurnAroundAsync(DbSession session, DeploymentRecord active, RollbackRequest request, Actor actor, DateTimeOffset now)
    {
        if (active.State != DeploymentStates.Running || active.Kind != DeploymentKinds.Deploy)
        {
            throw ApiProblemException.Conflict($"Deployment {active.DisplayId} of {active.Service} is {(active.Kind == DeploymentKinds.Rollback ? "a rollback" : active.State)} already; wait for it.");
        }

        if (request.ToVersion is not null)
        {
            throw ApiProblemException.Conflict(
                $"Deployment {active.DisplayId} of {active.Service} ({active.Version}) is running; roll it back without a version first.");
        }

        await EventsStore.AppendAsync(session, now, actor, "rollback.request", active.DisplayId, $"{actor.Name} asked to roll back {active.DisplayId}")
            .ConfigureAwait(false);
        var turned = await Transitions.DeploymentAsync(
            session, now, actor, active, DeploymentStates.RollingBack, $"rollback requested by {actor.Name}").ConfigureAwait(false);
        return await DeploymentReader.ToInfoAsync(session, turned).ConfigureAwait(false);
    }

    private static async Task<List<(AgentRecord Agent, string Current, string Target)>> PlanAsync(DbSession session, string service, string? toVersion)
    {
        var agents = await AgentsStore.ListAsync(session).ConfigureAwait(false);
        var releases = await ReleasesStore.ListAsync(session, service).ConfigureAwait(false);
        var pushedAt = releases.ToDictionary(r => r.ReleaseId, r => r.PushedAt);
        var targets = new List<(AgentRecord, string, string)>();
        var problems = new List<string>();
        foreach (var agent in agents)
        {
            if (agent.ServiceState(service) is not { Current: { } current } state)
            {
                continue;
            }

            string? target;
            if (toVersion is not null)
            {
                var exact = releases.FirstOrDefault(r => r.Version == toVersion)?.ReleaseId;
                target = exact is not null && state.Installed.Contains(exact)
                    ? exact
                    : state.Installed.LastOrDefault(r => ReleaseIds.VersionOf(r) == toVersion);
                if (target is null)
                {
                    problems.Add($"{agent.Name} does not have {service} {toVersion} installed");
                }
            }
            else
            {
                target = await DeploymentsStore.LastPreviousReleaseAsync(session, service, agent.Name, current).ConfigureAwait(false);
                if (target is null || !state.Installed.Contains(target))
                {
                    // Newest other installed release: by push time where we know it, else the agent's own order.
                    target = state.Installed
                        .Select((id, index) => (id, index))
                        .Where(r => r.id != current)
                        .OrderBy(r => pushedAt.GetValueOrDefault(r.id, DateTimeOffset.MinValue))
                        .ThenBy(r => r.index)
                        .LastOrDefault().id;
                }

                if (target is null)
                {
                    problems.Add($"{agent.Name} has no earlier release of {service} to go back to");
                }
            }

            if (target is not null)
            {
                targets.Add((agent, current, target));
            }
        }

        if (problems.Count > 0)
        {
            throw ApiProblemException.BadRequest(string.Join("; ", problems) + (toVersion is null ? "." : $": deploy {service} {toVersion} instead."));
        }

        return targets.Count > 0 ? targets : throw ApiProblemException.BadRequest($"No host runs {service}; there is nothing to roll back.");
    }
}
