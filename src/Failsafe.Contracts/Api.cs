namespace Failsafe.Contracts;

/// <summary>The server's JSON API for people and automation. Every route demands a bearer token.</summary>
public static class ApiRoutes
{
    public const string Prefix = "/api/v1";
    public const string Whoami = Prefix + "/whoami";                       // GET -> WhoAmI
    public const string PushRelease = Prefix + "/releases/{service}/{version}"; // PUT body=artifact -> ReleaseInfo (201 new, 200 same bytes, 409 other bytes)
    public const string Releases = Prefix + "/releases";                   // GET ?service= -> ReleaseInfo[]
    public const string Agents = Prefix + "/agents";                       // GET -> AgentInfo[]
    public const string AgentTokens = Prefix + "/agent-tokens";            // POST CreateAgentToken -> AgentTokenCreated
    public const string Deployments = Prefix + "/deployments";             // GET ?service=&limit= -> DeploymentInfo[]; POST CreateDeployment -> DeploymentInfo
    public const string Deployment = Prefix + "/deployments/{id}";         // GET -> DeploymentInfo
    public const string Rollback = Prefix + "/services/{service}/rollback"; // POST RollbackRequest -> DeploymentInfo
    public const string DeploymentAction = Prefix + "/deployments/{id}/{action}"; // POST (action: promote | abort | pause | resume) -> DeploymentInfo
    public const string ServiceStatus = Prefix + "/services/{service}/status"; // GET -> ServiceStatus
    public const string Events = Prefix + "/events";                       // GET ?limit=&target= -> EventInfo[]
    public const string Config = Prefix + "/config";                       // GET -> ConfigState
    public const string ConfigPlan = Prefix + "/config/plan";              // POST ConfigRequest -> ConfigPlan
    public const string ConfigApply = Prefix + "/config/apply";            // POST ConfigRequest -> ConfigApplied (409 when ExpectedRevision is stale)
    public const string Secrets = Prefix + "/secrets";                     // GET ?environment= -> SecretInfo[]
    public const string Secret = Prefix + "/secrets/{environment}/{name}"; // PUT SetSecret -> SecretInfo; DELETE
    public const string SecretKeyRotation = Prefix + "/secrets/rotate-key"; // POST -> KeyRotated (admin)
    public const string Promotions = Prefix + "/services/{service}/promotions"; // POST PromoteRequest -> DeploymentInfo
    public const string Approve = Prefix + "/deployments/{id}/approve";    // POST -> DeploymentInfo
    public const string Locks = Prefix + "/locks";                         // GET -> DeployLockInfo[]
    public const string Lock = Prefix + "/services/{service}/lock";        // POST TakeDeployLock -> DeployLockInfo; DELETE ?environment=
    public const string Tokens = Prefix + "/tokens";                       // POST CreateApiToken -> ApiTokenCreated (admin)

    public static string PushReleaseFor(string service, string version) =>
        $"{Prefix}/releases/{Uri.EscapeDataString(service)}/{Uri.EscapeDataString(version)}";
    public static string DeploymentFor(string id) => $"{Prefix}/deployments/{Uri.EscapeDataString(id)}";
    public static string DeploymentActionFor(string id, string action) => $"{Prefix}/deployments/{Uri.EscapeDataString(id)}/{action}";
    public static string RollbackFor(string service) => $"{Prefix}/services/{Uri.EscapeDataString(service)}/rollback";
    public static string SecretFor(string environment, string name) => $"{Prefix}/secrets/{Uri.EscapeDataString(environment)}/{Uri.EscapeDataString(name)}";
    public static string PromotionsFor(string service) => $"{Prefix}/services/{Uri.EscapeDataString(service)}/promotions";
    public static string ApproveFor(string id) => $"{Prefix}/deployments/{Uri.EscapeDataString(id)}/approve";
    public static string LockFor(string service) => $"{Prefix}/services/{Uri.EscapeDataString(service)}/lock";
    public static string ServiceStatusFor(string service) => $"{Prefix}/services/{Uri.EscapeDataString(service)}/status";
}

/// <summary>Problem answer for every 4xx/5xx of the API: one sentence a person can act on.</summary>
public sealed record ApiError(string Error, string? Detail = null);

/// <param name="Roles">The token's roles (approval gates name them as <c>role:NAME</c>).</param>
public sealed record WhoAmI(string Name, string Kind, IReadOnlyList<string>? Roles = null);

public sealed record ReleaseInfo(
    string Service,
    string Version,
    string Sha256,
    long Size,
    int FileCount,
    long UncompressedSize,
    DateTimeOffset PushedAt,
    string PushedBy,
    bool Created);

