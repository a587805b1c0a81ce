using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.AgentProtocol;

/// <summary>Records what an agent did with a task and moves its host on, once: a repeated report changes nothing.</summary>
internal sealed class TaskCompletion(IDatabase database, TimeProvider time, OrchestratorSignal signal)
{
    public async Task CompleteAsync(string agentId, Actor actor, long taskId, TaskResult result, CancellationToken cancellationToken)
    {
        await database.WriteAsync(
            async session =>
            {
                var now = time.GetUtcNow();
                var task = await FindOwnAsync(session, agentId, taskId).ConfigureAwait(false);
                await AgentsStore.ReportAsync(session, agentId, now, result.Inventory).ConfigureAwait(false);
                var error = result.Succeeded ? null : result.Error ?? "the agent reported a failure without a reason";
                if (!await TasksStore.CompleteAsync(session, taskId, now, result.Succeeded, error, result.PreviousRelease, result.CurrentRelease)
                        .ConfigureAwait(false))
                {
                    return; // already complete (a retried report, or the task timed out first)
                }

                var host = await DeploymentsStore.FindHostAsync(session, task.DeploymentId, task.Host).ConfigureAwait(false);
                if (host is null)
                {
                    return;
                }

                var detail = $"task {taskId} {(result.Succeeded ? "succeeded" : "failed: " + error)}";
                if (task.Purpose == TaskPurposes.Deploy && host.TaskId == taskId && host.State == HostStates.InProgress)
                {
                    var changed = result.Succeeded && task.Kind == TaskKinds.Canary
                        // Running beside current, out of traffic until the rollout gives it its first step.
                        ? host with { State = HostStates.Canary, CanaryWeight = 0 }
                        : result.Succeeded
                        ? host with
                        {
                            State = HostStates.Succeeded,
                            CanaryWeight = null,
                            // An agent that re-ran the task after its own switch reports previous == current;
                            // what the host ran before this deployment is then the one planned from its inventory.
                            PreviousRelease = result.PreviousRelease is { } reported && reported != result.CurrentRelease
                                ? reported
                                : host.PreviousRelease,
                            TargetRelease = result.CurrentRelease ?? host.TargetRelease,
                        }
                        : host with { State = HostStates.Failed, Error = error };
                    await Transitions.HostAsync(session, now, actor, host, changed, detail).ConfigureAwait(false);
                }
                else if (task.Purpose == TaskPurposes.Rollback && host.RollbackTaskId == taskId && host.State == HostStates.RollingBack)
                {
                    var changed = result.Succeeded
                        ? host with { State = HostStates.RolledBack, CanaryWeight = null }
                        : host with { State = HostStates.Failed, Error = "rollback: " + error };
                    await Transitions.HostAsync(session, now, actor, host, changed, detail).ConfigureAwait(false);
                }
            },
            cancellationToken).ConfigureAwait(false);
        signal.Wake();
    }

    public async Task AddStepAsync(string agentId, long taskId, StepReport step, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(step.Name) || string.IsNullOrWhiteSpace(step.Status))
        {
            throw ApiProblemException.BadRequest("A step needs a name and a status.");
        }

        await database.WriteAsync(
            async session =>
            {
                await FindOwnAsync(session, agentId, taskId).ConfigureAwait(false);
                await TasksStore.AddStepAsync(session, taskId, step).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TaskRecord> FindOwnAsync(DbSession session, string agentId, long taskId)
    {
        var task = await TasksStore.FindAsync(session, taskId).ConfigureAwait(false);
        return task is not null && task.AgentId == agentId ? task : throw ApiProblemException.NotFound($"No task {taskId} for this agent.");
    }
}
