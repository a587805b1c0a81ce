using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Failsafe.Cli;

/// <summary><c>failsafe secret set|list|rm|rotate-key</c>. A value comes in on standard input and is never printed.</summary>
internal static class SecretCommand
{
    public static Command Create()
    {
        var command = new Command("secret", "Manage secrets: values sealed on the server, given to agents at deployment, never shown again.");
        command.Subcommands.Add(CreateSet());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateRemove());
        command.Subcommands.Add(CreateRotateKey());
        return command;
    }

    private static Command CreateSet()
    {
        var connection = new ConnectionOptions();
        var name = new Argument<string>("NAME") { Description = "The secret's name (lowercase letters, digits, '-', '_', '.')." };
        var environment = EnvironmentOption();
        var set = new Command("set", "Set a secret's value from standard input (one trailing newline dropped); a terminal is asked without echo.") { name, environment };
        connection.AddTo(set);
        set.SetAction(async (result, ct) =>
        {
            var value = await ReadValueAsync(result.GetValue(name)!, result.GetValue(environment)!, ct).ConfigureAwait(false);
            using var client = connection.CreateClient(result);
            var info = await client.SetSecretAsync(result.GetValue(environment)!, result.GetValue(name)!, value, ct).ConfigureAwait(false);
            Console.WriteLine($"Secret {info.Name} in {info.Environment} is at version {info.Version}.");
            return 0;
        });
        return set;
    }

    private static Command CreateList()
    {
        var connection = new ConnectionOptions();
        var environment = new Option<string?>("--env") { Description = "Only the secrets of this environment." };
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var list = new Command("list", "List secrets: names, environments, versions and who set them; never values.") { environment, json };
        connection.AddTo(list);
        list.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var secrets = await client.ListSecretsAsync(result.GetValue(environment), ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(secrets, Contracts.FailsafeJson.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("name").AddColumn("env").AddColumn("version").AddColumn("updated").AddColumn("by");
            foreach (var s in secrets)
            {
                table.AddRow(
                    Markup.Escape(s.Name), Markup.Escape(s.Environment), s.Version.ToString(CultureInfo.InvariantCulture),
                    s.UpdatedAt.ToString("u", CultureInfo.InvariantCulture), Markup.Escape(s.UpdatedBy));
            }

            StatusCommand.Render(table);
            return 0;
        });
        return list;
    }

    private static Command CreateRemove()
    {
        var connection = new ConnectionOptions();
        var name = new Argument<string>("NAME") { Description = "The secret's name." };
        var environment = EnvironmentOption();
        var remove = new Command("rm", "Delete a secret from one environment.") { name, environment };
        connection.AddTo(remove);
        remove.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var info = await client.DeleteSecretAsync(result.GetValue(environment)!, result.GetValue(name)!, ct).ConfigureAwait(false);
            Console.WriteLine($"Deleted secret {info.Name} in {info.Environment} (it was at version {info.Version}).");
            return 0;
        });
        return remove;
    }

    private static Command CreateRotateKey()
    {
        var connection = new ConnectionOptions();
        var rotate = new Command("rotate-key", "Seal every secret with a new key and drop the old one from the server's key file (admin only).");
        connection.AddTo(rotate);
        rotate.SetAction(async (result, ct) =>
        {
            using var client = connection.CreateClient(result);
            var rotated = await client.RotateSecretKeyAsync(ct).ConfigureAwait(false);
            Console.WriteLine($"Secrets are sealed with key {rotated.KeyId} now; {rotated.Reencrypted} re-sealed. Back up the server's key file again.");
            return 0;
        });
        return rotate;
    }

    private static Option<string> EnvironmentOption() => new("--env") { Description = "The environment (e.g. prod).", Required = true };

    /// <summary>All of standard input with one trailing newline dropped; from a terminal, a prompt that does not echo.</summary>
    private static async Task<string> ReadValueAsync(string name, string environment, CancellationToken ct)
    {
        string value;
        if (Console.IsInputRedirected)
        {
            value = await Console.In.ReadToEndAsync(ct).ConfigureAwait(false);
            value = value.EndsWith("\r\n", StringComparison.Ordinal) ? value[..^2] : value.EndsWith('\n') ? value[..^1] : value;
        }
        else
        {
            value = ReadWithoutEcho($"Value of {name}: ");
        }

        return value.Length > 0
            ? value
            : throw new UserException($"The value is empty; type it, or pipe it in: failsafe secret set {name} --env {environment} < value.txt");
    }

    private static string ReadWithoutEcho(string prompt)
    {
        Console.Error.Write(prompt);
        var value = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (value.Length > 0)
                {
                    value.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                value.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return value.ToString();
    }
}