public sealed record AgentInfo(
    string Id,
    string Name,
    DateTimeOffset EnrolledAt,
    DateTimeOffset? LastSeenAt,
    bool Online,
    HostInventory? Inventory);

/// <param name="Replace">The name of an enrolled agent the token may replace (a re-imaged host); null for a new host.</param>
public sealed record CreateAgentToken(int? ValidMinutes = null, string? Replace = null);

/// <summary>The token is shown once; it carries the server's CA fingerprint so the agent can pin it.</summary>
public sealed record AgentTokenCreated(string Token, DateTimeOffset ExpiresAt, string CaFingerprint);

public sealed record CreateDeployment(
    string Service,
    string Version,
    IReadOnlyList<string>? Hosts = null,
    bool All = false,
    int BatchSize = 1,
    bool NoRollback = false,
    ActivationSettings? Settings = null,
    RolloutPolicy? Policy = null,
    string? Environment = null);

/// <summary>What a person can do to a running deployment.</summary>
public static class DeploymentActions
{
    /// <summary>Skip the remaining canary steps, holds and analysis: switch every host now.</summary>
    public const string Promote = "promote";
    /// <summary>Take the canary out of traffic and roll every switched host back.</summary>
    public const string Abort = "abort";
    /// <summary>Stay at the current step (analysis still watches, and a failing canary is still rolled back).</summary>
    public const string Pause = "pause";
    public const string Resume = "resume";

    public static readonly IReadOnlyList<string> All = [Promote, Abort, Pause, Resume];
}

public sealed record RollbackRequest(string? ToVersion = null);

public static class DeploymentStates
{
    /// <summary>Created for an environment with an approval gate; starts when enough people approved.</summary>
    public const string AwaitingApproval = "awaiting-approval";
    public const string Running = "running";
    public const string RollingBack = "rolling-back";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string RolledBack = "rolled-back";
    /// <summary>Aborted while it waited for approval: no host was touched.</summary>
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string state) => state is Succeeded or Failed or RolledBack or Cancelled;
}

public static class HostStates
{
    public const string Pending = "pending";
    public const string InProgress = "in-progress";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string RollingBack = "rolling-back";
    public const string RolledBack = "rolled-back";
    public const string Skipped = "skipped";
    /// <summary>The new release runs beside the current one and takes the canary's share of traffic.</summary>
    public const string Canary = "canary";
}

public static class DeploymentKinds
{
    public const string Deploy = "deploy";
    public const string Rollback = "rollback";
}

public sealed record DeploymentInfo(
    string Id,
    string Kind,
    string Service,
    string Version,
    string State,
    int BatchSize,
    bool NoRollback,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string CreatedBy,
    string? Reason,
    IReadOnlyList<DeploymentHostInfo> Hosts,
    RolloutProgress? Rollout = null,
    string? Environment = null,
    IReadOnlyList<ApprovalInfo>? Approvals = null);

public static class RolloutPhases
{
    public const string Canary = "canary";
    public const string Batches = "batches";
}

/// <summary>Where a progressive rollout stands.</summary>
/// <param name="Step">0-based index of the canary step in force; -1 before the canary takes traffic.</param>
/// <param name="CanaryWeight">The canary's share of traffic now, in percent.</param>
/// <param name="PromotedBy">Who skipped the remaining steps, if someone did.</param>
public sealed record RolloutProgress(
    string Phase,
    int Step,
    int CanaryWeight,
    bool Paused,
    string? PromotedBy,
    VerdictInfo? Verdict,
    RolloutPolicy Policy);

public sealed record DeploymentHostInfo(
    string Host,
    int Batch,
    string State,
    string? PreviousRelease,
    string? TargetRelease,
    string? Error,
    IReadOnlyList<StepReport> Steps);

/// <param name="AwaitingApproval">Deployments held at an environment's approval gate, oldest first.</param>
public sealed record ServiceStatus(
    string Service,
    IReadOnlyList<HostServiceStatus> Hosts,
    DeploymentInfo? ActiveDeployment,
    DeploymentInfo? LastDeployment,
    IReadOnlyList<DeploymentInfo>? AwaitingApproval = null);

public sealed record HostServiceStatus(
    string Host,
    bool Online,
    string? Current,
    string? CurrentVersion,
    IReadOnlyList<string> Installed,
    InstanceState? Instance,
    InstanceState? Canary = null);

public sealed record EventInfo(
    long Id,
    DateTimeOffset At,
    string Actor,
    string Action,
    string Target,
    string? RemoteAddress,
    string Result,
    string? Detail);
