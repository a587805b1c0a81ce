using System.Text;
using Failsafe.Artifacts;
using Failsafe.Contracts;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

/// <summary>Variables on the agent: environment of instances and hooks, substitution at install, persistence, masking.</summary>
public sealed class VariablesTests(ITestOutputHelper output) : AgentHarnessTest(output)
{
    private const string AppConf = "config/app.conf";

    private ServicePaths Web => Agent.Service("web");

    private static string InstanceEnvFile(ServicePaths service, string version) => Path.Join(service.Shared, $"instance-env-{version}.txt");

    private static ActivationSettings With(
        Dictionary<string, string>? variables, IReadOnlyList<string>? substitute = null, IReadOnlyList<string>? masked = null, string? environment = "staging") =>
        AgentHarness.Settings() with { Environment = environment, Variables = variables, Substitute = substitute, Masked = masked };

    /// <summary>The hello service, whose entry first writes its environment to a file, plus files of the test's.</summary>
    private async Task<PackedRelease> ReleaseAsync(string version, Dictionary<string, string>? files = null, IReadOnlyList<HookSpec>? hooks = null)
    {
        var source = HelloServiceBuild.CreateSource(Temp, version);
        foreach (var (path, content) in files ?? new() { [AppConf] = "url=#{DB_URL}\nliteral=##{DB_URL}\n", ["config/other.txt"] = "keep #{DB_URL}\n" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Join(source, path))!);
            File.WriteAllText(Path.Join(source, path), content);
        }

