namespace Failsafe.Contracts;

/// <summary>
/// Agent protocol, version 1. Agents dial out to the server over mutual TLS; every route below
/// is under <see cref="AgentRoutes.Prefix"/>. The shape follows Tentacle's script service:
/// the agent polls for work, reports each step as it happens and completes the task once.
/// </summary>
public static class AgentRoutes
{
    public const string Prefix = "/agent/v1";
    public const string CaCertificate = Prefix + "/ca";         // GET -> the CA certificate, PEM (application/x-pem-file); anonymous
    public const string Enroll = Prefix + "/enroll";            // POST EnrollRequest -> EnrollResponse (no client certificate yet)
    public const string Capabilities = Prefix + "/capabilities"; // GET -> Capabilities
    public const string Poll = Prefix + "/poll";                // POST PollRequest -> PollResponse (long poll, ?waitSeconds=N)
    public const string TaskSteps = Prefix + "/tasks/{id}/steps";      // POST StepReport
    public const string TaskComplete = Prefix + "/tasks/{id}/complete"; // POST TaskResult
    public const string Blob = Prefix + "/blobs/{sha256}";      // GET -> artifact bytes
    public const string Metrics = Prefix + "/metrics";          // POST MetricsReport (every second while the proxy serves)

    public static string StepsFor(long taskId) => $"{Prefix}/tasks/{taskId}/steps";
    public static string CompleteFor(long taskId) => $"{Prefix}/tasks/{taskId}/complete";
    public static string BlobFor(string sha256) => $"{Prefix}/blobs/{sha256}";
}

public sealed record EnrollRequest(string Name, string EnrollToken, string CsrPem, string AgentVersion);

public sealed record EnrollResponse(string AgentId, string CertificatePem, string CaCertificatePem);

public sealed record Capabilities(string ServerVersion, IReadOnlyList<string> ProtocolVersions, IReadOnlyList<string> TaskKinds);

/// <param name="AppliedRoutes">The canary routes the agent's proxy applies now; the server answers at once when it wants others.</param>
public sealed record PollRequest(HostInventory Inventory, IReadOnlyList<long> RunningTaskIds, IReadOnlyList<TrafficRoute>? AppliedRoutes = null);

/// <param name="Routes">The canary routes the server wants on this host: every service not named has no canary.</param>
public sealed record PollResponse(IReadOnlyList<AgentTask> Tasks, IReadOnlyList<TrafficRoute>? Routes = null);

public static class TaskKinds
{
    /// <summary>Download, verify, install, start, health-gate and switch to a release.</summary>
    public const string Install = "install";
    /// <summary>Switch to a release that is already installed on the host (no download).</summary>
    public const string Activate = "activate";
    /// <summary>Stop the service and remove <c>current</c>: going back to "nothing installed".</summary>
    public const string Deactivate = "deactivate";
    /// <summary>Download, verify, install, start, health-gate and warm up a release beside the current one, without switching: a canary.</summary>
    public const string Canary = "canary";
    /// <summary>Make the running canary current: switch, hand it all traffic, drain and stop the old instance.</summary>
    public const string Promote = "promote";
    /// <summary>Take the canary out of traffic and stop it; current stays as it is.</summary>
    public const string StopCanary = "stop-canary";

    public static readonly IReadOnlyList<string> All = [Install, Activate, Deactivate, Canary, Promote, StopCanary];
}

/// <summary>One unit of work for one agent. Executing a task twice has the effect of executing it once.</summary>
public sealed record AgentTask(
    long Id,
    string Kind,
    string DeploymentId,
    string Service,
    string? Version,
    string? ReleaseId,
    ArtifactRef? Artifact,
    ActivationSettings Settings);

public sealed record ArtifactRef(string Sha256, long Size);

/// <summary>How a host activates a release. <see cref="HealthTimeoutSeconds"/> 0 means the release's own (its manifest).
/// <see cref="Traffic"/> null means the service is not behind the agent's proxy (clients reach its instance directly).
/// <see cref="Variables"/> go into the instance's and hooks' environment and replace <c>#{NAME}</c> in the files that
/// <see cref="Substitute"/> names (paths or globs relative to the release root) at install time.
/// <see cref="Secrets"/> (variable name → secret name) exists only on the server: when a task is dispatched, the server
/// resolves each secret in <see cref="Environment"/>, adds its value to <see cref="Variables"/>, names the variable in
/// <see cref="Masked"/> and sends the task over mutual TLS. The agent masks those values (plain and base64) in every
/// output it reports.</summary>
public sealed record ActivationSettings(
    int KeepReleases = 5,
    int HealthTimeoutSeconds = 0,
    int DrainTimeoutSeconds = 10,
    int HookTimeoutSeconds = 60,
    TrafficSettings? Traffic = null,
    string? Environment = null,
    IReadOnlyDictionary<string, string>? Variables = null,
    IReadOnlyDictionary<string, string>? Secrets = null,
    IReadOnlyList<string>? Masked = null,
    IReadOnlyList<string>? Substitute = null);

public static class StepStatus
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

public sealed record StepReport(string Name, string Status, DateTimeOffset StartedAt, long DurationMs, string? Output);

public sealed record TaskResult(
    bool Succeeded,
    string? Error,
    string? PreviousRelease,
    string? CurrentRelease,
    HostInventory Inventory);

/// <param name="Tags">The agent's tags (<c>agent --tag</c>): host groups may pick hosts by tag.</param>
public sealed record HostInventory(string AgentVersion, IReadOnlyList<ServiceState> Services, IReadOnlyList<string>? Tags = null);

/// <param name="Canary">The instance of a canary release running beside current, when there is one.</param>
public sealed record ServiceState(
    string Service,
    string? Current,
    string? CurrentVersion,
    IReadOnlyList<string> Installed,
    InstanceState? Instance,
    InstanceState? Canary = null);

public sealed record InstanceState(string Release, int Port, int? Pid, string State, int Restarts);
