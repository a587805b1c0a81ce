using Failsafe.Artifacts;

namespace Failsafe.DataPlane;

/// <summary>The layout of one service's directory on a host.</summary>
internal sealed class ServicePaths(string name, string directory)
{
    public const string StagingPrefix = ".staging-";

    public string Name { get; } = name;

    public string Directory { get; } = directory;

    public string Releases => Path.Combine(Directory, "releases");

    public string Current => Path.Combine(Directory, "current");

    public string Shared => Path.Combine(Directory, "shared");

    public string Logs => Path.Combine(Shared, "logs");

    public string StateDirectory => Path.Combine(Directory, ".failsafe");

    public string Instances => Path.Combine(StateDirectory, "instances");

    /// <summary>The variables each release last ran with (<see cref="VariableStore"/>), one 0600 file per release.</summary>
    public string Variables => Path.Combine(StateDirectory, "variables");

    public string PreviousFile => Path.Combine(StateDirectory, "previous");

    /// <summary>The traffic settings the server last sent: the proxy fronts the service again after an agent restart.</summary>
    public string TrafficFile => Path.Combine(StateDirectory, "traffic.json");

    public string ReleaseDirectory(string release) => Path.Combine(Releases, release);

    public string ManifestFile(string release) => Path.Combine(Releases, release, ArtifactLayout.InstalledManifestName);

    public string InstanceFile(string release) => Path.Combine(Instances, release + ".json");

    public string LogFile(string release) => Path.Combine(Logs, release + ".log");

    public void EnsureCreated()
    {
        System.IO.Directory.CreateDirectory(Releases);
        System.IO.Directory.CreateDirectory(Logs);
        System.IO.Directory.CreateDirectory(Instances);
    }
}
