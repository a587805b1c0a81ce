using Microsoft.Extensions.Options;

namespace Failsafe.DataPlane;

internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Root))
        {
            failures.Add("Root is required: the agent's directory (e.g. /var/lib/failsafe).");
        }

        if (!AgentOptions.IsValidName(options.Name))
        {
            failures.Add($"Agent name '{options.Name}' is not valid: use 1 to 63 letters, digits, '.', '-' or '_'.");
        }

        if (options.ServerUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"Server URL '{url}' is not valid: give the server's https:// address.");
        }

        if (options.PollWaitSeconds is < 0 or > 300)
        {
            failures.Add("PollWaitSeconds must be between 0 and 300.");
        }

        if (options.RestartBackoffBase <= TimeSpan.Zero || options.RestartBackoffMax < options.RestartBackoffBase)
        {
            failures.Add("RestartBackoffBase must be positive and no larger than RestartBackoffMax.");
        }

        if (!System.Net.IPAddress.TryParse(options.ProxyAddress, out _))
        {
            failures.Add($"Proxy address '{options.ProxyAddress}' is not an IP address (e.g. 0.0.0.0 or 127.0.0.1).");
        }

        if (options.MetricsAddress is { } metrics && !System.Net.IPEndPoint.TryParse(metrics, out _))
        {
            failures.Add($"Metrics address '{metrics}' is not an address:port (e.g. 127.0.0.1:9464).");
        }

        failures.AddRange(options.Tags.Where(t => !AgentOptions.IsValidTag(t)).Select(AgentOptions.TagProblem));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
