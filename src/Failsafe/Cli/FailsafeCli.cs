using System.CommandLine;
using Failsafe.Artifacts;
using Failsafe.ControlPlane.Hosting;
using Failsafe.DataPlane;
using Spectre.Console;

namespace Failsafe.Cli;

/// <summary>The one executable's verbs: each role (server, agent) and each user action is a subcommand.</summary>
internal static class FailsafeCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Failsafe: ship one immutable release at a time to plain Linux hosts, switch atomically, roll back by itself.");
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(AgentCommand.Create());
        root.Subcommands.Add(AgentTokenCommand.Create());
        root.Subcommands.Add(LoginCommand.Create());
        root.Subcommands.Add(PackCommand.Create());
        root.Subcommands.Add(PushCommand.Create());
        root.Subcommands.Add(DeployCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(RollbackCommand.Create());
        foreach (var intervene in InterveneCommands.Create())
        {
            root.Subcommands.Add(intervene);
        }

        root.Subcommands.Add(ApproveCommand.Create());
        foreach (var config in ConfigCommands.Create())
        {
            root.Subcommands.Add(config);
        }

        root.Subcommands.Add(ListCommands.CreateHosts());
        root.Subcommands.Add(ListCommands.CreateReleases());
        root.Subcommands.Add(ListCommands.CreateEvents());
        root.Subcommands.Add(DemoCommand.Create());
        foreach (var admin in (Command[])[SecretCommand.Create(), TokenCommand.Create(), .. LockCommands.Create()])
        {
            root.Subcommands.Add(admin);
        }
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        PlainOutputWhenRedirected();
        try
        {
            // Our own handler below prints user mistakes as one line; anything else still surfaces.
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
            return await Create().Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UserException or ArtifactException or AgentException or ServerStartupException)
        {
            return Fail(e.Message);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    /// <summary>Logs, pipes and CI get plain text: no colour codes, no cursor movement.</summary>
    private static void PlainOutputWhenRedirected()
    {
        if (Console.IsOutputRedirected || Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 })
        {
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(Console.Out),
            });
        }
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }
}
