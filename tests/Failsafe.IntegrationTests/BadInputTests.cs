namespace Failsafe.IntegrationTests;

/// <summary>Every user mistake gets one clear line, and the hosts keep serving their release.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BadInputTests(ClusterFixture fx)
{
    private Dictionary<string, string> Env => new()
    {
        ["FAILSAFE_SERVER"] = fx.Cluster.Connection.ServerUrl,
        ["FAILSAFE_TOKEN"] = fx.Cluster.Connection.Token,
        ["FAILSAFE_CA_FINGERPRINT"] = fx.Cluster.Connection.CaFingerprint,
    };

    [Fact]
    public async Task Pack_BadVersion_OneLineErrorNamingTheVersion()
    {
        var outcome = await FailsafeProcess.RunAsync(["pack", TestPaths.SampleBuild, "--service", "hello", "--version", "1.0 beta", "--entry", "true", "-o", Path.Combine(fx.WorkDirectory, "x.fsr")]);

        FailsafeProcess.AssertOneLineError(outcome, "'1.0 beta'");
        Assert.False(File.Exists(Path.Combine(fx.WorkDirectory, "x.fsr")));
    }

    [Fact]
    public async Task Push_CorruptArtifact_OneLineErrorAndNothingStored()
    {
        var (path, _) = await fx.PackAsync("corrupt", "1.0.0");
        var bytes = await File.ReadAllBytesAsync(path);
        for (var i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++)
        {
            bytes[i] ^= 0x5A;
        }

        var corrupt = Path.Combine(fx.WorkDirectory, "corrupt.fsr");
        await File.WriteAllBytesAsync(corrupt, bytes);

        var outcome = await FailsafeProcess.RunAsync(["push", corrupt], Env);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var byServer = await Assert.ThrowsAsync<Cli.UserException>(() => fx.Client.PushAsync("corrupt", "1.0.0", corrupt, sha, CancellationToken.None));

        FailsafeProcess.AssertOneLineError(outcome, "corrupt");
        Assert.Contains("corrupt", byServer.Message);
        Assert.Empty(await fx.Client.ListReleasesAsync("corrupt", CancellationToken.None));
    }

    [Fact]
    public async Task Push_TruncatedArtifact_OneLineError()
    {
        var (path, _) = await fx.PackAsync("truncated", "1.0.0");
        var bytes = await File.ReadAllBytesAsync(path);
        var truncated = Path.Combine(fx.WorkDirectory, "truncated.fsr");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 3)]);

        var outcome = await FailsafeProcess.RunAsync(["push", truncated], Env);

        FailsafeProcess.AssertOneLineError(outcome, "truncated");
        Assert.Empty(await fx.Client.ListReleasesAsync("truncated", CancellationToken.None));
    }

    [Fact]
    public async Task Push_WrongHash_RefusedByTheServer()
    {
        var (path, sha) = await fx.PackAsync("wronghash", "1.0.0");
        var wrong = new string(sha.Reverse().ToArray());

        var refused = await Assert.ThrowsAsync<Cli.UserException>(() => fx.Client.PushAsync("wronghash", "1.0.0", path, wrong, CancellationToken.None));

        Assert.Contains("SHA-256", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await fx.Client.ListReleasesAsync("wronghash", CancellationToken.None));
    }

    [Fact]
    public async Task Deploy_UnknownServiceOrVersion_OneLineErrorAndHostsKeepServing()
    {
        await fx.PushAsync("keeps", "1.0.0");
        await fx.DeployAsync("keeps", "1.0.0", ["host-1"]);

        var outcome = await FailsafeProcess.RunAsync(["deploy", "no-such-service", "1.0.0", "--all"], Env);

        FailsafeProcess.AssertOneLineError(outcome, "no-such-service");
        Assert.Equal("hello from 1.0.0", await fx.AnswerAsync("keeps", "host-1", "1.0.0"));
    }

    [Fact]
    public async Task Deploy_PolicyFileWithAnUnknownField_OneLineErrorNamingFileLineAndField()
    {
        var policy = Path.Combine(fx.WorkDirectory, "rollout.json");
        await File.WriteAllTextAsync(policy, "{\n  \"steps\": [ { \"weight\": 5 } ],\n  \"canaryHostz\": 2\n}\n");

        var outcome = await FailsafeProcess.RunAsync(["deploy", "hello", "1.0.0", "--all", "--port", "8080", "--policy", policy], Env);

        FailsafeProcess.AssertOneLineError(outcome, $"{policy}:3");
        Assert.Contains("canaryHostz", outcome.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--steps", "50,25" }, "must rise")]
    [InlineData(new[] { "--steps", "5,x" }, "'x' is not a percentage")]
    [InlineData(new[] { "--hold", "soon" }, "'soon' is not a duration")]
    [InlineData(new[] { "--false-alarm", "0.7" }, "false-alarm rate")]
    [InlineData(new[] { "--prometheus", "ftp://x" }, "Prometheus")]
    public async Task Deploy_BadRolloutOption_OneLineError(string[] option, string expected)
    {
        await fx.PushAsync("badpolicy", "1.0.0");

        var outcome = await FailsafeProcess.RunAsync(["deploy", "badpolicy", "1.0.0", "--all", "--port", "8080", .. option], Env);

        FailsafeProcess.AssertOneLineError(outcome, expected);
        Assert.Empty(await fx.Client.ListDeploymentsAsync("badpolicy", CancellationToken.None));
    }

    [Fact]
    public async Task Status_UnreachableServer_OneLineError()
    {
        var env = Env;
        env["FAILSAFE_SERVER"] = "https://127.0.0.1:1";

        var outcome = await FailsafeProcess.RunAsync(["status"], env);

        FailsafeProcess.AssertOneLineError(outcome, "Cannot reach the Failsafe server at https://127.0.0.1:1");
    }

    [Fact]
    public async Task Status_WrongCaFingerprint_RefusesToTalk()
    {
        var env = Env;
        env["FAILSAFE_CA_FINGERPRINT"] = new string('a', 64);

        var outcome = await FailsafeProcess.RunAsync(["status"], env);

        FailsafeProcess.AssertOneLineError(outcome, "fingerprint");
    }

    [Fact]
    public async Task Status_WrongToken_Refused()
    {
        var env = Env;
        env["FAILSAFE_TOKEN"] = "fsk1_wrong";

        var outcome = await FailsafeProcess.RunAsync(["status"], env);

        FailsafeProcess.AssertOneLineError(outcome, "401");
    }

    [Fact]
    public async Task Status_Json_DescribesEachHostsCurrentRelease()
    {
        var sha = await fx.PushAsync("statusjson", "1.0.0");
        await fx.DeployAsync("statusjson", "1.0.0", ["host-2"]);

        var outcome = await FailsafeProcess.RunAsync(["status", "statusjson", "--json"], Env);

        Assert.Equal(0, outcome.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(outcome.Stdout);
        var host = json.RootElement.GetProperty("hosts").EnumerateArray().Single(h => h.GetProperty("host").GetString() == "host-2");
        Assert.Equal($"1.0.0-{sha[..12]}", host.GetProperty("current").GetString());
    }

    [Fact]
    public async Task Status_OutputRedirected_PlainTableOfEachHostsCurrentRelease()
    {
        var sha = await fx.PushAsync("statustext", "1.0.0");
        await fx.DeployAsync("statustext", "1.0.0", ["host-3"]);

        var outcome = await FailsafeProcess.RunAsync(["status", "statustext"], Env);

        Assert.Equal(0, outcome.ExitCode);
        Assert.DoesNotContain('\u001b', outcome.Stdout);
        var row = Assert.Single(outcome.Stdout.Split('\n'), l => l.Contains("host-3", StringComparison.Ordinal));
        Assert.Contains($"1.0.0-{sha[..12]}", row);
        Assert.Contains("running on :", row);
        Assert.Contains("Last deployment: Deployment d-", outcome.Stdout);
    }

    [Fact]
    public async Task Login_SavesSettingsReadableOnlyByTheUser_AndLaterCommandsNeedNoOptions()
    {
        var config = Path.Combine(fx.WorkDirectory, "login-config");
        var noEnv = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = config };
        var env = new Dictionary<string, string>(Env) { ["XDG_CONFIG_HOME"] = config };

        var login = await FailsafeProcess.RunAsync(["login"], env);
        var status = await FailsafeProcess.RunAsync(["hosts", "--json"], noEnv);

        Assert.True(login.ExitCode == 0, login.Stderr);
        var saved = Path.Combine(config, "failsafe", "cli.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(saved));
        Assert.False(File.Exists(saved + ".tmp"));
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains("host-1", status.Stdout);
    }
}
