using System.Data.Common;
using System.Text.Json;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Storage;

internal static class TaskStates
{
    public const string Pending = "pending";
    public const string Dispatched = "dispatched";
    public const string Completed = "completed";
}

internal static class TaskPurposes
{
    public const string Deploy = "deploy";
    public const string Rollback = "rollback";
}

internal sealed record TaskRecord(
    long Id,
    string AgentId,
    long DeploymentId,
    string Host,
    string Purpose,
    string Kind,
    string Service,
    string? Version,
    string? ReleaseId,
    ArtifactRef? Artifact,
    ActivationSettings Settings,
    string State,
    DateTimeOffset CreatedAt)
{
    public AgentTask ToAgentTask() =>
        new(Id, Kind, DeploymentIds.Format(DeploymentId), Service, Version, ReleaseId, Artifact, Settings);
}

/// <summary>Agent tasks and the steps agents report for them.</summary>
internal static class TasksStore
{
    private const string Columns =
        "id, agent_id, deployment_id, host, purpose, kind, service, version, release_id, artifact_sha256, artifact_size, settings_json, state, created_at";

    public static Task<long> InsertAsync(DbSession session, TaskRecord t) =>
        session.ScalarAsync<long>(
            """
            INSERT INTO tasks (agent_id, deployment_id, host, purpose, kind, service, version, release_id,
                artifact_sha256, artifact_size, settings_json, state, created_at)
            VALUES (@agent, @d, @host, @purpose, @kind, @service, @version, @release, @sha, @size, @settings, @state, @at)
            RETURNING id
            """,
            ("@agent", t.AgentId), ("@d", t.DeploymentId), ("@host", t.Host), ("@purpose", t.Purpose), ("@kind", t.Kind),
            ("@service", t.Service), ("@version", t.Version), ("@release", t.ReleaseId), ("@sha", t.Artifact?.Sha256),
            ("@size", t.Artifact?.Size), ("@settings", JsonSerializer.Serialize(t.Settings, FailsafeJson.Options)),
            ("@state", t.State), ("@at", t.CreatedAt));

    public static Task<TaskRecord?> FindAsync(DbSession session, long id) =>
        session.QuerySingleOrDefaultAsync($"SELECT {Columns} FROM tasks WHERE id = @id", Map, ("@id", id));

    public static Task<List<TaskRecord>> OpenForAgentAsync(DbSession session, string agentId) =>
        session.QueryAsync(
            $"SELECT {Columns} FROM tasks WHERE agent_id = @agent AND state <> 'completed' ORDER BY id", Map, ("@agent", agentId));

    /// <summary>
    /// The agents that have work waiting: a task not yet handed out, or a canary route in a running deployment (whose weight the
    /// agent must follow). Small by nature, and served by partial indexes.
    /// </summary>
    public static async Task<HashSet<string>> AgentsWithWorkAsync(DbSession session) =>
        [.. await session.QueryAsync(
            """
            SELECT agent_id FROM tasks WHERE state = 'pending'
            UNION
            SELECT h.agent_id FROM deployment_hosts h JOIN deployments d ON d.id = h.deployment_id
            WHERE h.canary_weight IS NOT NULL AND d.state IN ('running', 'rolling-back')
            """,
            r => r.Text("agent_id")).ConfigureAwait(false)];

    public static Task MarkDispatchedAsync(DbSession session, long id, DateTimeOffset at) =>
        session.ExecuteAsync(
            "UPDATE tasks SET state = 'dispatched', dispatched_at = @at WHERE id = @id AND state <> 'completed'", ("@id", id), ("@at", at));

    /// <summary>Records the outcome once; returns false when the task was already complete.</summary>
    public static async Task<bool> CompleteAsync(
        DbSession session, long id, DateTimeOffset at, bool succeeded, string? error, string? previousRelease = null, string? currentRelease = null) =>
        await session.ExecuteAsync(
            """
            UPDATE tasks SET state = 'completed', completed_at = @at, succeeded = @ok, error = @error,
                previous_release = @previous, current_release = @current
            WHERE id = @id AND state <> 'completed'
            """,
            ("@id", id), ("@at", at), ("@ok", succeeded), ("@error", error), ("@previous", previousRelease),
            ("@current", currentRelease)).ConfigureAwait(false) == 1;

    public static Task AddStepAsync(DbSession session, long taskId, StepReport step) =>
        session.ExecuteAsync(
            """
            INSERT INTO task_steps (task_id, seq, name, status, started_at, duration_ms, output)
            VALUES (@task, (SELECT COALESCE(MAX(seq), 0) + 1 FROM task_steps WHERE task_id = @task), @name, @status, @started, @duration, @output)
            """,
            ("@task", taskId), ("@name", step.Name), ("@status", step.Status), ("@started", step.StartedAt),
            ("@duration", step.DurationMs), ("@output", step.Output));

    /// <summary>Every step of every task of the deployment, per host, in the order they were reported.</summary>
    public static async Task<Dictionary<string, List<StepReport>>> StepsByHostAsync(DbSession session, long deploymentId)
    {
        var rows = await session.QueryAsync(
            """
            SELECT t.host, s.name, s.status, s.started_at, s.duration_ms, s.output
            FROM task_steps s JOIN tasks t ON t.id = s.task_id
            WHERE t.deployment_id = @d ORDER BY t.id, s.seq
            """,
            r => (Host: r.Text("host"), Step: new StepReport(r.Text("name"), r.Text("status"), r.Time("started_at"), r.Int64("duration_ms"), r.TextOrNull("output"))),
            ("@d", deploymentId)).ConfigureAwait(false);
        return rows.GroupBy(r => r.Host).ToDictionary(g => g.Key, g => g.Select(r => r.Step).ToList());
    }

    private static TaskRecord Map(DbDataReader r)
    {
        var sha = r.TextOrNull("artifact_sha256");
        return new TaskRecord(
            r.Int64("id"), r.Text("agent_id"), r.Int64("deployment_id"), r.Text("host"), r.Text("purpose"), r.Text("kind"),
            r.Text("service"), r.TextOrNull("version"), r.TextOrNull("release_id"),
            sha is null ? null : new ArtifactRef(sha, r.Int64("artifact_size")),
            JsonSerializer.Deserialize<ActivationSettings>(r.Text("settings_json"), FailsafeJson.Options)!,
            r.Text("state"), r.Time("created_at"));
    }
}
