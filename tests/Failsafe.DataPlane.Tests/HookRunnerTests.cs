using Failsafe.Tests.Common;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

public sealed class HookRunnerTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-dp");

    public void Dispose() => _temp.Dispose();

    private HookRunner Runner => new(TimeProvider.System, new TestOutputLogger<HookRunner>(output));

    private HookContext Context()
    {
        var release = _temp.Combine("releases/1.0.0-aaaaaaaaaaaa");
        Directory.CreateDirectory(release);
        return new HookContext("web", "1.0.0", release, _temp.Combine("shared"));
    }

    [Fact]
    public async Task RunAsync_Success_CapturesStdoutAndStderrInOrderWithTheReleaseEnvironment()
    {
        var context = Context();

        var result = await Runner.RunAsync(
            "pre-activate",
            "echo one; echo two >&2; echo \"$FAILSAFE_SERVICE $FAILSAFE_VERSION $FAILSAFE_RELEASE_DIR $FAILSAFE_SHARED_DIR\"; pwd",
            context,
            TimeSpan.FromSeconds(10),
            CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            $"one\ntwo\nweb 1.0.0 {context.ReleaseDirectory} {context.SharedDirectory}\n{context.ReleaseDirectory}\n",
            result.Output);
    }

    [Fact]
    public async Task RunAsync_AgentSettingsInTheEnvironment_DoNotReachTheHook()
    {
        Environment.SetEnvironmentVariable("FAILSAFE_ENROLL_TOKEN", "fse1.secret-that-must-not-leak");

        var result = await Runner.RunAsync("pre-activate", "env", Context(), TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.DoesNotContain("secret-that-must-not-leak", result.Output, StringComparison.Ordinal);
        Assert.Contains("FAILSAFE_SERVICE=web\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_ReportsTheCodeAndOutput()
    {
        var result = await Runner.RunAsync("pre-activate", "echo migration failed; exit 7", Context(), TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(7, result.ExitCode);
        Assert.Equal("migration failed\n", result.Output);
        Assert.Equal("hook pre-activate exited with code 7", result.Describe("pre-activate", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task RunAsync_Timeout_KillsTheWholeProcessGroup()
    {
        var context = Context();
        var pidFile = _temp.Combine("grandchild.pid");

        var result = await Runner.RunAsync(
            "pre-activate",
            $"sleep 300 & echo $! > {pidFile}; echo waiting; wait",
            context,
            TimeSpan.FromSeconds(1),
            CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.Null(result.ExitCode);
        Assert.Equal("waiting\n", result.Output);
        Assert.True(result.Duration < TimeSpan.FromSeconds(10), $"took {result.Duration}");
        Assert.Equal("hook pre-activate did not finish within 1 s and was killed", result.Describe("pre-activate", TimeSpan.FromSeconds(1)));
        var grandchild = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await Eventually.TrueAsync(() => !Eventually.ProcessAlive(grandchild), TimeSpan.FromSeconds(5)), "the hook's background sleep survived");
    }

    [Fact]
    public async Task RunAsync_HugeOutput_IsCappedAt64KiB()
    {
        var result = await Runner.RunAsync("pre-activate", "head -c 300000 /dev/zero | tr '\\0' a", Context(), TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.StartsWith(new string('a', HookRunner.MaxOutputBytes), result.Output, StringComparison.Ordinal);
        Assert.EndsWith("[output truncated at 64 KiB]", result.Output, StringComparison.Ordinal);
        Assert.True(result.Output.Length < HookRunner.MaxOutputBytes + 100);
    }
}
