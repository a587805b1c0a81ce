using Failsafe.Artifacts;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Configuration;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>Turns a request to deploy into a stored deployment: which hosts, in which batches, of which release.</summary>
internal sealed class DeploymentPlanner(IDatabase database, TimeProvider time, OrchestratorSignal signal)
{
    public async Task<DeploymentInfo> CreateAsync(CreateDeployment request, Actor actor, CancellationToken cancellationToken)
    {
        Validate(request);
        var info = await InsertOnceAsync(
            request.Service,
            async session =>
            {
                var release = await ReleasesStore.FindAsync(session, request.Service, request.Version).ConfigureAwait(false)
                    ?? throw ApiProblemException.NotFound($"No release {request.Service} {request.Version} has been pushed.");
                var agents = await AgentsStore.ListAsync(session).ConfigureAwait(false);
                var now = time.GetUtcNow();
                var target = request.Environment is null ? null
                    : await EnvironmentDeployment.PrepareAsync(session, request, agents, actor, now).ConfigureAwait(false);
                var targets = target?.Hosts ?? SelectHosts(request, agents);
                if (target is null)
                {
                    await RefuseIfEnvironmentLockedAsync(session, request.Service, targets, agents, actor, now).ConfigureAwait(false);
                }

                await RefuseIfBusyAsync(session, request.Service, request.Environment, targets.Select(t => t.Name).ToList()).ConfigureAwait(false);
                var settings = target?.Settings ?? request.Settings ?? new ActivationSettings();
                var policy = RolloutPolicyRules.Resolve(target?.Policy ?? request.Policy, settings);
                var canaryHosts = Math.Min(policy.CanaryHosts, targets.Count);
                // A canary is compared with the release it runs beside: every canary host must run one already.
                var bare = targets.Take(canaryHosts).Where(t => t.ServiceState(request.Service)?.Current is null).Select(t => t.Name).ToList();
                var withCanary = policy.Steps!.Count > 0 && bare.Count == 0;
                var deployment = new DeploymentRecord(
                    0, DeploymentKinds.Deploy, request.Service, request.Version,
                    target?.Approval is null ? DeploymentStates.Running : DeploymentStates.AwaitingApproval, request.BatchSize,
                    request.NoRollback, settings, now, now, actor.Name, null, RolloutState.Start(policy, withCanary), request.Environment);
                var id = await DeploymentsStore.InsertAsync(session, deployment).ConfigureAwait(false);
                for (var i = 0; i < targets.Count; i++)
                {
                    var batch = !withCanary ? (i / request.BatchSize) + 1
                        : i < canaryHosts ? 1
                        : ((i - canaryHosts) / request.BatchSize) + 2;
                    await DeploymentsStore.InsertHostAsync(session, new DeploymentHostRecord(
                        id, targets[i].Name, targets[i].Id, i, batch, HostStates.Pending,
                        targets[i].ServiceState(request.Service)?.Current, release.ReleaseId, null, null, null, now,
                        Variables: target?.Variables[targets[i].Name])).ConfigureAwait(false);
                }

                deployment = deployment with { Id = id };
                await EventsStore.AppendAsync(
                    session, now, actor, "deployment.create", deployment.DisplayId,
                    $"{request.Service} {request.Version} to "
                    + (request.Environment is null ? "" : $"{request.Environment} (") + string.Join(", ", targets.Select(t => t.Name))
                    + (request.Environment is null ? "" : ")")
                    + (withCanary
                        ? $": canary on {string.Join(", ", targets.Take(canaryHosts).Select(t => t.Name))} at {string.Join(" → ", policy.Steps.Select(s => s.Weight + "%"))}, then batches of {request.BatchSize}"
                        : $" in batches of {request.BatchSize}")
                    + (policy.Steps.Count > 0 && !withCanary ? $" (no canary: {string.Join(", ", bare)} runs no release to compare with)" : string.Empty)
                    + (request.NoRollback ? ", no rollback" : string.Empty)
                    + (target?.Approval is { } gate ? $"; waits for {Approvals.Describe(gate)}" : string.Empty)).ConfigureAwait(false);
                return await DeploymentReader.ToInfoAsync(session, deployment).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        signal.Wake();
        return info;
    }

    /// <summary>Runs the insert; the unique index on active deployments turns a lost race into the same 409 as the check.</summary>
    internal async Task<T> InsertOnceAsync<T>(string service, Func<DbSession, Task<T>> insert, CancellationToken cancellationToken)
    {
        try
        {
            return await database.WriteAsync(insert, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (database.IsUniqueViolation(e))
        {
            var active = await database.ReadAsync(s => DeploymentsStore.FindActiveAsync(s, service), cancellationToken).ConfigureAwait(false);
            throw ApiProblemException.Conflict(
                active is null ? $"Another deployment of {service} started at the same time; wait for it or roll it back." : BusyMessage(active));
        }
    }

    /// <summary>A deployment by hand names no environment, but a lock on an environment still covers that environment's hosts.</summary>
    private static async Task RefuseIfEnvironmentLockedAsync(
        DbSession session, string service, List<AgentRecord> targets, List<AgentRecord> agents, Actor actor, DateTimeOffset now)
    {
        var document = (await ConfigStore.ReadAsync(session).ConfigureAwait(false)).Document;
        var names = targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var environment in document.Environments)
        {
            if (HostSelection.Select(document, environment, agents).Any(h => names.Contains(h.Name)))
            {
                await DeployLocks.RefuseIfLockedAsync(session, service, environment.Name, actor, now).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One deployment per service and environment, and never two of a service on one host at once.</summary>
    internal static async Task RefuseIfBusyAsync(DbSession session, string service, string? environment, IReadOnlyCollection<string> hosts)
    {
        var conflicting = await DeploymentsStore.FindConflictingAsync(session, service, environment, hosts).ConfigureAwait(false);
        if (conflicting.Count > 0)
        {
            throw ApiProblemException.Conflict(BusyMessage(conflicting[0]));
        }
    }

    private static string BusyMessage(DeploymentRecord active) =>
        $"Deployment {active.DisplayId} of {active.Service} ({active.Version}"
        + (active.Environment is null ? "" : $" to {active.Environment}") + $") is {active.State}; wait for it or roll it back.";

    private static void Validate(CreateDeployment request)
    {
        ValidateNames(request.Service, request.Version);
        if (request.BatchSize < 1)
        {
            throw ApiProblemException.BadRequest("The batch size must be at least 1.");
        }

        if (request.All && request.Hosts is { Count: > 0 })
        {
            throw ApiProblemException.BadRequest("Give either hosts or all, not both.");
        }

        if (request.Settings is { } s && (s.KeepReleases < 1 || s.HealthTimeoutSeconds < 0 || s.DrainTimeoutSeconds < 0 || s.HookTimeoutSeconds < 1))
        {
            throw ApiProblemException.BadRequest("Settings must be positive: keep at least 1 release and give every timeout at least 1 second (a health timeout of 0 means the release's own).");
        }

        if (request.Settings?.Traffic is { } traffic)
        {
            RolloutPolicyRules.ValidateTraffic(traffic);
        }
    }

    internal static void ValidateNames(string? service, string? version)
    {
        try
        {
            ServiceName.Validate(service);
            if (version is not null)
            {
                ReleaseVersion.Validate(version);
            }
        }
        catch (ArtifactException e)
        {
            throw ApiProblemException.BadRequest(e.Message);
        }
    }

    private static List<AgentRecord> SelectHosts(CreateDeployment request, List<AgentRecord> agents)
    {
        if (request.Hosts is { Count: > 0 } names)
        {
            var byName = agents.ToDictionary(a => a.Name, StringComparer.Ordinal);
            var unknown = names.Where(n => !byName.ContainsKey(n)).Distinct().ToList();
            if (unknown.Count > 0)
            {
                throw ApiProblemException.BadRequest(
                    $"Unknown {(unknown.Count == 1 ? "host" : "hosts")}: {string.Join(", ", unknown)}. Enrolled agents: "
                    + (agents.Count == 0 ? "none" : string.Join(", ", agents.Select(a => a.Name))) + ".");
            }

            return names.Distinct().Select(n => byName[n]).ToList();
        }

        if (request.All)
        {
            return agents.Count > 0 ? agents : throw ApiProblemException.BadRequest("No agents are enrolled yet: enroll one with an agent token first.");
        }

        var running = agents.Where(a => a.ServiceState(request.Service) is not null).ToList();
        return running.Count > 0 ? running : throw ApiProblemException.BadRequest("No hosts given: use --hosts a,b or --all.");
    }
}
