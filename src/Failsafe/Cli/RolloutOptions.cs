using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Failsafe.Contracts;

namespace Failsafe.Cli;

/// <summary>
/// The deploy options that put a service behind the agents' traffic proxy and shape its canary.
/// A JSON policy file gives the whole policy; options given beside it override its parts.
/// </summary>
internal sealed class RolloutOptions
{
    private readonly Option<int?> _port = new("--port") { Description = "The service's public port: each agent's proxy listens on it and shares traffic between versions (enables canary steps)." };
    private readonly Option<string?> _steps = new("--steps") { Description = "Canary weights in percent, e.g. 5,25,50 (default with --port: 5,25,50). 'none' switches hosts without a canary." };
    private readonly Option<string?> _hold = new("--hold") { Description = "Least time at each canary step, e.g. 30s or 2m (default 30s)." };
    private readonly Option<int?> _canaryHosts = new("--canary-hosts") { Description = "Hosts that run the canary (default 1)." };
    private readonly Option<string?> _batchHold = new("--batch-hold") { Description = "Wait between later batches, analysis watching, e.g. 1m (default 0)." };
    private readonly Option<string?> _policy = new("--policy") { Description = "A JSON rollout policy file (see docs/progressive-delivery.md)." };
    private readonly Option<string?> _stickyCookie = new("--sticky-cookie") { Description = "Keep each client on one version with this cookie." };
    private readonly Option<string?> _stickyHeader = new("--sticky-header") { Description = "Keep requests with the same value of this header on one version." };
    private readonly Option<int?> _warmUp = new("--warm-up") { Description = "Requests sent to a new instance before it takes traffic (default 10)." };
    private readonly Option<string?> _warmUpPath = new("--warm-up-path") { Description = "Comma-separated paths for warm-up requests (default: the health path)." };
    private readonly Option<string?> _apdex = new("--apdex") { Description = "Apdex T, e.g. 100ms: satisfied at or under T, tolerating at or under 4T." };
    private readonly Option<string?> _drain = new("--drain") { Description = "How long an old instance may finish requests in flight before it is stopped (default 10s)." };
    private readonly Option<double?> _falseAlarm = new("--false-alarm") { Description = "Bound on failing a canary as good as stable (default 0.01)." };
    private readonly Option<double?> _minError = new("--min-error-increase") { Description = "Smallest error-rate rise worth a rollback, as a fraction (default 0.01 = one point)." };
    private readonly Option<double?> _minLatency = new("--min-latency-increase") { Description = "Smallest latency rise worth a rollback, as a fraction (default 0.1 = 10% slower)." };
    private readonly Option<long?> _minRequests = new("--min-requests") { Description = "Requests each side needs before any verdict (default 100); fewer is NO-DATA and holds." };
    private readonly Option<string?> _initialDelay = new("--initial-delay") { Description = "Leave the canary's first seconds of traffic out of the analysis, while its code warms up, e.g. 30s (default 10s)." };
    private readonly Option<string?> _prometheus = new("--prometheus") { Description = "Read analysis metrics from this Prometheus server (e.g. http://127.0.0.1:9090) instead of the proxies." };

    private Option[] All =>
    [
        _port, _steps, _hold, _canaryHosts, _batchHold, _policy, _stickyCookie, _stickyHeader, _warmUp, _warmUpPath, _apdex, _drain,
        _falseAlarm, _minError, _minLatency, _minRequests, _initialDelay, _prometheus,
    ];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Whether the user gave any of these options (a deployment to an environment takes them from failsafe.yaml).</summary>
    public bool AnyGiven(ParseResult result) => All.Any(o => result.GetResult(o) is { Implicit: false });

