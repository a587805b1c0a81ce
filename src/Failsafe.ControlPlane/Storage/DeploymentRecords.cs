using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Storage;

internal sealed record DeploymentRecord(
    long Id,
    string Kind,
    string Service,
    string Version,
    string State,
    int BatchSize,
    bool NoRollback,
    ActivationSettings Settings,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string CreatedBy,
    string? Reason,
    RolloutState? Rollout = null,
    string? Environment = null)
{
    public string DisplayId => DeploymentIds.Format(Id);

    public DeploymentInfo ToInfo(IReadOnlyList<DeploymentHostInfo> hosts, int canaryWeight) =>
        new(DisplayId, Kind, Service, Version, State, BatchSize, NoRollback, CreatedAt, UpdatedAt, CreatedBy, Reason, hosts,
            Rollout is { } r ? new RolloutProgress(r.Phase, r.Step, canaryWeight, r.Paused, r.PromotedBy, r.Verdict, r.Policy) : null,
            Environment);
}

/// <summary>
/// A progressive rollout's progress, stored with its deployment as one document: the policy it follows,
/// the canary step in force and since when, and the last verdict.
/// </summary>
/// <param name="Step">0-based index into the policy's steps; -1 until the canary takes traffic.</param>
/// <param name="WindowStart">Where the analysis window begins: when the canary first took traffic, or when the batches began.</param>
/// <param name="HoldUntil">No next batch before this time.</param>
/// <param name="HeldBatch">The last batch whose hold has begun.</param>
internal sealed record RolloutState(
    RolloutPolicy Policy,
    string Phase,
    int Step,
    DateTimeOffset? StepStartedAt,
    DateTimeOffset? WindowStart,
    DateTimeOffset? HoldUntil,
    bool Paused,
    string? PromotedBy,
    VerdictInfo? Verdict,
    int HeldBatch = 0)
{
    public IReadOnlyList<CanaryStep> Steps => Policy.Steps ?? [];

    public AnalysisSettings Analysis => Policy.Analysis ?? new AnalysisSettings();

    public static RolloutState Start(RolloutPolicy policy, bool withCanary) =>
        new(policy, withCanary ? RolloutPhases.Canary : RolloutPhases.Batches, -1, null, null, null, false, null, null);
}

internal sealed record DeploymentHostRecord(
    long DeploymentId,
    string Host,
    string AgentId,
    int Position,
    int Batch,
    string State,
    string? PreviousRelease,
    string? TargetRelease,
    string? Error,
    long? TaskId,
    long? RollbackTaskId,
    DateTimeOffset UpdatedAt,
    int? CanaryWeight = null,
    HostVariables? Variables = null)
{
    public string Target => $"{DeploymentIds.Format(DeploymentId)}/{Host}";

    public DeploymentHostInfo ToInfo(IReadOnlyList<StepReport> steps) =>
        new(Host, Batch, State, PreviousRelease, TargetRelease, Error, steps);
}

/// <summary>The variables resolved for one host of a deployment to an environment: plain values, and for secrets only
/// their names (variable → secret), revealed when the task is handed to the agent.</summary>
internal sealed record HostVariables(IReadOnlyDictionary<string, string> Values, IReadOnlyDictionary<string, string> Secrets);

internal static class DeploymentIds
{
    public static string Format(long id) => $"d-{id}";

    public static bool TryParse(string? text, out long id)
    {
        id = 0;
        return text is not null && text.StartsWith("d-", StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id);
    }
}
