using System.CommandLine;
using Failsafe.Contracts;

namespace Failsafe.Cli;

/// <summary><c>failsafe token create NAME [--role R]... [--admin]</c>: an API token for a person or a robot, shown once.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var name = new Argument<string>("NAME") { Description = "Who the token is for (lowercase letters, digits, '-'); the audit log shows it." };
        var roles = new Option<string[]>("--role") { Description = "A role approval gates may name (role:NAME); repeat for several.", AllowMultipleArgumentsPerToken = false };
        var admin = new Option<bool>("--admin") { Description = "The token may also create tokens, rotate the secret key and force open locks." };
        var create = new Command("create", "Make an API token (admin only). It is printed once; only its hash is kept.") { name, roles, admin };
        connection.AddTo(create);
        create.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var created = await client.CreateApiTokenAsync(
                new CreateApiToken(result.GetValue(name)!, result.GetValue(roles) ?? [], result.GetValue(admin)), ct).ConfigureAwait(false);
            Console.WriteLine(created.Token);
            var what = (created.Admin ? "admin token" : "token") + (created.Roles.Count == 0 ? "" : $" with roles {string.Join(", ", created.Roles)}");
            Console.Error.WriteLine($"The {what} for {created.Name} is shown once: store it now (FAILSAFE_TOKEN, or failsafe login --token).");
            return 0;
        });
        var command = new Command("token", "Manage API tokens.");
        command.Subcommands.Add(create);
        return command;
    }
}
