using System.Security.Cryptography;
using System.Text;
using Failsafe.Cli;
using Failsafe.Client;
using Failsafe.Config;
using Failsafe.Contracts;

namespace Failsafe.Demo;

/// <summary>
/// The demo's delivery as code: samples/HelloService/failsafe.yaml and samples/failsafe.fleet.yaml, planned and applied
/// like any repository's, and one secret that reaches the service without ever being printed.
/// </summary>
internal sealed class DemoConfig(FailsafeClient client, Narrator narrator, string workDirectory)
{
    public const string Environment = "demo";
    public const string SecretName = "demo-api-key";

    /// <summary>Made here, set on the server, checked by digest: the demo never prints it.</summary>
    private readonly string _secret = "demo-" + RandomNumberGenerator.GetHexString(32, lowercase: true);

    public string SecretSha256 => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_secret)));

    public ServiceConfig Service { get; private set; } = null!;

    /// <summary>Copies the sample files (with the public port the demo found free on this machine), then plan, apply, plan.</summary>
    public async Task ApplyAsync(int publicPort, CancellationToken ct)
    {
        var samples = Path.GetDirectoryName(Path.GetDirectoryName(SampleReleases.FindSampleProject()))!;
        var tree = Path.Combine(workDirectory, "config");
        Directory.CreateDirectory(Path.Combine(tree, "hello"));
        File.Copy(Path.Combine(samples, "failsafe.fleet.yaml"), Path.Combine(tree, "failsafe.fleet.yaml"), overwrite: true);
        var service = await File.ReadAllTextAsync(Path.Combine(samples, "HelloService", "failsafe.yaml"), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(tree, "hello", "failsafe.yaml"), service.Replace("port: 8080", $"port: {publicPort}", StringComparison.Ordinal), ct)
            .ConfigureAwait(false);
        narrator.Say($"samples/failsafe.fleet.yaml and samples/HelloService/failsafe.yaml, copied to {tree} (port {publicPort}: free on this machine)");

        var loaded = ConfigLoader.Load(tree);
        if (!loaded.Ok)
        {
            throw new UserException("The sample configuration does not validate: " + string.Join("; ", loaded.Errors));
        }

        Service = loaded.Document.Services.Single();
        narrator.Check(true, $"failsafe validate: {loaded.Files.Count} files, no mistakes");
        var request = new ConfigRequest(loaded.Document, loaded.IncludesFleet, Source: tree);
        var plan = await client.PlanAsync(request, ct).ConfigureAwait(false);
        narrator.Say("failsafe plan:");
        foreach (var line in PlanText.Format(plan).Split('\n'))
        {
            narrator.Say("  " + line);
        }

        var applied = await client.ApplyAsync(request with { ExpectedRevision = plan.Revision }, ct).ConfigureAwait(false);
        narrator.Check(applied.Changed, $"failsafe apply: revision {applied.Revision}, one transaction, one audited event");
        var again = await client.ApplyAsync(request, ct).ConfigureAwait(false);
        narrator.Check(!again.Changed && again.Revision == applied.Revision, "applying the same files again changes nothing");
    }

    public async Task SetSecretAsync(CancellationToken ct)
    {
        var info = await client.SetSecretAsync(Environment, SecretName, _secret, ct).ConfigureAwait(false);
        narrator.Say($"Secret {SecretName} set in environment {Environment} (as 'failsafe secret set {SecretName} --env {Environment}' does from "
            + $"standard input): {_secret.Length} random characters, never shown, sealed with AES-GCM (version {info.Version}). "
            + "failsafe.yaml names the secret, never its value.");
    }

    /// <summary>Every place Failsafe writes to, searched for the secret, plain and base64.</summary>
    public async Task<List<string>> FindSecretAsync(LocalCluster cluster, CancellationToken ct)
    {
        var needles = SecretNeedles.For(_secret);
        var hits = new List<string>();
        foreach (var folder in new[] { cluster.ServerData, cluster.LogDirectory })
        {
            hits.AddRange(SecretNeedles.SearchFolder(folder, needles));
        }

        var answers = new List<(string What, object Answer)>
        {
            ("events", await client.ListEventsAsync(1000, ct).ConfigureAwait(false)),
            ("deployments", await client.ListDeploymentsAsync(null, ct).ConfigureAwait(false)),
            ("config", await client.GetConfigAsync(ct).ConfigureAwait(false)),
            ("secrets", await client.ListSecretsAsync(null, ct).ConfigureAwait(false)),
        };
        foreach (var (what, answer) in answers)
        {
            hits.AddRange(SecretNeedles.Search(what, System.Text.Json.JsonSerializer.Serialize(answer, FailsafeJson.Options), needles));
        }

        return hits;
    }
}
