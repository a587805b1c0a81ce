using Failsafe.Cli;
using Failsafe.Client;
using Failsafe.Contracts;

namespace Failsafe.Demo;

/// <summary>
/// The whole story on one machine: a server, three hosts, v1 and v2 rolled out host by host,
/// and a broken v3 that fails its health check on the first host and is rolled back by itself.
/// </summary>
internal sealed class DemoStory(LocalCluster cluster, FailsafeClient client, Narrator narrator, string workDirectory)
{
    private const string Service = "hello";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task RunAsync(CancellationToken ct)
    {
        narrator.Chapter("Three hosts");
        await cluster.StartAgentsAsync(client, 3, ct).ConfigureAwait(false);
        foreach (var host in cluster.HostNames)
        {
            narrator.Say($"{host}: an agent with its own root {cluster.HostRoot(host)}, enrolled with a one-time token, talking mutual TLS");
        }

        narrator.Chapter("One artifact per release");
        narrator.Say("Building samples/HelloService once; each release differs only by its release.json.");
        var build = await SampleReleases.BuildAsync(workDirectory, ct).ConfigureAwait(false);
        var releases = new[]
        {
            new SampleReleases.SampleRelease("1.0.0", true, "the first release"),
            new SampleReleases.SampleRelease("2.0.0", true, "a healthy upgrade"),
            new SampleReleases.SampleRelease("3.0.0", false, "broken: its /healthz answers 503"),
        };
        foreach (var release in releases)
        {
            var (packed, path) = await SampleReleases.PackAsync(build, workDirectory, release, ct).ConfigureAwait(false);
            var pushed = await client.PushAsync(Service, release.Version, path, packed.Sha256, ct).ConfigureAwait(false);
            narrator.Say($"v{release.Version} ({release.Note}): {packed.Manifest.EntryCount} files, sha256 {packed.Sha256[..12]}…, {Sizes.Format(packed.Size)} → pushed");
            narrator.Check(pushed.Sha256 == packed.Sha256, $"the server holds {Service} {release.Version} as a content-addressed blob");
            if (release.Version == "1.0.0")
            {
                var again = await SampleReleases.PackAsync(build, workDirectory, release, ct).ConfigureAwait(false);
                narrator.Check(again.Packed.Sha256 == packed.Sha256, "packing the same folder again gives byte-identical bytes");
                var repush = await client.PushAsync(Service, release.Version, again.Path, again.Packed.Sha256, ct).ConfigureAwait(false);
                narrator.Check(!repush.Created, "pushing the same bytes again changes nothing");
            }
        }

        await DeployAsync("1.0.0", expectSuccess: true, ct).ConfigureAwait(false);
        await ExpectAnswersAsync("1.0.0", ct).ConfigureAwait(false);

        await DeployAsync("2.0.0", expectSuccess: true, ct).ConfigureAwait(false);
        await ExpectAnswersAsync("2.0.0", ct).ConfigureAwait(false);

        var failed = await DeployAsync("3.0.0", expectSuccess: false, ct).ConfigureAwait(false);
        narrator.Check(failed.State == DeploymentStates.RolledBack, "the broken v3 was rolled back by itself");
        narrator.Say($"Why: {failed.Reason}");
        var untouched = failed.Hosts.Where(h => h.Batch > 1).All(h => h.State is HostStates.Pending or HostStates.Skipped);
        narrator.Check(untouched, "hosts after the failed one were never touched");
        await ExpectAnswersAsync("2.0.0", ct).ConfigureAwait(false);
    }

    private async Task<DeploymentInfo> DeployAsync(string version, bool expectSuccess, CancellationToken ct)
    {
        narrator.Chapter($"Deploy {Service} {version} to {string.Join(", ", cluster.HostNames)}, one host at a time");
        var created = await client.CreateDeploymentAsync(new CreateDeployment(Service, version, cluster.HostNames, BatchSize: 1), ct).ConfigureAwait(false);
        var final = await DeploymentFollower.FollowPlainAsync(client, created, Console.Out, ct).ConfigureAwait(false);
        narrator.Say(DeploymentFollower.Summary(final));
        if (expectSuccess)
        {
            narrator.Check(final.State == DeploymentStates.Succeeded, $"{version} reached every host, each one health-gated before the next");
        }

        return final;
    }

    private async Task ExpectAnswersAsync(string version, CancellationToken ct)
    {
        var expected = $"hello from {version}";
        ServiceStatus status = null!;
        await LocalCluster.WaitAsync(async () =>
        {
            status = await client.GetServiceStatusAsync(Service, ct).ConfigureAwait(false);
            return status.Hosts.Count == cluster.HostNames.Count && status.Hosts.All(h => h.CurrentVersion == version && h.Instance is not null);
        }, TimeSpan.FromSeconds(30), $"every host to report {version} as current", ct).ConfigureAwait(false);

        foreach (var host in status.Hosts.OrderBy(h => h.Host, StringComparer.Ordinal))
        {
            var url = $"http://127.0.0.1:{host.Instance!.Port}/";
            var answer = await GetAsync(url, ct).ConfigureAwait(false);
            var link = Path.Combine(cluster.HostRoot(host.Host), "services", Service, "current");
            var target = File.Exists(link) || Directory.Exists(link) ? new FileInfo(link).LinkTarget : null;
            narrator.Say($"{host.Host}: {url} answers \"{answer}\"; {link} -> {target}");
            narrator.Check(answer == expected, $"{host.Host} serves {version}");
        }
    }

    private static async Task<string> GetAsync(string url, CancellationToken ct)
    {
        try
        {
            return (await Http.GetStringAsync(url, ct).ConfigureAwait(false)).Trim();
        }
        catch (HttpRequestException e)
        {
            return $"(no answer: {e.Message})";
        }
    }
}
