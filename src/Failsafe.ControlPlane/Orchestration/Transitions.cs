using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>Every state change of a deployment or of one of its hosts, written with its event.</summary>
internal static class Transitions
{
    public static async Task<DeploymentHostRecord> HostAsync(
        DbSession session, DateTimeOffset now, Actor actor, DeploymentHostRecord host, DeploymentHostRecord changed, string? detail = null)
    {
        var updated = changed with { UpdatedAt = now };
        await DeploymentsStore.UpdateHostAsync(session, updated).ConfigureAwait(false);
        await EventsStore.AppendAsync(
            session, now, actor, "host." + updated.State, updated.Target, detail ?? $"{host.State} -> {updated.State}").ConfigureAwait(false);
        return updated;
    }

    public static async Task<DeploymentRecord> DeploymentAsync(
        DbSession session, DateTimeOffset now, Actor actor, DeploymentRecord deployment, string state, string? reason)
    {
        await DeploymentsStore.UpdateStateAsync(session, deployment.Id, state, reason, now).ConfigureAwait(false);
        await EventsStore.AppendAsync(
            session, now, actor, "deployment." + state, deployment.DisplayId, reason ?? $"{deployment.State} -> {state}").ConfigureAwait(false);
        return deployment with { State = state, Reason = reason ?? deployment.Reason, UpdatedAt = now };
    }

    /// <summary>"host-2: health check … answered 503" — unless the error already starts with the host's name.</summary>
    public static string Describe(DeploymentHostRecord host) =>
        host.Error is null ? $"{host.Host} failed"
        : host.Error.StartsWith(host.Host, StringComparison.Ordinal) ? host.Error
        : $"{host.Host}: {host.Error}";
}
