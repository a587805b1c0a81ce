using System.CommandLine;
using Failsafe.Client;
using Failsafe.Demo;

namespace Failsafe.Cli;

internal static class DemoCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Keep the demo's server data, hosts and logs in this folder (default: a new temp folder)." };
        var exit = new Option<bool>("--exit") { Description = "End after the story; exit code 0 only if everything happened as told." };
        var command = new Command("demo", "Run a server, three agents and a sample service on 127.0.0.1, and tell the whole story.") { data, exit };
        command.SetAction(async (result, ct) =>
        {
            var given = result.GetValue(data);
            var work = Path.GetFullPath(given ?? Path.Combine(Path.GetTempPath(), $"failsafe-demo-{Guid.NewGuid():N}"[..24]));
            Directory.CreateDirectory(work);
            try
            {
                return await TellAsync(work, stayUp: !result.GetValue(exit), ct).ConfigureAwait(false);
            }
            finally
            {
                // A temp folder is the demo's own; a --data folder is the user's to look at afterwards.
                if (given is null)
                {
                    Directory.Delete(work, recursive: true);
                }
            }
        });
        return command;
    }

    private static async Task<int> TellAsync(string work, bool stayUp, CancellationToken ct)
    {
        var narrator = new Narrator(Console.Out);
        narrator.Chapter("Failsafe demo");
        narrator.Say($"Everything lives under {work}");

        await using var cluster = await LocalCluster.StartServerAsync(work, FailsafeExecutable.Self, ct).ConfigureAwait(false);
        narrator.Say($"Server: {cluster.ServerUrl} (data in {cluster.ServerData}, logs in {cluster.LogDirectory})");
        using var client = new FailsafeClient(cluster.Connection);
        await new DemoStory(cluster, client, narrator, work).RunAsync(ct).ConfigureAwait(false);

        narrator.Chapter(narrator.Broken.Count == 0 ? "Everything happened as told." : $"{narrator.Broken.Count} promise(s) did not hold");
        foreach (var broken in narrator.Broken)
        {
            narrator.Say($"✘ {broken}");
        }

        if (stayUp)
        {
            narrator.Say("Try the CLI against this server in another terminal:");
            narrator.Say($"  export FAILSAFE_SERVER={cluster.Connection.ServerUrl} FAILSAFE_CA_FINGERPRINT={cluster.Connection.CaFingerprint}");
            narrator.Say($"  export FAILSAFE_TOKEN=$(cat {Path.Combine(cluster.ServerData, "admin-token")})");
            narrator.Say("  dotnet run --project src/Failsafe -- status hello");
            narrator.Say("  dotnet run --project src/Failsafe -- rollback hello --to 1.0.0");
            narrator.Say("  dotnet run --project src/Failsafe -- events");
            narrator.Say("The demo stays up until Ctrl-C.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return narrator.Broken.Count == 0 ? 0 : 1;
    }
}
