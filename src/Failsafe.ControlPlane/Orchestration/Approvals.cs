using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Configuration;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>
/// The approval gate of an environment: a deployment to it waits until enough different people the gate names (by token
/// name or by role) approved. Whoever started it cannot approve it. The gate in force is the applied configuration's at the
/// time of each approval, so tightening a gate also holds deployments already waiting.
/// </summary>
internal sealed class Approvals(IDatabase database, TimeProvider time, OrchestratorSignal signal)
{
    public static string Describe(ApprovalGate gate) =>
        $"{gate.Required} approval{(gate.Required == 1 ? "" : "s")} from {string.Join(", ", gate.Approvers)}";

    public static bool MayApprove(ApprovalGate gate, Actor actor) =>
        gate.Approvers.Any(a => a == actor.Name
            || (a.StartsWith("role:", StringComparison.Ordinal) && actor.Roles.Contains(a["role:".Length..])));

    public async Task<DeploymentInfo> ApproveAsync(string id, Actor actor, string? comment, CancellationToken cancellationToken)
    {
        if (!DeploymentIds.TryParse(id, out var number))
        {
            throw ApiProblemException.NotFound($"No deployment {id}.");
        }

        var info = await database.WriteAsync(
            async session =>
            {
                var deployment = await DeploymentsStore.FindAsync(session, number).ConfigureAwait(false)
                    ?? throw ApiProblemException.NotFound($"No deployment {id}.");
                if (deployment.State != DeploymentStates.AwaitingApproval)
                {
                    throw ApiProblemException.Conflict($"Deployment {deployment.DisplayId} is {deployment.State}; there is nothing to approve.");
                }

                var document = (await ConfigStore.ReadAsync(session).ConfigureAwait(false)).Document;
                var gate = document.Environments.FirstOrDefault(e => e.Name == deployment.Environment)?.Approval;
                var now = time.GetUtcNow();
                var given = await ApprovalsStore.ListAsync(session, number).ConfigureAwait(false);
                if (gate is not null)
                {
                    Refuse(deployment, gate, actor, given);
                    await ApprovalsStore.AddAsync(session, number, actor.Name, now, comment).ConfigureAwait(false);
                    given = await ApprovalsStore.ListAsync(session, number).ConfigureAwait(false);
                    await EventsStore.AppendAsync(
                        session, now, actor, "deployment.approve", deployment.DisplayId,
                        $"approved by {actor.Name} ({given.Count} of {gate.Required})" + (comment is null ? "" : $": {comment}")).ConfigureAwait(false);
                }

                if (gate is null || given.Count >= gate.Required)
                {
                    await DeployLocks.RefuseIfLockedAsync(session, deployment.Service, deployment.Environment!, actor, now).ConfigureAwait(false);
                    var hosts = await DeploymentsStore.HostsAsync(session, number).ConfigureAwait(false);
                    await DeploymentPlanner.RefuseIfBusyAsync(session, deployment.Service, deployment.Environment, hosts.Select(h => h.Host).ToList())
                        .ConfigureAwait(false);
                    await RefreshPreviousReleasesAsync(session, deployment, hosts).ConfigureAwait(false);
                    await Transitions.DeploymentAsync(
                        session, now, actor, deployment, DeploymentStates.Running,
                        gate is null ? $"started by {actor.Name}: environment {deployment.Environment} no longer has an approval gate"
                        : $"approved by {string.Join(", ", given.Select(g => g.By))}").ConfigureAwait(false);
                }

                return await DeploymentReader.FindAsync(session, number).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        signal.Wake();
        return info!;
    }

    /// <summary>What each host runs may have changed while the deployment waited: a rollback must go back to what runs now.</summary>
    private static async Task RefreshPreviousReleasesAsync(DbSession session, DeploymentRecord deployment, List<DeploymentHostRecord> hosts)
    {
        var agents = (await AgentsStore.ListAsync(session).ConfigureAwait(false)).ToDictionary(a => a.Id, StringComparer.Ordinal);
        foreach (var host in hosts)
        {
            var current = agents.GetValueOrDefault(host.AgentId)?.ServiceState(deployment.Service)?.Current;
            if (current != host.PreviousRelease)
            {
                await DeploymentsStore.UpdateHostAsync(session, host with { PreviousRelease = current }).ConfigureAwait(false);
            }
        }
    }

    private static void Refuse(DeploymentRecord deployment, ApprovalGate gate, Actor actor, List<ApprovalInfo> given)
    {
        if (actor.Name == deployment.CreatedBy)
        {
            throw ApiProblemException.Forbidden($"{actor.Name} started {deployment.DisplayId}; someone else must approve it ({Describe(gate)}).");
        }

        if (!MayApprove(gate, actor))
        {
            throw ApiProblemException.Forbidden(
                $"{actor.Name} may not approve deployments to {deployment.Environment}: its gate needs {Describe(gate)}.");
        }

        if (given.Any(g => g.By == actor.Name))
        {
            throw ApiProblemException.Conflict($"{actor.Name} already approved {deployment.DisplayId}; it needs {Describe(gate)}.");
        }
    }
}
