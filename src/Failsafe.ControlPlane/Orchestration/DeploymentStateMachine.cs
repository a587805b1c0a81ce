using Failsafe.Contracts;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Storage;
using Microsoft.Extensions.Logging;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>
/// Moves one deployment forward from what the database says, inside the caller's write transaction.
/// Running it twice in a row does nothing the first run did not: every step is decided by stored state
/// (and the verdict of the analysis, which the caller computed from metrics just before).
/// </summary>
internal sealed partial class DeploymentStateMachine(
    TimeProvider time, ServerOptions options, RolloutDriver rollouts, Replica replica, ILogger<DeploymentStateMachine> logger)
{
    /// <summary>Returns the agents that were given new tasks or routes, to wake after commit.</summary>
    public async Task<IReadOnlyList<string>> AdvanceAsync(DbSession session, long deploymentId, VerdictInfo? verdict = null)
    {
        var deployment = await DeploymentsStore.FindAsync(session, deploymentId).ConfigureAwait(false);
        if (deployment is null || DeploymentStates.IsTerminal(deployment.State))
        {
            return [];
        }

        // Exactly one replica drives a deployment: the one holding its lease, renewed in this very transaction.
        var lease = Replica.DeploymentLease(deploymentId);
        var (held, previousHolder) = await LeasesStore.TryHoldAsync(session, lease, replica.Id, time.GetUtcNow(), replica.LeaseDuration).ConfigureAwait(false);
        if (!held)
        {
            return [];
        }

        if (previousHolder is not null)
        {
            Log.TookOver(logger, deployment.DisplayId, previousHolder);
        }

        var run = new DeploymentRun(session, time.GetUtcNow(), deployment,
            await DeploymentsStore.HostsAsync(session, deploymentId).ConfigureAwait(false));
        await ExpireOverdueTasksAsync(run).ConfigureAwait(false);
        if (run.Deployment.State == DeploymentStates.Running)
        {
            await AdvanceRunningAsync(run, verdict).ConfigureAwait(false);
        }

        if (run.Deployment.State == DeploymentStates.RollingBack)
        {
            await AdvanceRollingBackAsync(run).ConfigureAwait(false);
        }

        if (DeploymentStates.IsTerminal(run.Deployment.State))
        {
            await LeasesStore.ReleaseAsync(session, lease, replica.Id).ConfigureAwait(false);
        }

        return run.Woken;
    }

    private async Task ExpireOverdueTasksAsync(DeploymentRun run)
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

    private async Task AdvanceRunningAsync(DeploymentRun run, VerdictInfo? verdict)
    {
        var failures = run.Hosts.Where(h => h.State == HostStates.Failed).ToList();
        if (failures.Count > 0)
        {
            // The canary leaves traffic at once; the rest of the batch may finish before deciding.
            await run.SetCanaryWeightAsync(0).ConfigureAwait(false);
            await CancelUndispatchedAsync(run).ConfigureAwait(false);
            if (run.Hosts.Any(h => h.State == HostStates.InProgress))
            {
                return;
            }

            await SkipPendingAsync(run).ConfigureAwait(false);
            var reason = Transitions.Describe(failures.OrderBy(h => h.UpdatedAt).ThenBy(h => h.Position).First());
            // A running canary is always stopped; --no-rollback only keeps switched hosts where they are.
            var next = run.Deployment.Kind == DeploymentKinds.Rollback
                || (run.Deployment.NoRollback && !run.Hosts.Any(h => h.State == HostStates.Canary))
                ? DeploymentStates.Failed
                : DeploymentStates.RollingBack;
            await run.SetDeploymentAsync(next, reason).ConfigureAwait(false);
            return;
        }

        var unfinished = run.Hosts.Where(h => h.State is HostStates.Pending or HostStates.InProgress or HostStates.Canary).ToList();
        if (unfinished.Count == 0)
        {
            await run.SetDeploymentAsync(DeploymentStates.Succeeded, null).ConfigureAwait(false);
            return;
        }

        var release = run.Deployment.Kind == DeploymentKinds.Deploy
            ? await ReleasesStore.FindAsync(run.Session, run.Deployment.Service, run.Deployment.Version).ConfigureAwait(false)
            : null;
        if (run.Deployment.Rollout is not null && !await rollouts.AdvanceAsync(run, release, verdict).ConfigureAwait(false))
        {
            return;
        }

        if (run.Hosts.Any(h => h.State is HostStates.InProgress or HostStates.Canary))
        {
            return;
        }

        var batch = unfinished.Min(h => h.Batch);
        for (var i = 0; i < run.Hosts.Count; i++)
        {
            var host = run.Hosts[i];
            if (host.Batch != batch || host.State != HostStates.Pending)
            {
                continue;
            }

            if (release is null)
            {
                await run.QueueAsync(i, TaskPurposes.Deploy, TaskKinds.Activate, host.TargetRelease, null, HostStates.InProgress).ConfigureAwait(false);
            }
            else
            {
                await run.QueueAsync(i, TaskPurposes.Deploy, TaskKinds.Install, release.ReleaseId, new ArtifactRef(release.Sha256, release.Size), HostStates.InProgress)
                    .ConfigureAwait(false);
            }
        }
    }

    private static async Task AdvanceRollingBackAsync(DeploymentRun run)
    {
        await run.SetCanaryWeightAsync(0).ConfigureAwait(false);
        await CancelUndispatchedAsync(run).ConfigureAwait(false);
        if (run.Hosts.Any(h => h.State == HostStates.InProgress))
        {
            return;
        }

        await SkipPendingAsync(run).ConfigureAwait(false);
        for (var i = 0; i < run.Hosts.Count; i++)
        {
            var host = run.Hosts[i];
            if (host.State == HostStates.Canary || (host.State == HostStates.Failed && host.CanaryWeight is not null && host.RollbackTaskId is null))
            {
                // Current never changed on a canary host: stopping the canary is the whole way back.
                await run.QueueAsync(i, TaskPurposes.Rollback, TaskKinds.StopCanary, host.TargetRelease, null, HostStates.RollingBack).ConfigureAwait(false);
            }
            else if (host.State == HostStates.Succeeded && !run.Deployment.NoRollback)
            {
                // Going back is switching back: to the release the host ran before, or to nothing.
                if (host.PreviousRelease is null)
                {
                    await run.QueueAsync(i, TaskPurposes.Rollback, TaskKinds.Deactivate, null, null, HostStates.RollingBack).ConfigureAwait(false);
                }
                else
                {
                    await run.QueueAsync(i, TaskPurposes.Rollback, TaskKinds.Activate, host.PreviousRelease, null, HostStates.RollingBack).ConfigureAwait(false);
                }
            }
        }

        if (run.Hosts.Any(h => h.State == HostStates.RollingBack))
        {
            return;
        }

        var rollbackFailures = run.Hosts.Where(h => h.State == HostStates.Failed && h.RollbackTaskId is not null).ToList();
        if (rollbackFailures.Count == 0)
        {
            await run.SetDeploymentAsync(run.Deployment.NoRollback ? DeploymentStates.Failed : DeploymentStates.RolledBack, null).ConfigureAwait(false);
            return;
        }

        var reason = $"{run.Deployment.Reason}; rolling back failed on {string.Join(", ", rollbackFailures.Select(Transitions.Describe))}";
        await run.SetDeploymentAsync(DeploymentStates.Failed, reason).ConfigureAwait(false);
    }

    /// <summary>A task no agent has picked up yet is withdrawn once the deployment stops going forward.</summary>
    private static async Task CancelUndispatchedAsync(DeploymentRun run)
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
                // A promotion not yet taken leaves its host a canary (stopped on the way back); anything else never started.
                var state = task.Kind == TaskKinds.Promote ? HostStates.Canary : HostStates.Skipped;
                await run.SetHostAsync(i, host with { State = state }, "cancelled before the agent took the task").ConfigureAwait(false);
            }
        }
    }

    private static async Task SkipPendingAsync(DeploymentRun run)
    {
        for (var i = 0; i < run.Hosts.Count; i++)
        {
            if (run.Hosts[i].State == HostStates.Pending)
            {
                await run.SetHostAsync(i, run.Hosts[i] with { State = HostStates.Skipped }).ConfigureAwait(false);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Took over deployment {DeploymentId} from replica {Holder}, whose lease expired")]
        public static partial void TookOver(ILogger logger, string deploymentId, string holder);
    }
}
