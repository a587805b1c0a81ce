using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Orchestration;

internal static class DeploymentReader
{
    public static async Task<DeploymentInfo> ToInfoAsync(DbSession session, DeploymentRecord deployment)
    {
        var hosts = await DeploymentsStore.HostsAsync(session, deployment.Id).ConfigureAwait(false);
        var steps = await TasksStore.StepsByHostAsync(session, deployment.Id).ConfigureAwait(false);
        var canaryWeight = hosts.Where(h => h.CanaryWeight is not null).Select(h => h.CanaryWeight!.Value).DefaultIfEmpty(0).Max();
        var info = deployment.ToInfo(hosts.Select(h => h.ToInfo(steps.GetValueOrDefault(h.Host) ?? [])).ToList(), canaryWeight);
        return deployment.Environment is null ? info
            : info with { Approvals = await ApprovalsStore.ListAsync(session, deployment.Id).ConfigureAwait(false) };
    }

    public static async Task<DeploymentInfo?> FindAsync(DbSession session, long id)
    {
        var deployment = await DeploymentsStore.FindAsync(session, id).ConfigureAwait(false);
        return deployment is null ? null : await ToInfoAsync(session, deployment).ConfigureAwait(false);
    }
}