        var entry = $"/bin/sh -c 'echo ENTRY_SAYS=#{{GREETING}} > \"$SHARED_DIR/instance-env-$FAILSAFE_VERSION.txt\"; env >> \"$SHARED_DIR/instance-env-$FAILSAFE_VERSION.txt\"; exec {HelloServiceBuild.DotnetHost} HelloService.dll'";
        return await TestReleases.PackAsync(Temp, source, "web", version, entry, hooks);
    }

    private static Dictionary<string, string> Values(string dbUrl = "postgres://db/app") => new() { ["GREETING"] = "hi", ["DB_URL"] = dbUrl };

    [Fact]
    public async Task Install_WithVariables_InstanceAndHookSeeThemAndOnlyMatchedFilesAreRendered()
    {
        var release = await ReleaseAsync("1.0.0", hooks: [new HookSpec(HookNames.PreActivate, "echo HOOK_SAYS=#{GREETING} > \"$SHARED_DIR/hook-env.txt\"; env >> \"$SHARED_DIR/hook-env.txt\"", 10)]);

        var result = await Agent.InstallAsync(1, "web", release, With(Values(), substitute: ["config/*.conf"]));

        Assert.True(result.Succeeded, result.Error);
        var instanceEnv = File.ReadAllLines(InstanceEnvFile(Web, "1.0.0"));
        var hookEnv = File.ReadAllLines(Path.Join(Web.Shared, "hook-env.txt"));
        foreach (var env in new[] { instanceEnv, hookEnv })
        {
            Assert.Contains("GREETING=hi", env);
            Assert.Contains("DB_URL=postgres://db/app", env);
        }

        Assert.Contains("ENTRY_SAYS=hi", instanceEnv);
        Assert.Contains("HOOK_SAYS=hi", hookEnv);
        var directory = Web.ReleaseDirectory(release.Name);
        Assert.Equal("url=postgres://db/app\nliteral=#{DB_URL}\n", File.ReadAllText(Path.Join(directory, AppConf)));
        Assert.Equal("keep #{DB_URL}\n", File.ReadAllText(Path.Join(directory, "config/other.txt")));
        Assert.Contains("variables substituted into 1 file(s)", Agent.Reports.Single(r => r.Name == StepNames.Extract && r.Status == StepStatus.Succeeded).Output, StringComparison.Ordinal);

        // The rendering record holds hashes and names, never a value; the persisted values sit outside the release, 0600.
        var record = File.ReadAllText(Path.Join(directory, ArtifactLayout.InstalledRenderingName));
        Assert.DoesNotContain("postgres://db/app", record, StringComparison.Ordinal);
        Assert.Contains("DB_URL", record, StringComparison.Ordinal);
        var persisted = Path.Join(Web.Directory, ".failsafe", "variables", release.Name + ".json");
        Assert.Contains("postgres://db/app", File.ReadAllText(persisted), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(persisted));
    }

    [Fact]
    public async Task Install_PlaceholderWithoutVariable_FailsNamingFileLineVariableAndEnvironment_NothingSwitched()
    {
        var v1 = await ReleaseAsync("1.0.0", files: new() { ["VERSION"] = "1\n" });
        Assert.True((await Agent.InstallAsync(1, "web", v1, With(Values()))).Succeeded);
        var v2 = await ReleaseAsync("2.0.0", files: new() { [AppConf] = "a=1\nb=##{DB_URL}\nurl=#{DB_URL}\n" });

        var result = await Agent.InstallAsync(2, "web", v2, With(new() { ["GREETING"] = "hi" }, substitute: [AppConf]));

        Assert.False(result.Succeeded);
        Assert.Equal("Release file config/app.conf line 3 uses #{DB_URL}, which environment staging does not define for this host.", result.Error);
        Assert.Equal(["download:succeeded", "verify:succeeded", "extract:failed"], Agent.FinalSteps());
        Assert.Equal(v1.Name, CurrentLink.Read(Web));
        Assert.False(Directory.Exists(Web.ReleaseDirectory(v2.Name)));
        Assert.DoesNotContain(Directory.EnumerateDirectories(Web.Releases), d => Path.GetFileName(d).StartsWith(ServicePaths.StagingPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Install_SubstitutePatternMatchingNoFile_FailsWithASentence()
    {
        var release = await ReleaseAsync("1.0.0");

        var result = await Agent.InstallAsync(1, "web", release, With(Values(), substitute: ["config/app.conf", "config/*.yaml"]));

        Assert.False(result.Succeeded);
        Assert.Equal(
            "Substitute pattern 'config/*.yaml' matches no file of release web 1.0.0: give paths relative to the release root, e.g. config/app.conf or config/*.conf.",
            result.Error);
        Assert.Null(CurrentLink.Read(Web));
    }

    [Fact]
    public async Task Install_SubstituteOfANonTextFile_FailsNamingIt()
    {
        var release = await ReleaseAsync("1.0.0", files: new() { ["data.bin"] = "ab\0cd #{DB_URL}" });

        var result = await Agent.InstallAsync(1, "web", release, With(Values(), substitute: ["*.bin"]));

        Assert.False(result.Succeeded);
        Assert.Equal("Release file data.bin is not a text file (it has NUL bytes); only UTF-8 text files can have variables substituted.", result.Error);
    }

    [Fact]
    public async Task Install_VariableNamedLikeTheAgentsOwn_FailsBeforeAnyStep()
    {
        var release = await ReleaseAsync("1.0.0");

        var port = await Agent.InstallAsync(1, "web", release, With(new() { ["PORT"] = "80" }));
        var ours = await Agent.InstallAsync(2, "web", release, With(new() { ["FAILSAFE_SERVICE"] = "x" }));

        Assert.Equal("Variable PORT cannot be set: the agent sets PORT itself for every instance and hook.", port.Error);
        Assert.Equal("Variable FAILSAFE_SERVICE cannot be set: names starting with FAILSAFE_ belong to the agent.", ours.Error);
        Assert.Empty(Agent.Reports);
        Assert.Null(CurrentLink.Read(Web));
    }

    [Fact]
    public async Task Verify_RenderedRelease_DetectsATamperedRenderedFileAndATamperedOtherFile()
    {
        var release = await ReleaseAsync("1.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", release, With(Values(), substitute: [AppConf]))).Succeeded);
        var directory = Web.ReleaseDirectory(release.Name);
        await ReleaseVerifier.VerifyInstalledAsync(directory);

        var rendered = Path.Join(directory, AppConf);
        var original = File.ReadAllText(rendered);
        File.WriteAllText(rendered, original.Replace("db/app", "db/evil", StringComparison.Ordinal));
        var renderedError = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyInstalledAsync(directory));
        Assert.Contains("'config/app.conf' is ", renderedError.Message, StringComparison.Ordinal);

        File.WriteAllText(rendered, original);
        await ReleaseVerifier.VerifyInstalledAsync(directory);
        File.AppendAllText(Path.Join(directory, "config/other.txt"), "more");
        var otherError = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyInstalledAsync(directory));
        Assert.Contains("'config/other.txt' is ", otherError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_RenderingRecordRemoved_TheRenderedFileNoLongerMatches()
    {
        var release = await ReleaseAsync("1.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", release, With(Values(), substitute: [AppConf]))).Succeeded);
        var directory = Web.ReleaseDirectory(release.Name);

        File.Delete(Path.Join(directory, ArtifactLayout.InstalledRenderingName));

        var error = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyInstalledAsync(directory));
        Assert.Contains("'config/app.conf'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameRelease_OtherValues_FailsWhileCurrent_IsRenderedAnewOnceNotCurrent()
    {
        var v1 = await ReleaseAsync("1.0.0");
        var v2 = await ReleaseAsync("2.0.0");
        var conf = () => File.ReadAllText(Path.Join(Web.ReleaseDirectory(v1.Name), AppConf));
        Assert.True((await Agent.InstallAsync(1, "web", v1, With(Values("a://1"), substitute: [AppConf]))).Succeeded);

        var same = await Agent.InstallAsync(2, "web", v1, With(Values("a://1"), substitute: [AppConf]));
        Assert.True(same.Succeeded, same.Error);
        Assert.Equal("download:skipped", Agent.FinalSteps()[0]);

        var other = await Agent.InstallAsync(3, "web", v1, With(Values("b://2"), substitute: [AppConf]));
        Assert.False(other.Succeeded);
        Assert.Equal("web 1.0.0 runs on this host with other variable values; ship a new version to change them.", other.Error);
        Assert.StartsWith("url=a://1\n", conf(), StringComparison.Ordinal);
        Assert.Equal(v1.Name, CurrentLink.Read(Web));

        Assert.True((await Agent.InstallAsync(4, "web", v2, With(Values("a://1"), substitute: [AppConf]))).Succeeded);
        var opened = Agent.Artifacts.Opened;
        var again = await Agent.InstallAsync(5, "web", v1, With(Values("b://2"), substitute: [AppConf]));

        Assert.True(again.Succeeded, again.Error);
        Assert.Equal("download:succeeded", Agent.FinalSteps()[0]);
        Assert.Equal(opened + 1, Agent.Artifacts.Opened);
        Assert.StartsWith("url=b://2\n", conf(), StringComparison.Ordinal);
        Assert.Contains("DB_URL=b://2", File.ReadAllLines(InstanceEnvFile(Web, "1.0.0")));
    }

    [Fact]
    public async Task Activate_WithoutVariables_RunsTheReleaseWithTheValuesItLastRanWith()
    {
        var v1 = await ReleaseAsync("1.0.0");
        var v2 = await ReleaseAsync("2.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", v1, With(Values("a://1"), substitute: [AppConf]))).Succeeded);
        Assert.True((await Agent.InstallAsync(2, "web", v2, With(Values("b://2"), substitute: [AppConf]))).Succeeded);
        File.Delete(InstanceEnvFile(Web, "1.0.0"));

        var back = await Agent.RunAsync(new AgentTask(3, TaskKinds.Activate, "d-3", "web", null, v1.Name, null, AgentHarness.Settings()));

        Assert.True(back.Succeeded, back.Error);
        Assert.Contains("DB_URL=a://1", File.ReadAllLines(InstanceEnvFile(Web, "1.0.0")));
    }

    [Fact]
    public async Task AgentRestart_InstanceStartedAgainWithThePersistedVariables_RetentionDeletesThem()
    {
        var v1 = await ReleaseAsync("1.0.0");
        Assert.True((await Agent.InstallAsync(1, "web", v1, With(Values("a://1"), substitute: [AppConf]))).Succeeded);
        var firstPid = Agent.Supervisor.Serving("web")!.Pid;
        Agent.Supervisor.DetachAll();
        File.Delete(InstanceEnvFile(Web, "1.0.0"));

        await using var next = new AgentHarness(Temp.Combine("root"), null, AgentHarness.FastSupervisor with { AdoptRunningInstances = false });
        await next.Recovery.RunAsync(CancellationToken.None);

        var restarted = next.Supervisor.Serving("web")!;
        Assert.NotEqual(firstPid, restarted.Pid);
        Assert.True(await Eventually.TrueAsync(() => File.Exists(InstanceEnvFile(Web, "1.0.0")), TimeSpan.FromSeconds(10)));
        Assert.True(await Eventually.TrueAsync(() => File.ReadAllText(InstanceEnvFile(Web, "1.0.0")).Contains("DB_URL=a://1", StringComparison.Ordinal), TimeSpan.FromSeconds(5)));
        Assert.True(await Eventually.TrueAsync(() => Http.IsListeningAsync(restarted.Port), TimeSpan.FromSeconds(10)));
        // The sample greets with GREETING: the restarted instance answers with the persisted value.
        Assert.Equal("hi from 1.0.0\n", await Http.GetAsync(restarted.Port));

        var v2 = await ReleaseAsync("2.0.0");
        var v3 = await ReleaseAsync("3.0.0");
        Assert.True((await next.InstallAsync(2, "web", v2, With(Values()) with { KeepReleases = 1 })).Succeeded);
        Assert.True((await next.InstallAsync(3, "web", v3, With(Values()) with { KeepReleases = 1 })).Succeeded);
        Assert.False(Directory.Exists(Web.ReleaseDirectory(v1.Name)));
        Assert.False(File.Exists(Path.Join(Web.Directory, ".failsafe", "variables", v1.Name + ".json")));
    }

    [Fact]
    public async Task FailingHook_PrintingASecret_ReportsNeitherTheValueNorItsBase64()
    {
        const string secret = "pa??word-42";
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        Assert.Contains('/', base64);
        var release = await ReleaseAsync("1.0.0", hooks:
        [
            new HookSpec(HookNames.PreActivate, "env; printf %s \"$DB_PASSWORD\" | base64; printf %s \"$DB_PASSWORD\" | base64 | tr '+/' '-_' | tr -d '='; echo \"bad password #{DB_PASSWORD}\" >&2; exit 3", 10),
        ]);
        var variables = new Dictionary<string, string>(Values()) { ["DB_PASSWORD"] = secret };

        var result = await Agent.InstallAsync(1, "web", release, With(variables, substitute: [], masked: ["DB_PASSWORD"]));

        Assert.False(result.Succeeded);
        var hook = Agent.Reports.Last();
        Assert.Equal(StepNames.PreActivate, hook.Name);
        Assert.Equal(StepStatus.Failed, hook.Status);
        var reported = string.Join("\n", Agent.Reports.Select(r => r.Output)) + result.Error;
        Assert.Contains("DB_PASSWORD=***", hook.Output, StringComparison.Ordinal);
        Assert.Contains("bad password ***", hook.Output, StringComparison.Ordinal);
        Assert.Contains("DB_URL=postgres://db/app", hook.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, reported, StringComparison.Ordinal);
        Assert.DoesNotContain(base64.TrimEnd('='), reported, StringComparison.Ordinal);
        Assert.DoesNotContain(base64.TrimEnd('=').Replace('+', '-').Replace('/', '_'), reported, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretMasker_MasksPlainAndBase64_ShortValuesPlainOnly()
    {
        var masker = new SecretMasker();
        masker.Add(["hunter2-long", "ab", string.Empty]);
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes("hunter2-long"));

        Assert.Equal("x=*** y=*** z=*** w=***", masker.Apply($"x=hunter2-long y={base64} z={base64.TrimEnd('=')} w=ab"));
        Assert.Equal(Convert.ToBase64String("ab"u8), masker.Apply(Convert.ToBase64String("ab"u8)));
        Assert.Null(masker.Apply(null));
    }
}
