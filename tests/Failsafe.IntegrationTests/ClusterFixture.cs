using Failsafe.Client;
using Failsafe.Contracts;
using Failsafe.Demo;

namespace Failsafe.IntegrationTests;

/// <summary>
/// One real server and three real agents on 127.0.0.1, shared by the tests of a collection;
/// each test uses its own service name so deployments never meet.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    internal LocalCluster Cluster { get; private set; } = null!;

    internal FailsafeClient Client { get; private set; } = null!;

    public string WorkDirectory { get; } = TestPaths.NewWorkDirectory("cluster");

    public static IReadOnlyList<string> Hosts { get; } = ["host-1", "host-2", "host-3"];

    public async Task InitializeAsync()
    {
        Cluster = await LocalCluster.StartServerAsync(WorkDirectory, TestPaths.Failsafe, CancellationToken.None);
        Client = new FailsafeClient(Cluster.Connection);
        await Cluster.StartAgentsAsync(Client, Hosts.Count, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Cluster.DisposeAsync();
        TryDelete(WorkDirectory);
    }

    internal async Task<(string Path, string Sha256)> PackAsync(
        string service, string version, bool healthy = true, string? preActivate = null, double errorRate = 0, double delayMs = 0)
    {
        var (packed, path) = await SampleReleases.PackAsync(
            TestPaths.SampleBuild, WorkDirectory, new SampleReleases.SampleRelease(version, healthy, "", service, preActivate, errorRate, delayMs), CancellationToken.None);
        return (path, packed.Sha256);
    }

    internal async Task<string> PushAsync(string service, string version, bool healthy = true, string? preActivate = null, double errorRate = 0, double delayMs = 0)
    {
        var (path, sha) = await PackAsync(service, version, healthy, preActivate, errorRate, delayMs);
        await Client.PushAsync(service, version, path, sha, CancellationToken.None);
        return sha;
    }

    internal async Task<DeploymentInfo> DeployAsync(string service, string version, IReadOnlyList<string> hosts, int batch = 1, bool noRollback = false, int keep = 5)
    {
        var created = await Client.CreateDeploymentAsync(new CreateDeployment(service, version, hosts, false, batch, noRollback, new ActivationSettings(KeepReleases: keep)), CancellationToken.None);
        return await WaitTerminalAsync(created.Id);
    }

    internal async Task<DeploymentInfo> WaitTerminalAsync(string id, int timeoutSeconds = 120)
    {
        DeploymentInfo current = null!;
        await LocalCluster.WaitAsync(async () =>
        {
            current = await Client.GetDeploymentAsync(id, CancellationToken.None);
            return DeploymentStates.IsTerminal(current.State);
        }, TimeSpan.FromSeconds(timeoutSeconds), $"deployment {id} to end", CancellationToken.None);
        return current;
    }

    /// <summary>What the host's instance of the service answers on GET /, found through the agent's reported inventory.</summary>
    internal async Task<string> AnswerAsync(string service, string host, string expectedVersion)
    {
        ServiceStatus status = null!;
        await LocalCluster.WaitAsync(async () =>
        {
            status = await Client.GetServiceStatusAsync(service, CancellationToken.None);
            return status.Hosts.Any(h => h.Host == host && h.CurrentVersion == expectedVersion && h.Instance is not null);
        }, TimeSpan.FromSeconds(30), $"{host} to report {service} {expectedVersion}", CancellationToken.None);
        var port = status.Hosts.Single(h => h.Host == host).Instance!.Port;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return (await http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim();
    }

    /// <summary>The release directory name `current` points at on a host, or null.</summary>
    internal string? CurrentRelease(string host, string service)
    {
        var link = new FileInfo(Path.Combine(Cluster.ServiceDirectory(host, service), "current"));
        return link.LinkTarget is { } target ? Path.GetFileName(target.TrimEnd('/')) : null;
    }

    internal static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
