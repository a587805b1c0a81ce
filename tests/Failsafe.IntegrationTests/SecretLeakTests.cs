using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Failsafe.Config;
using Failsafe.Contracts;
using Failsafe.Demo;

namespace Failsafe.IntegrationTests;

/// <summary>
/// A recognisable secret, planted and used by real deployments (one of them failing in a hook that prints its whole
/// environment and the secret's base64), then searched for in everything Failsafe writes: the server's and agents'
/// logs, every event, the API's answers, the database files and the blob store.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SecretLeakTests(ClusterFixture fx)
{
    private const string PrintEverything =
        "env; printf %s \"$API_KEY\" | base64; printf %s \"$API_KEY\" | base64 | tr -d '=' | tr '+/' '-_'; echo \"key: $API_KEY\" >&2; exit 7";

    [Fact]
    public async Task PlantedSecret_ReachesTheService_AndIsFoundNowhereFailsafeWrites()
    {
        var secret = "LEAKCANARY-" + RandomNumberGenerator.GetHexString(24);
        var tree = Path.Combine(fx.WorkDirectory, "leak-config");
        Directory.CreateDirectory(Path.Combine(tree, "leaky"));
        await File.WriteAllTextAsync(Path.Combine(tree, "failsafe.fleet.yaml"), """
            environments:
              leak:
                hosts: [host-1]
            """);
        await File.WriteAllTextAsync(Path.Combine(tree, "leaky", "failsafe.yaml"), """
            service: leaky
            run:
              entry: dotnet HelloService.dll
            variables:
              API_KEY:
                secret: leak-key
            environments: [leak]
            """);
        var loaded = ConfigLoader.Load(tree);
        Assert.True(loaded.Ok, string.Join("\n", loaded.Errors));
        await fx.Client.ApplyAsync(new ConfigRequest(loaded.Document, loaded.IncludesFleet), CancellationToken.None);
        await fx.Client.SetSecretAsync("leak", "leak-key", secret, CancellationToken.None);

        await fx.PushAsync("leaky", "1.0.0");
        await fx.PushAsync("leaky", "2.0.0", preActivate: PrintEverything);
        var good = await DeployAsync("1.0.0");
        Assert.Equal(DeploymentStates.Succeeded, good.State);
        var status = await fx.Client.GetServiceStatusAsync("leaky", CancellationToken.None);
        using (var http = new HttpClient())
        {
            var digest = (await http.GetStringAsync($"http://127.0.0.1:{status.Hosts.Single().Instance!.Port}/api-key-sha256")).Trim();
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), digest);
        }

        var bad = await DeployAsync("2.0.0");
        Assert.True(bad.State is DeploymentStates.Failed or DeploymentStates.RolledBack, bad.State);
        var hook = bad.Hosts.Single().Steps.Single(s => s.Status == StepStatus.Failed);
        Assert.Contains("API_KEY=***", hook.Output, StringComparison.Ordinal);

        var needles = SecretNeedles.For(secret);
        var hits = new List<string>();
        hits.AddRange(SecretNeedles.SearchFolder(fx.Cluster.ServerData, needles));
        hits.AddRange(SecretNeedles.SearchFolder(fx.Cluster.LogDirectory, needles));
        var answers = new Dictionary<string, object>
        {
            ["events"] = await fx.Client.ListEventsAsync(5000, CancellationToken.None),
            ["deployments"] = await fx.Client.ListDeploymentsAsync("leaky", CancellationToken.None),
            ["deployment (good)"] = await fx.Client.GetDeploymentAsync(good.Id, CancellationToken.None),
            ["deployment (bad)"] = await fx.Client.GetDeploymentAsync(bad.Id, CancellationToken.None),
            ["status"] = await fx.Client.GetServiceStatusAsync("leaky", CancellationToken.None),
            ["hosts"] = await fx.Client.ListAgentsAsync(CancellationToken.None),
            ["config"] = await fx.Client.GetConfigAsync(CancellationToken.None),
            ["secrets"] = await fx.Client.ListSecretsAsync(null, CancellationToken.None),
        };
        foreach (var (what, answer) in answers)
        {
            hits.AddRange(SecretNeedles.Search(what, JsonSerializer.Serialize(answer, FailsafeJson.Options), needles));
        }

        Assert.Empty(hits);

        // The search can find it: the host keeps the values its release runs with (owner-only), and it is there.
        var persisted = Path.Combine(fx.Cluster.ServiceDirectory("host-1", "leaky"), ".failsafe", "variables");
        Assert.NotEmpty(SecretNeedles.SearchFolder(persisted, needles));
    }

    private async Task<DeploymentInfo> DeployAsync(string version)
    {
        var created = await fx.Client.CreateDeploymentAsync(new CreateDeployment("leaky", version, Environment: "leak"), CancellationToken.None);
        return await fx.WaitTerminalAsync(created.Id);
    }
}
