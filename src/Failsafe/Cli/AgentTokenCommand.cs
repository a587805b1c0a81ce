using System.CommandLine;

namespace Failsafe.Cli;

internal static class AgentTokenCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var minutes = new Option<int?>("--valid-minutes") { Description = "How long the token may be used (default 60)." };
        var replace = new Option<string?>("--replace")
        {
            Description = "Let the token take over this already enrolled host name (a re-imaged host); its earlier certificates are revoked.",
        };
        var create = new Command("create", "Make a one-time enrollment token for one new host.") { minutes, replace };
        connection.AddTo(create);
        create.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var replaced = result.GetValue(replace);
            var token = await client.CreateAgentTokenAsync(result.GetValue(minutes), replaced, ct).ConfigureAwait(false);
            Console.WriteLine(token.Token);
            var purpose = replaced is null ? string.Empty : $" replacing {replaced}";
            Console.Error.WriteLine($"One-time enrollment token{purpose}, valid until {token.ExpiresAt:u}. On the host run:");
            Console.Error.WriteLine($"  failsafe agent --server <this server's address> --root /var/lib/failsafe --name {replaced ?? "<host>"} --enroll-token <token>");
            return 0;
        });
        var command = new Command("agent-token", "Manage enrollment tokens for agents.");
        command.Subcommands.Add(create);
        return command;
    }
}
