using System.CommandLine;

namespace Failsafe.Cli;

internal static class LoginCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var command = new Command("login", "Check a server address, token and CA fingerprint, and save them for later commands (~/.config/failsafe/cli.json, mode 0600).");
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var settings = connection.Resolve(result);
            using var client = new Client.FailsafeClient(settings);
            var me = await client.WhoAmIAsync(ct).ConfigureAwait(false);
            settings.Save();
            Console.WriteLine($"Logged in to {settings.ServerUrl} as {me.Name} ({me.Kind}); saved to {Client.ConnectionSettings.ConfigPath}.");
            return 0;
        });
        return command;
    }
}
