using Failsafe.Artifacts;
using Failsafe.Contracts;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>A server, its admin client and a few fake agents, for orchestration tests.</summary>
internal sealed class Fleet : IAsyncDisposable
{
    private readonly TempDirectory _data = new("fs-fleet");
    private readonly TempDirectory _work = new("fs-fleet-work");
    private readonly Func<Hosting.ServerOptions, Hosting.ServerOptions>? _tweak;

    private Fleet(Func<Hosting.ServerOptions, Hosting.ServerOptions>? tweak) => _tweak = tweak;

    public TestServer Server { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public List<FakeAgent> Agents { get; } = [];

    public FakeAgent this[string name] => Agents.Single(a => a.Name == name);

    public static async Task<Fleet> StartAsync(int agents, Func<Hosting.ServerOptions, Hosting.ServerOptions>? tweak = null)
    {
        var fleet = new Fleet(tweak);
        await fleet.StartServerAsync();
        for (var i = 1; i <= agents; i++)
        {
            var agent = await FakeAgent.EnrollAsync(fleet.Server, $"host-{i}");
            fleet.Agents.Add(agent);
        }

        return fleet;
    }

    /// <summary>Stops the server (as a crash would leave the data folder) and starts a new one on the same folder.</summary>
    public async Task RestartServerAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
        await StartServerAsync();
        foreach (var agent in Agents)
        {
            agent.Reconnect(Server);
        }
    }

    public async Task<PackResult> PushAsync(string service, string version)
    {
        var (path, packed) = await TestArtifacts.PackAsync(_work, service, version);
        (await Admin.PushAsync(service, version, path)).EnsureSuccessStatusCode();
        return packed;
    }

    /// <summary>Every agent reports its inventory once, so the server knows what runs where.</summary>
    public async Task ReportAllAsync()
    {
        foreach (var agent in Agents)
        {
            Assert.Empty(await agent.PollAsync());
        }
    }

    public async Task<DeploymentInfo> DeployAsync(CreateDeployment request)
    {
        var response = await Admin.PostJsonAsync(ApiRoutes.Deployments, request);
        return await response.ReadAsync<DeploymentInfo>();
    }

    public Task<DeploymentInfo> WaitAsync(string id, Func<DeploymentInfo, bool> done, string what) => Admin.WaitForDeploymentAsync(id, done, what);

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in Agents)
        {
            agent.Dispose();
        }

        Admin.Dispose();
        await Server.DisposeAsync();
        _data.Dispose();
        _work.Dispose();
    }

    private async Task StartServerAsync()
    {
        Server = await TestServer.StartAsync(_data.Path, _tweak);
        Admin = Server.Admin();
    }
}
