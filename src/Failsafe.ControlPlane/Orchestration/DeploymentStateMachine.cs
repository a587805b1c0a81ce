using Failsafe.Contracts;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>
/// Moves one deployment forward from what the database says, inside the caller's write transaction.
/// Running it twice in a row does nothing the first run did not: every step is decided by stored state.
/// </summary>
internal sealed class DeploymentStateMachine(TimeProvider time, ServerOptions options)
{
    /// <summary>Returns the agents that were given new tasks, to wake after commit.</summary>
    public async Task<IReadOnlyList<string>> AdvanceAsync(DbSession session, long deploymentId)
    {
        var deployment = await DeploymentsStore.FindAsync(session, deploymentId).ConfigureAwait(false);
        if (deployment is null || DeploymentStates.IsTerminal(deployment.State))
        {
            return [];
        }

        var run = new Run(session, time.GetUtcNow(), deployment,
            await DeploymentsStore.HostsAsync(session, deploymentId).ConfigureAwait(false));
        await ExpireOverdueTasksAsync(run).ConfigureAwait(false);
        if (run.Deployment.State == DeploymentStates.Running)
        {
            await AdvanceRunningAsync(run).ConfigureAwait(false);
        }

        if (run.Deployment.State == DeploymentStates.RollingBack)
        {
            await AdvanceRollingBackAsync(run).ConfigureAwait(false);
        }

        return run.Woken;
    }

    private async Task ExpireOverdueTasksAsync(Run run)
    {
        for (var i = 0; i < run.Hosts.Count; i++)
        {
            var host = run.Hosts[i];
            var taskId = host.State switch
            {
                HostStates.InProgress => host.TaskId,
                HostStates.RollingBack => host.RollbackTaskId,
                _ => null,
            };
            var task = taskId is { } id ? await TasksStore.FindAsync(run.Session, id).ConfigureAwait(false) : null;
            if (task is null || task.State == TaskStates.Completed || run.Now - task.CreatedAt < options.HostTaskTimeout)
            {
                continue;
            }

            var error = $"{host.Host} did not finish within {Durations.Format(options.HostTaskTimeout)}";
            await TasksStore.CompleteAsync(run.Session, task.Id, run.Now, succeeded: false, error).ConfigureAwait(false);
            await run.SetHostAsync(i, host with { State = HostStates.Failed, Error = host.State == HostStates.RollingBack ? "rollback: " + error : error }, error)
                .ConfigureAwait(false);
        }
    }

    private async Task AdvanceRunningAsync(Run run)
    {
        var failures = run.Hosts.Where(h => h.State == HostStates.Failed).ToList();
        if (failures.Count > 0)
        {
            await CancelUndispatchedAsync(run).ConfigureAwait(false);
            if (run.Hosts.Any(h => h.State == HostStates.InProgress))
            {
                return; // let the rest of the batch finish before deciding
            }

            await SkipPendingAsync(run).ConfigureAwait(false);
            var reason = Transitions.Describe(failures.OrderBy(h => h.UpdatedAt).ThenBy(h => h.Position).First());
            var next = run.Deployment.NoRollback || run.Deployment.Kind == DeploymentKinds.Rollback
                ? DeploymentStates.Failed
                : DeploymentStates.RollingBack;
            await run.SetDeploymentAsync(next, reason).ConfigureAwait(false);
            return;
        }

        var unfinished = run.Hosts.Where(h => h.State is HostStates.Pending or HostStates.InProgress).ToList();
        if (unfinished.Count == 0)
        {
            await run.SetDeploymentAsync(DeploymentStates.Succeeded, null).ConfigureAwait(false);
            return;
        }

        var batch = unfinished.Min(h => h.Batch);
        var release = run.Deployment.Kind == DeploymentKinds.Deploy
            ? await ReleasesStore.FindAsync(run.Session, run.Deployment.Service, run.Deployment.Version).ConfigureAwait(false)
            : null;
        for (var i = 0; i < run.Hosts.Count; i++)
        {
            var host = run.Hosts[i];
            if (host.Batch != batch || host.State != HostStates.Pending)
            {
                continue;
            }

            var task = release is null
                ? run.NewTask(host, TaskPurposes.Deploy, TaskKinds.Activate, host.TargetRelease, null)
                : run.NewTask(host, TaskPurposes.Deploy, TaskKinds.Install, release.ReleaseId, new ArtifactRef(release.Sha256, release.Size));
            var taskId = await TasksStore.InsertAsync(run.Session, task).ConfigureAwait(false);
            await run.SetHostAsync(i, host with { State = HostStates.InProgress, TaskId = taskId }, $"task {taskId}: {task.Kind} {task.ReleaseId}")
                .ConfigureAwait(false);
            run.Woken.Add(host.AgentId);
        }
    }

