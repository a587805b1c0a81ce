using Failsafe.Cli;
using Failsafe.Client;
using Failsafe.Contracts;

namespace Failsafe.Demo;

/// <summary>
/// The whole story on one machine: a server and three hosts, each with the traffic proxy on the same public
/// port. v1 goes out host by host; then, under steady load, v2 goes through canary steps and is promoted, v3
/// (5% errors, health check green) and v4 (30% slower) are caught by analysis and rolled back, and v5 (failing
/// its health check) never takes a single request. Every verdict is told in its own words. How hello is delivered comes
/// from files (samples/HelloService/failsafe.yaml, samples/failsafe.fleet.yaml), planned and applied first; one secret
/// reaches the service, and at the end the demo searches everything Failsafe wrote for it.
/// </summary>
internal sealed class DemoStory(LocalCluster cluster, FailsafeClient client, Narrator narrator, string workDirectory)
{
    private const string Service = "hello";
    private const double BaseDelayMs = 10;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly int _publicPort = LocalCluster.FreePort(LocalCluster.HostAddress("host-1"));

    public async Task RunAsync(CancellationToken ct)
    {
        narrator.Chapter("Three hosts");
        await cluster.StartAgentsAsync(client, 3, ct).ConfigureAwait(false);
        foreach (var host in cluster.HostNames)
        {
            narrator.Say($"{host}: an agent with its own root {cluster.HostRoot(host)}, enrolled with a one-time token, talking mutual TLS;");
            narrator.Say($"        its proxy will listen on {PublicUrl(host)} and its metrics on {cluster.MetricsUrl(host)}");
        }

        narrator.Chapter("Delivery as code");
        var config = new DemoConfig(client, narrator, workDirectory);
        await config.ApplyAsync(_publicPort, ct).ConfigureAwait(false);
        await config.SetSecretAsync(ct).ConfigureAwait(false);

        narrator.Chapter("One artifact per release");
        narrator.Say("Building samples/HelloService once; each release differs only by its release.json.");
        var build = await SampleReleases.BuildAsync(workDirectory, ct).ConfigureAwait(false);
        var releases = new[]
        {
            new SampleReleases.SampleRelease("1.0.0", true, "the first release", DelayMs: BaseDelayMs),
            new SampleReleases.SampleRelease("2.0.0", true, "a good upgrade", DelayMs: BaseDelayMs),
            new SampleReleases.SampleRelease("3.0.0", true, "answers 5% of requests with 500, health check green", ErrorRate: 0.05, DelayMs: BaseDelayMs),
            new SampleReleases.SampleRelease("4.0.0", true, "30% slower, otherwise fine", DelayMs: BaseDelayMs * 1.3),
            new SampleReleases.SampleRelease("5.0.0", false, "broken: its /healthz answers 503", DelayMs: BaseDelayMs),
        };
        foreach (var release in releases)
        {
            var (packed, path) = await SampleReleases.PackAsync(build, workDirectory, release, ct, config.Service).ConfigureAwait(false);
            var pushed = await client.PushAsync(Service, release.Version, path, packed.Sha256, ct).ConfigureAwait(false);
            narrator.Say($"v{release.Version} ({release.Note}): {packed.Manifest.EntryCount} files, sha256 {packed.Sha256[..12]}…, {Sizes.Format(packed.Size)} → pushed");
            narrator.Check(pushed.Sha256 == packed.Sha256, $"the server holds {Service} {release.Version} as a content-addressed blob");
            if (release.Version == "1.0.0")
            {
                var again = await SampleReleases.PackAsync(build, workDirectory, release, ct, config.Service).ConfigureAwait(false);
                narrator.Check(again.Packed.Sha256 == packed.Sha256, "packing the same folder again gives byte-identical bytes");
                var repush = await client.PushAsync(Service, release.Version, again.Path, again.Packed.Sha256, ct).ConfigureAwait(false);
                narrator.Check(!repush.Created, "pushing the same bytes again changes nothing");
            }
        }

        narrator.Chapter($"Deploy {Service} 1.0.0 behind the proxy on port {_publicPort}, one host at a time");
        var first = await DeployAsync("1.0.0", ct).ConfigureAwait(false);
        narrator.Check(first.State == DeploymentStates.Succeeded, "1.0.0 reached every host, each one health-gated before the next (nothing ran before it: no canary to compare with)");
        await ExpectAnswersAsync("1.0.0", ct).ConfigureAwait(false);
        var digest = await GetAsync(PublicUrl("host-1") + "/api-key-sha256", ct).ConfigureAwait(false);
        narrator.Check(digest == config.SecretSha256,
            $"the service got API_KEY from secret {DemoConfig.SecretName}: it answers the value's sha256 ({digest[..Math.Min(12, digest.Length)]}…), which matches the one set");

        narrator.Chapter("Users arrive");
        // The canary host gets most of the load: its canary's share is what analysis compares.
        await using var load = new LoadGenerator(
            cluster.HostNames.SelectMany(h => Enumerable.Repeat(PublicUrl(h) + "/", h == "host-1" ? 4 : 1)), requestsPerSecondEach: 40);
        narrator.Say($"Steady GET / traffic: 160 requests/s to host-1, 40/s to each other host, through the proxies.");
        await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);

