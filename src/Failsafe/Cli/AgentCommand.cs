using System.CommandLine;
using Failsafe.DataPlane;

namespace Failsafe.Cli;

internal static class AgentCommand
{
    public static Command Create()
    {
        var server = new Option<string?>("--server") { Description = "The server's address, e.g. https://deploy.example.com:7443 (needed to enroll; remembered after)." };
        var root = new Option<string>("--root") { Description = "Folder the agent owns on this host (releases, current, shared).", DefaultValueFactory = _ => "/var/lib/failsafe" };
        var name = new Option<string>("--name") { Description = "This host's name in Failsafe.", DefaultValueFactory = _ => Environment.MachineName.ToLowerInvariant() };
        var token = new Option<string?>("--enroll-token") { Description = "One-time token from 'failsafe agent-token create' (first start only; or FAILSAFE_ENROLL_TOKEN)." };
        var proxyAddress = new Option<string>("--proxy-address") { Description = "Address the traffic proxy listens on for services' public ports.", DefaultValueFactory = _ => "0.0.0.0" };
        var metrics = new Option<string?>("--metrics") { Description = "Serve Prometheus metrics of the proxy at this address:port, e.g. 127.0.0.1:9464." };
        var tags = new Option<string[]>("--tag") { Description = "A tag of this host (repeatable, or comma-separated: --tag prod --tag eu); host groups may pick hosts by tag." };
        var command = new Command("agent", "Run the data plane on this host: dial out to the server, install releases, switch, supervise, and front services with the traffic proxy.")
        {
            server, root, name, token, proxyAddress, metrics, tags,
        };
        command.SetAction(async (result, ct) =>
        {
            var options = new AgentOptions
            {
                ServerUrl = result.GetValue(server),
                Root = Path.GetFullPath(result.GetValue(root)!),
                Name = result.GetValue(name)!,
                EnrollToken = result.GetValue(token) ?? Environment.GetEnvironmentVariable("FAILSAFE_ENROLL_TOKEN"),
                ProxyAddress = result.GetValue(proxyAddress)!,
                MetricsAddress = result.GetValue(metrics),
            };
            options.AddTags(result.GetValue(tags));
            await AgentHost.RunAsync(options, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
