using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>One pass of the state machine over one deployment: its rows as read, and the writes that change them (each with its event).</summary>
internal sealed class DeploymentRun(DbSession session, DateTimeOffset now, DeploymentRecord deployment, List<DeploymentHostRecord> hosts)
{
    public DbSession Session => session;

    public DateTimeOffset Now => now;

    public DeploymentRecord Deployment { get; private set; } = deployment;

    public List<DeploymentHostRecord> Hosts => hosts;

    public List<string> Woken { get; } = [];

    public async Task SetHostAsync(int index, DeploymentHostRecord changed, string? detail = null) =>
        hosts[index] = await Transitions.HostAsync(session, now, Actor.System, hosts[index], changed, detail).ConfigureAwait(false);

    public async Task SetDeploymentAsync(string state, string? reason) =>
        Deployment = await Transitions.DeploymentAsync(session, now, Actor.System, Deployment, state, reason).ConfigureAwait(false);

    /// <summary>A task for one host. A deploy carries the host's own variables (secrets by name only: the dispatcher reveals
    /// them as it hands the task over); a rollback carries none, so the agent brings back the previous release with the
    /// variables it ran with.</summary>
    public TaskRecord NewTask(DeploymentHostRecord host, string purpose, string kind, string? releaseId, ArtifactRef? artifact) =>
        new(0, host.AgentId, Deployment.Id, host.Host, purpose, kind, Deployment.Service,
            releaseId is null ? null : ReleaseIds.VersionOf(releaseId), releaseId, artifact,
            purpose == TaskPurposes.Deploy && host.Variables is { } variables
                ? Deployment.Settings with { Variables = variables.Values, Secrets = variables.Secrets }
                : Deployment.Settings,
            TaskStates.Pending, now);

    public async Task SetRolloutAsync(RolloutState rollout, string? action = null, string? detail = null)
    {
        await DeploymentsStore.UpdateRolloutAsync(session, Deployment.Id, rollout, now).ConfigureAwait(false);
        Deployment = Deployment with { Rollout = rollout, UpdatedAt = now };
        if (action is not null)
        {
            await EventsStore.AppendAsync(session, now, Actor.System, action, Deployment.DisplayId, detail).ConfigureAwait(false);
        }
    }

    /// <summary>Sets the canary's share on the hosts that run one (recorded by the caller's rollout event, not one event per host).</summary>
    public async Task SetCanaryWeightAsync(int weight)
    {
        for (var i = 0; i < hosts.Count; i++)
        {
            if (hosts[i].CanaryWeight is { } current && current != weight)
            {
                hosts[i] = hosts[i] with { CanaryWeight = weight, UpdatedAt = now };
                await DeploymentsStore.UpdateHostAsync(session, hosts[i]).ConfigureAwait(false);
                Woken.Add(hosts[i].AgentId);
            }
        }
    }

    /// <summary>Queues a task for a host and moves the host to <paramref name="state"/>, waking its agent.</summary>
    public async Task QueueAsync(int index, string purpose, string kind, string? releaseId, ArtifactRef? artifact, string state)
    {
        var host = hosts[index];
        var task = NewTask(host, purpose, kind, releaseId, artifact);
        var taskId = await TasksStore.InsertAsync(session, task).ConfigureAwait(false);
        var changed = purpose == TaskPurposes.Rollback
            ? host with { State = state, RollbackTaskId = taskId }
            : host with { State = state, TaskId = taskId };
        await SetHostAsync(index, changed, $"task {taskId}: {kind} {releaseId ?? "(none)"}").ConfigureAwait(false);
        Woken.Add(host.AgentId);
    }
}
