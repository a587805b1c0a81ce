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
    string? Reason)
{
    public string DisplayId => DeploymentIds.Format(Id);

    public DeploymentInfo ToInfo(IReadOnlyList<DeploymentHostInfo> hosts) =>
        new(DisplayId, Kind, Service, Version, State, BatchSize, NoRollback, CreatedAt, UpdatedAt, CreatedBy, Reason, hosts);
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
    DateTimeOffset UpdatedAt)
{
    public string Target => $"{DeploymentIds.Format(DeploymentId)}/{Host}";

    public DeploymentHostInfo ToInfo(IReadOnlyList<StepReport> steps) =>
        new(Host, Batch, State, PreviousRelease, TargetRelease, Error, steps);
}

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
