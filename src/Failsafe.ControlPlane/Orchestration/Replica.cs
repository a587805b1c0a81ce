namespace Failsafe.ControlPlane.Orchestration;

/// <summary>
/// This server process among the replicas that share one store: its name in leases, and how long a lease it takes.
/// A replica that dies holds its deployments for at most <see cref="LeaseDuration"/>; then another one carries on.
/// </summary>
internal sealed class Replica
{
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(10);

    public Replica(TimeSpan? leaseDuration = null)
    {
        Id = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
        LeaseDuration = leaseDuration ?? DefaultLeaseDuration;
    }

    public string Id { get; }

    public TimeSpan LeaseDuration { get; }

    public static string DeploymentLease(long deploymentId) => $"deployment/{deploymentId}";
}
