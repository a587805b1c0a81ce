using Failsafe.Artifacts;
using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>What is on this host, as the server sees it: per service the current release, what is installed and how its instance is doing.</summary>
internal sealed class InventoryReader(HostPaths host, InstanceSupervisor supervisor, IReadOnlyList<string>? tags = null)
{
    private readonly IReadOnlyList<string> _tags = [.. (tags ?? []).Distinct(StringComparer.Ordinal)];

    public static string AgentVersion { get; } =
        typeof(InventoryReader).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public HostInventory Read()
    {
        var services = new List<ServiceState>();
        foreach (var service in host.ExistingServices())
        {
            services.Add(ReadService(service));
        }

        return new HostInventory(AgentVersion, services, _tags);
    }

    public ServiceState ReadService(ServicePaths service)
    {
        var current = CurrentLink.Read(service);
        string? version = null;
        if (current is not null)
        {
            try
            {
                version = ReleaseInstaller.ReadManifest(service, current).Version;
            }
            catch (Exception e) when (e is ArtifactException or IOException)
            {
                version = ReleaseNames.VersionFromName(current);
            }
        }

        // Oldest first, newest last: the order they were installed in.
        var installed = Retention.InstalledNewestFirst(service).Reverse().ToList();
        return new ServiceState(service.Name, current, version, installed, supervisor.Serving(service.Name)?.ToContract(),
            supervisor.Canary(service.Name)?.ToContract());
    }
}