    private async Task AdvanceRollingBackAsync(Run run)
    {
        await CancelUndispatchedAsync(run).ConfigureAwait(false);
        if (run.Hosts.Any(h => h.State == HostStates.InProgress))
        {
            return;
        }

        await SkipPendingAsync(run).ConfigureAwait(false);
        for (var i = 0; i < run.Hosts.Count; i++)
        {
            var host = run.Hosts[i];
            if (host.State != HostStates.Succeeded)
            {
                continue;
            }

            // Going back is switching back: to the release the host ran before, or to nothing.
            var task = host.PreviousRelease is null
                ? run.NewTask(host, TaskPurposes.Rollback, TaskKinds.Deactivate, null, null)
                : run.NewTask(host, TaskPurposes.Rollback, TaskKinds.Activate, host.PreviousRelease, null);
            var taskId = await TasksStore.InsertAsync(run.Session, task).ConfigureAwait(false);
            await run.SetHostAsync(
                i, host with { State = HostStates.RollingBack, RollbackTaskId = taskId }, $"task {taskId}: {task.Kind} {task.ReleaseId ?? "(none)"}")
                .ConfigureAwait(false);
            run.Woken.Add(host.AgentId);
        }

        if (run.Hosts.Any(h => h.State == HostStates.RollingBack))
        {
            return;
        }

        var rollbackFailures = run.Hosts.Where(h => h.State == HostStates.Failed && h.RollbackTaskId is not null).ToList();
        if (rollbackFailures.Count == 0)
        {
            await run.SetDeploymentAsync(DeploymentStates.RolledBack, null).ConfigureAwait(false);
            return;
        }

        var reason = $"{run.Deployment.Reason}; rolling back failed on {string.Join(", ", rollbackFailures.Select(Transitions.Describe))}";
        await run.SetDeploymentAsync(DeploymentStates.Failed, reason).ConfigureAwait(false);
    }

    /// <summary>A task no agent has picked up yet is withdrawn once the deployment stops going forward.</summary>
    private static async Task CancelUndispatchedAsync(Run run)
    {
        for (var i = 0; i < run.Hosts.Count; i++)
        {
            var host = run.Hosts[i];
            if (host.State != HostStates.InProgress || host.TaskId is not { } taskId)
            {
                continue;
            }

            var task = await TasksStore.FindAsync(run.Session, taskId).ConfigureAwait(false);
            if (task?.State == TaskStates.Pending)
            {
                await TasksStore.CompleteAsync(run.Session, taskId, run.Now, succeeded: false, "cancelled before an agent took it").ConfigureAwait(false);
                await run.SetHostAsync(i, host with { State = HostStates.Skipped }, "cancelled before the agent took the task").ConfigureAwait(false);
            }
        }
    }

    private static async Task SkipPendingAsync(Run run)
    {
        for (var i = 0; i < run.Hosts.Count; i++)
        {
            if (run.Hosts[i].State == HostStates.Pending)
            {
                await run.SetHostAsync(i, run.Hosts[i] with { State = HostStates.Skipped }).ConfigureAwait(false);
            }
        }
    }

    private sealed class Run(DbSession session, DateTimeOffset now, DeploymentRecord deployment, List<DeploymentHostRecord> hosts)
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

        public TaskRecord NewTask(DeploymentHostRecord host, string purpose, string kind, string? releaseId, ArtifactRef? artifact) =>
            new(0, host.AgentId, Deployment.Id, host.Host, purpose, kind, Deployment.Service,
                releaseId is null ? null : ReleaseIds.VersionOf(releaseId), releaseId, artifact, Deployment.Settings, TaskStates.Pending, now);
    }
}
