using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>A person stepping into a running deployment: promote, abort, pause, resume. Each is audited under their name.</summary>
internal sealed class DeploymentControl(IDatabase database, TimeProvider time, OrchestratorSignal signal, AgentSignals agents)
{
    public async Task<DeploymentInfo> ApplyAsync(string id, string action, Actor actor, CancellationToken cancellationToken)
    {
        if (!DeploymentActions.All.Contains(action))
        {
            throw ApiProblemException.NotFound($"No action '{action}': use {string.Join(", ", DeploymentActions.All)}.");
        }

        if (!DeploymentIds.TryParse(id, out var number))
        {
            throw ApiProblemException.NotFound($"No deployment {id}.");
        }

        var woken = new List<string>();
        var info = await database.WriteAsync(
            async session =>
            {
                var deployment = await DeploymentsStore.FindAsync(session, number).ConfigureAwait(false)
                    ?? throw ApiProblemException.NotFound($"No deployment {id}.");
                if (deployment.State == DeploymentStates.AwaitingApproval && action == DeploymentActions.Abort)
                {
                    await Transitions.DeploymentAsync(
                        session, time.GetUtcNow(), actor, deployment, DeploymentStates.Cancelled, $"aborted by {actor.Name} before approval").ConfigureAwait(false);
                    return await DeploymentReader.FindAsync(session, number).ConfigureAwait(false);
                }

                if (deployment.State != DeploymentStates.Running)
                {
                    throw ApiProblemException.Conflict($"Deployment {deployment.DisplayId} is {deployment.State}; only a running deployment can be told to {action}.");
                }

                var now = time.GetUtcNow();
                var run = new DeploymentRun(session, now, deployment, await DeploymentsStore.HostsAsync(session, number).ConfigureAwait(false));
                if (action == DeploymentActions.Abort)
                {
                    await run.SetCanaryWeightAsync(0).ConfigureAwait(false);
                    await Transitions.DeploymentAsync(session, now, actor, deployment, DeploymentStates.RollingBack, $"aborted by {actor.Name}").ConfigureAwait(false);
                }
                else
                {
                    var rollout = deployment.Rollout
                        ?? throw ApiProblemException.Conflict($"Deployment {deployment.DisplayId} is a {deployment.Kind}; it has no rollout steps to {action}.");
                    var changed = action switch
                    {
                        DeploymentActions.Promote => rollout with { PromotedBy = actor.Name, Paused = false },
                        DeploymentActions.Pause => rollout with { Paused = true },
                        _ => rollout with { Paused = false },
                    };
                    await DeploymentsStore.UpdateRolloutAsync(session, number, changed, now).ConfigureAwait(false);
                    await EventsStore.AppendAsync(session, now, actor, "deployment." + action, deployment.DisplayId, Describe(action, actor, changed))
                        .ConfigureAwait(false);
                }

                woken.AddRange(run.Woken);
                return await DeploymentReader.FindAsync(session, number).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        foreach (var agentId in woken.Distinct())
        {
            agents.Signal(agentId);
        }

        signal.Wake();
        return info!;
    }

    private static string Describe(string action, Actor actor, RolloutState rollout) => action switch
    {
        DeploymentActions.Promote => $"promoted by {actor.Name}: remaining steps, holds and analysis skipped",
        DeploymentActions.Pause => $"paused by {actor.Name} at step {rollout.Step + 1} (a failing canary is still rolled back)",
        _ => $"resumed by {actor.Name}",
    };
}
