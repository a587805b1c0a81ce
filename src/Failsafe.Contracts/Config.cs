namespace Failsafe.Contracts;

/// <summary>
/// The desired state a folder of YAML files describes (services' <c>failsafe.yaml</c> and the fleet file), in the
/// normal form the CLI sends to the server for <c>plan</c> and <c>apply</c>. Lists are sorted by name so that two
/// trees that mean the same thing serialize to the same bytes. It holds references to secrets, never their values.
/// </summary>
public sealed record ConfigDocument(
    IReadOnlyList<ServiceConfig> Services,
    IReadOnlyList<EnvironmentConfig> Environments,
    IReadOnlyList<HostGroupConfig> HostGroups,
    IReadOnlyList<LifecycleConfig> Lifecycles)
{
    public static ConfigDocument Empty { get; } = new([], [], [], []);
}

/// <summary>One service's <c>failsafe.yaml</c>.</summary>
/// <param name="Environments">The environments the service deploys to; each must exist in the fleet.</param>
/// <param name="Lifecycle">The lifecycle its releases follow; null: the fleet's lifecycle named "default", if any.</param>
/// <param name="Substitute">Files of the release (paths or globs relative to the release root) in which <c>#{NAME}</c> is replaced at install time.</param>
public sealed record ServiceConfig(
    string Name,
    RunConfig Run,
    IReadOnlyList<HookConfig> Hooks,
    RolloutPolicy? Rollout,
    IReadOnlyList<VariableConfig> Variables,
    IReadOnlyList<string> Substitute,
    IReadOnlyList<string> Environments,
    string? Lifecycle);

/// <summary>How the service runs. Entry, health and hooks are baked into each release by <c>failsafe pack</c>;
/// the rest is applied by the server at deployment.</summary>
/// <param name="Port">Public port the agent's proxy listens on; null: no proxy (clients reach the instance directly, no canary).</param>
public sealed record RunConfig(
    string Entry,
    int? Port = null,
    string HealthPath = "/healthz",
    int HealthTimeoutSeconds = 30,
    IReadOnlyList<string>? WarmUpPaths = null,
    int WarmUpRequests = 10,
    int DrainTimeoutSeconds = 10,
    int KeepReleases = 5);

public sealed record HookConfig(string Name, string Command, int TimeoutSeconds = 60);

/// <summary>One value of a variable in one scope. Exactly one of <see cref="Value"/> and <see cref="Secret"/> is set.</summary>
/// <param name="Secret">Name of a secret set with <c>failsafe secret set NAME --env ENV</c>; resolved in the deployment's environment.</param>
public sealed record VariableConfig(string Name, string? Value, string? Secret, VariableScope Scope);

/// <summary>Where a value applies; all null: everywhere. The most specific value wins (see docs/config.md, "Precedence").</summary>
public sealed record VariableScope(string? Environment = null, string? HostGroup = null, string? Host = null)
{
    public static VariableScope Everywhere { get; } = new();

    public override string ToString()
    {
        var parts = new List<string>(3);
        if (Environment is not null) parts.Add($"environment {Environment}");
        if (HostGroup is not null) parts.Add($"host group {HostGroup}");
        if (Host is not null) parts.Add($"host {Host}");
        return parts.Count == 0 ? "everywhere" : string.Join(", ", parts);
    }
}

/// <summary>An environment: the hosts a deployment to it reaches, and who must approve one.</summary>
public sealed record EnvironmentConfig(
    string Name,
    IReadOnlyList<string> HostGroups,
    IReadOnlyList<string> Hosts,
    ApprovalGate? Approval);

/// <summary>Hosts by name (agent names) and/or by tag (agents started with <c>--tag</c>): a host is in the group when it matches either.</summary>
public sealed record HostGroupConfig(string Name, IReadOnlyList<string> Hosts, IReadOnlyList<string> Tags);

