using Failsafe.Artifacts;

namespace Failsafe.DataPlane;

/// <summary>Where everything lives under the agent's root directory (one agent per host).</summary>
internal sealed class HostPaths
{
    public HostPaths(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string AgentDirectory => Path.Combine(Root, "agent");

    public string ServicesDirectory => Path.Combine(Root, "services");

    /// <summary>The directory of a service; the name is validated so it can never escape the root.</summary>
    public ServicePaths Service(string service)
    {
        ServiceName.Validate(service);
        return new ServicePaths(service, Path.Combine(ServicesDirectory, service));
    }

    /// <summary>Every service that has a directory on this host, skipping names that are not valid service names.</summary>
    public IReadOnlyList<ServicePaths> ExistingServices()
    {
        if (!Directory.Exists(ServicesDirectory))
        {
            return [];
        }

        return Directory.EnumerateDirectories(ServicesDirectory)
            .Select(Path.GetFileName)
            .Where(ServiceName.IsValid)
            .Order(StringComparer.Ordinal)
            .Select(name => new ServicePaths(name!, Path.Combine(ServicesDirectory, name!)))
            .ToList();
    }
}
