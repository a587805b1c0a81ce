namespace Failsafe.IntegrationTests;

/// <summary>The README's first command, run as a user would: the story must end with every promise kept.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_WithExit_TellsTheWholeStoryAndExitsZero()
    {
        var work = TestPaths.NewWorkDirectory("demo");
        try
        {
            var outcome = await FailsafeProcess.RunAsync(["demo", "--exit", "--data", work], workingDirectory: TestPaths.RepositoryRoot, timeout: TimeSpan.FromMinutes(4));

            Assert.True(outcome.ExitCode == 0, outcome.Stdout + outcome.Stderr);
            Assert.Contains("Everything happened as told.", outcome.Stdout);
            Assert.Contains("analysis caught v3's errors and rolled it back by itself", outcome.Stdout);
            Assert.Contains("analysis caught v4's latency and rolled it back by itself", outcome.Stdout);
            Assert.Contains("went unanswered through five deployments", outcome.Stdout);
            Assert.Contains("✔ failsafe apply: revision 1", outcome.Stdout);
            Assert.Contains("✔ applying the same files again changes nothing", outcome.Stdout);
            Assert.Contains("✔ the service got API_KEY from secret demo-api-key", outcome.Stdout);
            Assert.Contains("✔ the secret is in no log, event, API answer, database file or blob, plain or base64", outcome.Stdout);
            Assert.DoesNotContain("✘", outcome.Stdout);
            // Nothing the demo started (server, agents, service instances) outlives it.
            Assert.DoesNotContain(System.Diagnostics.Process.GetProcesses(), p => Describe(p.Id).Contains(work, StringComparison.Ordinal));
        }
        finally
        {
            ClusterFixture.TryDelete(work);
        }
    }

    private static string Describe(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ') + " " + new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
