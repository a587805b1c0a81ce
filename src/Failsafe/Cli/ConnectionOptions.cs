using System.CommandLine;
using Failsafe.Client;

namespace Failsafe.Cli;

/// <summary>The options every verb that talks to the server shares.</summary>
internal sealed class ConnectionOptions
{
    private readonly Option<string?> _server = new("--server") { Description = "Server address, e.g. https://deploy.example.com:7443 (or FAILSAFE_SERVER)." };
    private readonly Option<string?> _token = new("--token") { Description = "API token (or FAILSAFE_TOKEN). Prefer the environment: options show up in process lists." };
    private readonly Option<string?> _fingerprint = new("--ca-fingerprint") { Description = "SHA-256 fingerprint of the server's CA, printed by the server (or FAILSAFE_CA_FINGERPRINT)." };

    public void AddTo(Command command)
    {
        command.Options.Add(_server);
        command.Options.Add(_token);
        command.Options.Add(_fingerprint);
    }

    public ConnectionSettings Resolve(ParseResult result) =>
        ConnectionSettings.Resolve(result.GetValue(_server), result.GetValue(_token), result.GetValue(_fingerprint));

    public FailsafeClient CreateClient(ParseResult result) => new(Resolve(result));
}
