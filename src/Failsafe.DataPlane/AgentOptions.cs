using System.Text.RegularExpressions;

namespace Failsafe.DataPlane;

/// <summary>How an agent runs. Only <see cref="Root"/> is always needed; <see cref="ServerUrl"/> and <see cref="EnrollToken"/> are needed the first time.</summary>
public sealed partial class AgentOptions
{
    /// <summary>The server's https:// address. Saved at enrollment; when given later it overrides the saved one.</summary>
    public string? ServerUrl { get; set; }

    /// <summary>The host's Failsafe directory: agent identity and every service's releases.</summary>
    public string Root { get; set; } = "/var/lib/failsafe";

    /// <summary>This host's name as the server shows it (the certificate's CN).</summary>
    public string Name { get; set; } = DefaultName();

    /// <summary>The one-time token (fse1.…) for the first start; ignored once enrolled.</summary>
    public string? EnrollToken { get; set; }

    /// <summary>How long the server may hold a poll open when it has no work.</summary>
    public int PollWaitSeconds { get; set; } = 25;

    /// <summary>First delay before a crashed instance is restarted; it doubles per consecutive crash.</summary>
    public TimeSpan RestartBackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RestartBackoffMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On start, keep serving with a still-running instance of <c>current</c> that a previous agent
    /// left (so restarting the agent costs no downtime). When false it is stopped and started again.
    /// </summary>
    public bool AdoptRunningInstances { get; set; } = true;

    /// <summary>
    /// Stop the service instances when the agent stops (for demos and tests). By default they keep
    /// running: an agent restart or upgrade must not take services down.
    /// </summary>
    public bool StopInstancesOnExit { get; set; }

    /// <summary>The address the traffic proxy listens on for services' public ports.</summary>
    public string ProxyAddress { get; set; } = "0.0.0.0";

    /// <summary>Where to serve Prometheus' /metrics (e.g. 127.0.0.1:9464); null serves none.</summary>
    public string? MetricsAddress { get; set; }

    /// <summary>This host's tags (<c>agent --tag</c>), sent with every poll: the fleet's host groups may pick hosts by tag.</summary>
    public IList<string> Tags { get; } = [];

    internal void CopyTo(AgentOptions target)
    {
        target.ProxyAddress = ProxyAddress;
        target.MetricsAddress = MetricsAddress;
        target.ServerUrl = ServerUrl;
        target.Root = Root;
        target.Name = Name;
        target.EnrollToken = EnrollToken;
        target.PollWaitSeconds = PollWaitSeconds;
        target.RestartBackoffBase = RestartBackoffBase;
        target.RestartBackoffMax = RestartBackoffMax;
        target.AdoptRunningInstances = AdoptRunningInstances;
        target.StopInstancesOnExit = StopInstancesOnExit;
        target.Tags.Clear();
        foreach (var tag in Tags)
        {
            target.Tags.Add(tag);
        }
    }

    /// <summary>Adds tags as given on the command line: each value may hold several, comma-separated (<c>--tag prod,eu</c>).</summary>
    public void AddTags(IEnumerable<string>? values)
    {
        foreach (var tag in (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!Tags.Contains(tag))
            {
                Tags.Add(tag);
            }
        }
    }

    /// <summary>Whether a tag is well formed (the rule host groups use): lowercase letters, digits, '-', '_' and '.', starting with a letter or digit.</summary>
    internal static bool IsValidTag(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    /// <summary>The one sentence saying why a tag is refused.</summary>
    internal static string TagProblem(string tag) =>
        $"Tag '{tag}' is not valid: use 1 to 63 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit.";

    internal static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    internal static string ValidName(string? name) => IsValidName(name)
        ? name!
        : throw new AgentException($"Agent name '{name}' is not valid: use 1 to 63 letters, digits, '.', '-' or '_', starting with a letter or digit.");

    private static string DefaultName()
    {
        var host = Environment.MachineName.ToLowerInvariant();
        return IsValidName(host) ? host : "agent";
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex TagPattern();
}
