using Failsafe.Client;
using Failsafe.Contracts;
using Spectre.Console;

namespace Failsafe.Cli;

/// <summary>
/// Follows a deployment until it ends: a live table in a terminal, one plain line per change
/// otherwise (logs, CI), so the same command reads well in both places.
/// </summary>
internal static class DeploymentFollower
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(400);

    public static bool IsInteractive =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static async Task<DeploymentInfo> FollowAsync(FailsafeClient client, DeploymentInfo start, CancellationToken ct)
    {
        if (!IsInteractive)
        {
            return await FollowPlainAsync(client, start, Console.Out, ct).ConfigureAwait(false);
        }

        var current = start;
        await AnsiConsole.Live(DeploymentTable.Render(current)).StartAsync(async live =>
        {
            while (!DeploymentStates.IsTerminal(current.State))
            {
                await Task.Delay(PollInterval, ct).ConfigureAwait(false);
                current = await ReadAsync(client, current, ct).ConfigureAwait(false);
                live.UpdateTarget(DeploymentTable.Render(current));
            }
        }).ConfigureAwait(false);
        return current;
    }

    public static async Task<DeploymentInfo> FollowPlainAsync(FailsafeClient client, DeploymentInfo start, TextWriter output, CancellationToken ct)
    {
        var printer = new PlainProgressPrinter(output);
        var current = start;
        printer.Print(current);
        while (!DeploymentStates.IsTerminal(current.State))
        {
            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
            current = await ReadAsync(client, current, ct).ConfigureAwait(false);
            printer.Print(current);
        }

        return current;
    }

    /// <summary>
    /// The deployment lives on the server, not in this command: a server restart while following it is
    /// waited out (up to <see cref="OutageTolerance"/>) instead of reported as a failed deployment.
    /// </summary>
    private static async Task<DeploymentInfo> ReadAsync(FailsafeClient client, DeploymentInfo last, CancellationToken ct)
    {
        var since = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                return await client.GetDeploymentAsync(last.Id, ct).ConfigureAwait(false);
            }
            catch (ServerUnreachableException) when (TimeProvider.System.GetElapsedTime(since) < OutageTolerance)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan OutageTolerance = TimeSpan.FromSeconds(60);

    public static string Summary(DeploymentInfo d) => d.State switch
    {
        DeploymentStates.Succeeded => $"Deployment {d.Id}: {d.Service} {d.Version} is live on {d.Hosts.Count} host(s).",
        DeploymentStates.RolledBack => $"Deployment {d.Id} of {d.Service} {d.Version} was rolled back: {d.Reason}",
        _ => $"Deployment {d.Id} of {d.Service} {d.Version} ended {d.State}: {d.Reason}",
    };
}