    /// <summary>The settings and policy the options describe; a null policy lets the server choose its default.</summary>
    public (ActivationSettings Settings, RolloutPolicy? Policy) Read(ParseResult result, ActivationSettings settings)
    {
        if (result.GetValue(_drain) is { } drain)
        {
            settings = settings with { DrainTimeoutSeconds = (int)Duration(drain, "--drain").TotalSeconds };
        }

        if (result.GetValue(_port) is { } port)
        {
            var traffic = new TrafficSettings(port, result.GetValue(_stickyCookie), result.GetValue(_stickyHeader));
            if (result.GetValue(_warmUp) is { } warmUp)
            {
                traffic = traffic with { WarmUpRequests = warmUp };
            }

            if (result.GetValue(_warmUpPath) is { } paths)
            {
                traffic = traffic with { WarmUpPaths = paths.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
            }

            if (result.GetValue(_apdex) is { } apdex)
            {
                traffic = traffic with { ApdexMilliseconds = Duration(apdex, "--apdex").TotalMilliseconds };
            }

            settings = settings with { Traffic = traffic };
        }
        else if (result.GetValue(_stickyCookie) is not null || result.GetValue(_stickyHeader) is not null || result.GetValue(_warmUp) is not null
            || result.GetValue(_warmUpPath) is not null || result.GetValue(_apdex) is not null)
        {
            throw new UserException("Stickiness, warm-up and Apdex are proxy settings: give the service's public port with --port.");
        }

        var policy = result.GetValue(_policy) is { } file ? LoadPolicy(file) : null;
        var analysis = policy?.Analysis ?? new AnalysisSettings();
        var analysisGiven = policy?.Analysis is not null;
        if (result.GetValue(_falseAlarm) is { } alpha) { analysis = analysis with { FalseAlarmRate = alpha }; analysisGiven = true; }
        if (result.GetValue(_minError) is { } minError) { analysis = analysis with { MinErrorRateIncrease = minError }; analysisGiven = true; }
        if (result.GetValue(_minLatency) is { } minLatency) { analysis = analysis with { MinLatencyIncrease = minLatency }; analysisGiven = true; }
        if (result.GetValue(_minRequests) is { } minRequests) { analysis = analysis with { MinRequests = minRequests }; analysisGiven = true; }
        if (result.GetValue(_initialDelay) is { } delay) { analysis = analysis with { InitialDelaySeconds = (int)Duration(delay, "--initial-delay").TotalSeconds }; analysisGiven = true; }
        if (result.GetValue(_prometheus) is { } url) { analysis = analysis with { Prometheus = new PrometheusSource(url) }; analysisGiven = true; }

        var hold = result.GetValue(_hold) is { } h ? (int)Duration(h, "--hold").TotalSeconds : (int?)null;
        var steps = result.GetValue(_steps) is { } s ? ParseSteps(s, hold ?? 30) : null;
        if (steps is null && hold is { } holdOnly)
        {
            steps = (policy?.Steps ?? RolloutPolicy.Default.Steps!).Select(step => step with { HoldSeconds = holdOnly }).ToList();
        }

        if (policy is null && steps is null && !analysisGiven && result.GetValue(_canaryHosts) is null && result.GetValue(_batchHold) is null)
        {
            return (settings, null);
        }

        policy = (policy ?? new RolloutPolicy()) with { Analysis = analysis };
        if (steps is not null)
        {
            policy = policy with { Steps = steps };
        }

        if (result.GetValue(_canaryHosts) is { } canaryHosts)
        {
            policy = policy with { CanaryHosts = canaryHosts };
        }

        if (result.GetValue(_batchHold) is { } batchHold)
        {
            policy = policy with { BatchHoldSeconds = (int)Duration(batchHold, "--batch-hold").TotalSeconds };
        }

        return (settings, policy);
    }

    private static List<CanaryStep> ParseSteps(string text, int holdSeconds)
    {
        if (text.Trim() is "none" or "0")
        {
            return [];
        }

        var steps = new List<CanaryStep>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var weight))
            {
                throw new UserException($"--steps: '{part}' is not a percentage; give weights like 5,25,50.");
            }

            steps.Add(new CanaryStep(weight, holdSeconds));
        }

        return steps;
    }

    /// <summary>"30s", "2m", "1h", "250ms" or plain seconds.</summary>
    internal static TimeSpan Duration(string text, string option)
    {
        var t = text.Trim();
        (string number, double scale) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1)
            : t.EndsWith('m') ? (t[..^1], 60)
            : t.EndsWith('h') ? (t[..^1], 3600)
            : (t, 1);
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? TimeSpan.FromSeconds(value * scale)
            : throw new UserException($"{option}: '{text}' is not a duration; write e.g. 30s, 2m, 250ms.");
    }

    private static RolloutPolicy LoadPolicy(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserException($"Cannot read the policy file {path}: {e.Message}");
        }

        try
        {
            var strict = new JsonSerializerOptions(FailsafeJson.Options) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };
            return JsonSerializer.Deserialize<RolloutPolicy>(text, strict) ?? throw new UserException($"{path}: the policy is empty.");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"{path}:{line + 1}" : path;
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? string.Empty : $" at {e.Path}";
            throw new UserException($"{where}: the policy is not valid{field}: {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