        narrator.Chapter("v2: canary 20% → 50% on host-1, analysis watching, then the other hosts");
        var good = await DeployAsync("2.0.0", ct).ConfigureAwait(false);
        narrator.Check(good.State == DeploymentStates.Succeeded, "2.0.0 passed every canary step and was promoted everywhere");
        narrator.Check(good.Rollout?.Verdict?.Outcome == VerdictOutcomes.Pass, $"the last verdict was PASS: {good.Rollout?.Verdict?.Sentence}");
        await ExpectAnswersAsync("2.0.0", ct).ConfigureAwait(false);

        narrator.Chapter("v3: 5% errors that the health check does not see");
        var errors = await DeployAsync("3.0.0", ct).ConfigureAwait(false);
        narrator.Check(errors.State == DeploymentStates.RolledBack, "analysis caught v3's errors and rolled it back by itself");
        // Usually the error-rate test; on a busy machine the freshly started v3 can also be measurably slower, and then
        // the latency test may speak first. Either way it is caught by analysis, not by its (green) health check.
        var failing = errors.Rollout?.Verdict?.Tests.Where(t => t.Outcome == VerdictOutcomes.Fail).Select(t => t.Metric).ToList() ?? [];
        narrator.Check(failing.Count > 0, $"it was caught by analysis (failing test: {string.Join(", ", failing)}), while its health check stayed green");
        narrator.Say($"Why: {errors.Reason}");
        narrator.Check(errors.Hosts.Where(h => h.Batch > 1).All(h => h.State is HostStates.Pending or HostStates.Skipped), "host-2 and host-3 never saw v3");
        await ExpectAnswersAsync("2.0.0", ct).ConfigureAwait(false);

        narrator.Chapter("v4: 30% slower");
        var slow = await DeployAsync("4.0.0", ct).ConfigureAwait(false);
        narrator.Check(slow.State == DeploymentStates.RolledBack, "analysis caught v4's latency and rolled it back by itself");
        narrator.Check(slow.Rollout?.Verdict is { Outcome: VerdictOutcomes.Fail } v4 && v4.Tests.Any(t => t.Metric == "latency" && t.Outcome == VerdictOutcomes.Fail),
            "the failing test was the latency test");
        narrator.Say($"Why: {slow.Reason}");
        await ExpectAnswersAsync("2.0.0", ct).ConfigureAwait(false);

        narrator.Chapter("v5: a health check that fails");
        var broken = await DeployAsync("5.0.0", ct).ConfigureAwait(false);
        narrator.Check(broken.State == DeploymentStates.RolledBack, "v5 failed its health check on host-1 and was rolled back before it took any traffic");
        narrator.Say($"Why: {broken.Reason}");
        await ExpectAnswersAsync("2.0.0", ct).ConfigureAwait(false);

        narrator.Chapter("What the users saw");
        var total = load.Total;
        foreach (var (version, count) in load.ByVersion.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            narrator.Say($"{version}: {count.Requests} answers, {count.Errors} of them errors");
        }

        narrator.Check(load.Failed == 0, $"not one of {total} requests went unanswered through five deployments and three rollbacks ({load.Failed} failed)");
        narrator.Check(load.ByVersion.TryGetValue("3.0.0", out var v3Seen) && v3Seen.Requests < total / 10,
            $"v3's errors reached few users: it served {v3Seen?.Requests ?? 0} of {total} requests before it was caught");
        narrator.Check(!load.ByVersion.ContainsKey("5.0.0"), "v5 answered no one");

        narrator.Chapter("Where the secret is not");
        var hits = await config.FindSecretAsync(cluster, ct).ConfigureAwait(false);
        narrator.Check(hits.Count == 0,
            "the secret is in no log, event, API answer, database file or blob, plain or base64"
            + (hits.Count == 0 ? "" : $": {string.Join("; ", hits)}"));
    }

    private string PublicUrl(string host) => $"http://{LocalCluster.HostAddress(host)}:{_publicPort}";

    private async Task<DeploymentInfo> DeployAsync(string version, CancellationToken ct)
    {
        // Hosts, settings, rollout policy and variables all come from the applied failsafe.yaml and fleet file.
        var created = await client.CreateDeploymentAsync(new CreateDeployment(Service, version, Environment: DemoConfig.Environment), ct)
            .ConfigureAwait(false);
        var final = await DeploymentFollower.FollowPlainAsync(client, created, Console.Out, ct).ConfigureAwait(false);
        narrator.Say(DeploymentFollower.Summary(final));
        return final;
    }

    private async Task ExpectAnswersAsync(string version, CancellationToken ct)
    {
        var expected = $"hello from {version}";
        await LocalCluster.WaitAsync(async () =>
        {
            var status = await client.GetServiceStatusAsync(Service, ct).ConfigureAwait(false);
            return status.Hosts.Count == cluster.HostNames.Count && status.Hosts.All(h => h.CurrentVersion == version && h.Instance is not null);
        }, TimeSpan.FromSeconds(30), $"every host to report {version} as current", ct).ConfigureAwait(false);

        foreach (var host in cluster.HostNames)
        {
            var url = PublicUrl(host) + "/";
            var answer = await GetAsync(url, ct).ConfigureAwait(false);
            var link = Path.Combine(cluster.HostRoot(host), "services", Service, "current");
            var target = File.Exists(link) || Directory.Exists(link) ? new FileInfo(link).LinkTarget : null;
            narrator.Say($"{host}: {url} answers \"{answer}\"; current -> {target}");
            narrator.Check(answer == expected, $"{host} serves {version}");
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