/// <summary>The order a release passes through environments: it reaches phase N only after it succeeded in phase N-1.</summary>
public sealed record LifecycleConfig(string Name, IReadOnlyList<string> Phases);

/// <param name="Required">How many distinct people must approve.</param>
/// <param name="Approvers">Who may approve: a token name (<c>alice</c>) or a role (<c>role:release-managers</c>).</param>
public sealed record ApprovalGate(int Required, IReadOnlyList<string> Approvers);

/// <summary>Body of <c>plan</c> and <c>apply</c>.</summary>
/// <param name="IncludesFleet">The files include the fleet (environments, host groups, lifecycles): it replaces the server's
/// whole fleet. False (a service repository on its own): the server's fleet stays as it is.</param>
/// <param name="Prune">Remove services the server holds and the files do not describe; without it they are reported as drift.</param>
/// <param name="Commit">The git commit of the folder, when it is a checkout (with "-dirty" when it has uncommitted changes).</param>
/// <param name="Source">Where the files came from, for the audit trail (a path).</param>
/// <param name="ExpectedRevision">Apply only if the server is still at this revision (the one the plan was made against).</param>
public sealed record ConfigRequest(
    ConfigDocument Desired,
    bool IncludesFleet = true,
    bool Prune = false,
    string? Commit = null,
    string? Source = null,
    long? ExpectedRevision = null);

public static class ChangeKinds
{
    public const string Add = "add";
    public const string Change = "change";
    public const string Remove = "remove";
}

/// <summary>One object that differs between the files and the server.</summary>
/// <param name="Kind">service | environment | host-group | lifecycle.</param>
/// <param name="Fields">For a change: each field that differs, as "path: old → new".</param>
public sealed record ConfigChange(string Action, string Kind, string Name, IReadOnlyList<string> Fields);

/// <summary>State on the server that the files do not describe, and what apply does about it.</summary>
public sealed record ConfigDrift(string Kind, string Name, string Detail);

public sealed record ConfigPlan(
    long Revision,
    string? AppliedCommit,
    IReadOnlyList<ConfigChange> Changes,
    IReadOnlyList<ConfigDrift> Drift)
{
    public bool IsEmpty => Changes.Count == 0;
}

public sealed record ConfigApplied(long Revision, bool Changed, IReadOnlyList<ConfigChange> Changes);

/// <summary>What the server holds now.</summary>
public sealed record ConfigState(long Revision, DateTimeOffset? AppliedAt, string? AppliedBy, string? Commit, ConfigDocument Document);

/// <summary>A secret's metadata; its value never leaves the server except to an agent, over mutual TLS.</summary>
public sealed record SecretInfo(string Name, string Environment, int Version, DateTimeOffset UpdatedAt, string UpdatedBy);

public sealed record SetSecret(string Value);

public sealed record KeyRotated(string KeyId, int Reencrypted);

/// <summary>Deploy SERVICE VERSION to an environment, following the lifecycle and its approval gate.</summary>
/// <param name="To">Target environment; null: the lifecycle's next phase after the last one the version succeeded in.</param>
public sealed record PromoteRequest(string Version, string? To = null);

/// <summary>A deploy lock: at most one deployment per service and environment; a lock expires by itself unless renewed.</summary>
public sealed record DeployLockInfo(string Service, string Environment, string Holder, DateTimeOffset ExpiresAt, string? Reason);

public sealed record TakeDeployLock(string Environment, int Minutes = 30, string? Reason = null);

/// <summary>A named API token for a person or a robot. Roles decide what it may approve.</summary>
public sealed record CreateApiToken(string Name, IReadOnlyList<string>? Roles = null, bool Admin = false);

public sealed record ApiTokenCreated(string Name, string Token, IReadOnlyList<string> Roles, bool Admin);

/// <summary>Body of <c>approve</c>; the comment is kept with the approval.</summary>
public sealed record ApproveRequest(string? Comment = null);

public sealed record ApprovalInfo(string By, DateTimeOffset At, string? Comment);
