using System.Diagnostics;
using Failsafe.Contracts;

namespace Failsafe.IntegrationTests;

/// <summary>validate, plan and apply as a user runs them: on a folder of files, a git checkout, against a real server.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConfigCliTests(ClusterFixture fx)
{
    private const string Fleet = """
        environments:
          cli:
            hosts: [host-3]
        """;

    private const string Service = """
        service: gitsvc
        run:
          entry: dotnet HelloService.dll
          drain-timeout: 5s
        environments: [cli]
        """;

    private Dictionary<string, string> Env => new()
    {
        ["FAILSAFE_SERVER"] = fx.Cluster.Connection.ServerUrl,
        ["FAILSAFE_TOKEN"] = fx.Cluster.Connection.Token,
        ["FAILSAFE_CA_FINGERPRINT"] = fx.Cluster.Connection.CaFingerprint,
    };

    [Fact]
    public async Task Validate_PrintsEveryMistakeWithItsPosition_AndApplySendsNothing()
    {
        var tree = Tree("broken");
        await File.WriteAllTextAsync(Path.Combine(tree, "failsafe.yaml"), """
            service: gitsvc
            run:
              entry: dotnet HelloService.dll
              helth:
                path: /healthz
              drain-timeout: 30
            environments: [cli]
            """);
        var before = await fx.Client.GetConfigAsync(CancellationToken.None);

        var outcome = await FailsafeProcess.RunAsync(["validate", tree]);
        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal(
            [
                "failsafe.yaml:4:3: run.helth: unknown key 'helth': did you mean 'health'?",
                "failsafe.yaml:6:18: run.drain-timeout: '30' has no unit: write 30s",
                "error: 2 mistakes in 1 file; nothing was sent to the server.",
            ],
            outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var apply = await FailsafeProcess.RunAsync(["apply", tree], Env);
        Assert.Equal((1, outcome.Stderr), (apply.ExitCode, apply.Stderr));
        Assert.Equal(before.Revision, (await fx.Client.GetConfigAsync(CancellationToken.None)).Revision);
    }

    [Fact]
    public async Task Apply_InAGitCheckout_RecordsTheCommit_AnUnchangedTreeIsANoOp_AndUncommittedChangesAreMarked()
    {
        var tree = Tree("git");
        await File.WriteAllTextAsync(Path.Combine(tree, "failsafe.fleet.yaml"), Fleet);
        Directory.CreateDirectory(Path.Combine(tree, "gitsvc"));
        await File.WriteAllTextAsync(Path.Combine(tree, "gitsvc", "failsafe.yaml"), Service);
        Git(tree, "init", "-q");
        Git(tree, "add", ".");
        Git(tree, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "delivery as code");
        var commit = Git(tree, "rev-parse", "HEAD");

        var valid = await FailsafeProcess.RunAsync(["validate", tree]);
        Assert.Equal(0, valid.ExitCode);
        Assert.StartsWith("Valid: 1 service (gitsvc); fleet with 1 environment, 0 host groups, 0 lifecycles", valid.Stdout);

        var applied = await FailsafeProcess.RunAsync(["apply", tree, "--prune"], Env);
        Assert.True(applied.ExitCode == 0, applied.Stderr);
        Assert.Contains("+ service gitsvc", applied.Stdout);
        Assert.Contains($"from commit {commit}.", applied.Stdout);
        var revision = (await fx.Client.GetConfigAsync(CancellationToken.None)).Revision;

        var plan = await FailsafeProcess.RunAsync(["plan", tree, "--prune", "--detailed-exitcode"], Env);
        Assert.Contains("no changes: the server matches the files.", plan.Stdout);
        Assert.Equal(0, plan.ExitCode);
        var again = await FailsafeProcess.RunAsync(["apply", tree, "--prune"], Env);
        Assert.Equal($"No changes: the server matches the files (revision {revision}).", again.Stdout.Trim());

        await File.WriteAllTextAsync(Path.Combine(tree, "gitsvc", "failsafe.yaml"), Service.Replace("drain-timeout: 5s", "drain-timeout: 7s", StringComparison.Ordinal));
        var pending = await FailsafeProcess.RunAsync(["plan", tree, "--prune", "--detailed-exitcode"], Env);
        Assert.Equal((2, "~ service gitsvc"), (pending.ExitCode, pending.Stdout.Split('\n')[1].Trim()));
        var changed = await FailsafeProcess.RunAsync(["apply", tree, "--prune"], Env);
        Assert.Contains("~ service gitsvc", changed.Stdout);
        Assert.Contains("run.drain-timeout: 5s → 7s", changed.Stdout);
        Assert.Contains($"from commit {commit}-dirty.", changed.Stdout);

        var events = await fx.Client.ListEventsAsync(50, "config", CancellationToken.None);
        Assert.Contains(events, e => e.Action == "config.apply" && e.Detail!.StartsWith($"revision {revision + 1} from commit {commit}-dirty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pack_TakesNameEntryHealthAndHooks_FromTheServicesFailsafeYaml()
    {
        var release = Tree("pack");
        File.Copy(Path.Combine(TestPaths.SampleBuild, "HelloService.dll"), Path.Combine(release, "HelloService.dll"));
        await File.WriteAllTextAsync(Path.Combine(release, "failsafe.yaml"), """
            service: yamlsvc
            run:
              entry: dotnet HelloService.dll
              health:
                path: /ready
                timeout: 9s
            hooks:
              pre-activate:
                command: ./migrate.sh
                timeout: 2m
            environments: [cli]
            """);
        var artifact = Path.Combine(fx.WorkDirectory, "yamlsvc.fsr");

        var outcome = await FailsafeProcess.RunAsync(["pack", release, "--version", "1.0.0", "-o", artifact]);
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        Assert.StartsWith("Read yamlsvc's failsafe.yaml: entry, health check and hooks.", outcome.Stdout);
        var manifest = await Failsafe.Artifacts.ArtifactReader.ReadManifestAsync(artifact);
        Assert.Equal(("yamlsvc", "dotnet HelloService.dll", "/ready", 9), (manifest.Service, manifest.EntryCommand, manifest.HealthCheck.Path, manifest.HealthCheck.TimeoutSeconds));
        var hook = Assert.Single(manifest.Hooks);
        Assert.Equal(("pre-activate", "./migrate.sh", 120), (hook.Name, hook.Command, hook.TimeoutSeconds));

        var overridden = await FailsafeProcess.RunAsync(["pack", release, "--version", "1.0.1", "--service", "other", "--entry", "./other", "-o", artifact]);
        Assert.True(overridden.ExitCode == 0, overridden.Stderr);
        manifest = await Failsafe.Artifacts.ArtifactReader.ReadManifestAsync(artifact);
        Assert.Equal(("other", "./other", "/ready"), (manifest.Service, manifest.EntryCommand, manifest.HealthCheck.Path));
    }

    [Fact]
    public async Task FromFilesToProd_ThroughTheCli_SecretsLifecycleApprovalByRole()
    {
        var tree = Tree("flow");
        await File.WriteAllTextAsync(Path.Combine(tree, "failsafe.fleet.yaml"), """
            environments:
              cli-stage:
                hosts: [host-3]
              cli-prod:
                hosts: [host-3]
                approval:
                  required: 1
                  approvers: ["role:ops"]
            lifecycles:
              cli: [cli-stage, cli-prod]
            """);
        await File.WriteAllTextAsync(Path.Combine(tree, "failsafe.yaml"), """
            service: flow
            run:
              entry: dotnet HelloService.dll
            variables:
              API_KEY:
                secret: flow-key
            environments: [cli-stage, cli-prod]
            lifecycle: cli
            """);
        const string Secret = "flow-secret-7f3a9c";
        Assert.Equal(0, (await FailsafeProcess.RunAsync(["apply", tree, "--prune"], Env)).ExitCode);
        foreach (var environment in new[] { "cli-stage", "cli-prod" })
        {
            var set = await FailsafeProcess.RunAsync(["secret", "set", "flow-key", "--env", environment], Env, stdin: Secret + "\n");
            Assert.Equal($"Secret flow-key in {environment} is at version 1.", set.Stdout.Trim());
        }

        await fx.PushAsync("flow", "1.0.0");
        var early = await FailsafeProcess.RunAsync(["promote", "flow", "1.0.0", "--to", "cli-prod"], Env);
        FailsafeProcess.AssertOneLineError(early, "flow 1.0.0 cannot go to cli-prod yet: lifecycle cli runs cli-stage → cli-prod");

        var stage = await FailsafeProcess.RunAsync(["deploy", "flow", "1.0.0", "--env", "cli-stage"], Env, timeout: TimeSpan.FromMinutes(2));
        Assert.True(stage.ExitCode == 0, stage.Stdout + stage.Stderr);

        var prod = await FailsafeProcess.RunAsync(["promote", "flow", "1.0.0", "--json"], Env);
        var waiting = System.Text.Json.JsonSerializer.Deserialize<DeploymentInfo>(prod.Stdout, FailsafeJson.Options)!;
        Assert.Equal(("cli-prod", DeploymentStates.AwaitingApproval), (waiting.Environment, waiting.State));

        var token = (await FailsafeProcess.RunAsync(["token", "create", "carol", "--role", "ops"], Env)).Stdout.Trim();
        FailsafeProcess.AssertOneLineError(await FailsafeProcess.RunAsync(["approve", waiting.Id], Env), "someone else must approve it");
        var approved = await FailsafeProcess.RunAsync(["approve", waiting.Id, "--comment", "go"], new Dictionary<string, string>(Env) { ["FAILSAFE_TOKEN"] = token });
        Assert.Equal($"{waiting.Id} (flow 1.0.0 to cli-prod): approved by carol; it is running.", approved.Stdout.Trim());
        Assert.Equal(DeploymentStates.Succeeded, (await fx.WaitTerminalAsync(waiting.Id)).State);

        foreach (var output in new[] { stage, prod, approved })
        {
            Assert.DoesNotContain(Secret, output.Stdout + output.Stderr, StringComparison.Ordinal);
        }
    }

    private string Tree(string name)
    {
        var path = Path.Combine(fx.WorkDirectory, "cli-config-" + name);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Git(string folder, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output.Trim();
    }
}
