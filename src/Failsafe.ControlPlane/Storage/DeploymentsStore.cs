using System.Data.Common;
using System.Text.Json;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Storage;

/// <summary>Deployments and their hosts: the durable state the orchestrator advances.</summary>
internal static class DeploymentsStore
{
    private const string InsertColumns =
        "kind, service, version, state, batch_size, no_rollback, settings_json, created_at, updated_at, created_by, reason, rollout_json, environment";

    private const string Columns = "id, " + InsertColumns;

    private const string HostColumns =
        "deployment_id, host, agent_id, position, batch, state, previous_release, target_release, error, task_id, rollback_task_id, updated_at, canary_weight";

    private const string HostSelectColumns = HostColumns + ", variables_json";

    public static async Task<long> InsertAsync(DbSession session, DeploymentRecord d) =>
        await session.ScalarAsync<long>(
            $"""
            INSERT INTO deployments ({InsertColumns})
            VALUES (@kind, @service, @version, @state, @batch, @noRollback, @settings, @at, @at, @by, @reason, @rollout, @environment)
            RETURNING id
            """,
            ("@kind", d.Kind), ("@service", d.Service), ("@version", d.Version), ("@state", d.State), ("@batch", d.BatchSize),
            ("@noRollback", d.NoRollback), ("@settings", JsonSerializer.Serialize(d.Settings, FailsafeJson.Options)),
            ("@at", d.CreatedAt), ("@by", d.CreatedBy), ("@reason", d.Reason), ("@rollout", RolloutJson(d.Rollout)),
            ("@environment", d.Environment)).ConfigureAwait(false);

    public static Task InsertHostAsync(DbSession session, DeploymentHostRecord h) =>
        session.ExecuteAsync(
            $"""
            INSERT INTO deployment_hosts ({HostColumns}, variables_json)
            VALUES (@d, @host, @agent, @position, @batch, @state, @previous, @target, @error, @task, @rollbackTask, @at, @canaryWeight, @variables)
            """,
            [.. HostParameters(h), ("@variables", h.Variables is null ? null : JsonSerializer.Serialize(h.Variables, FailsafeJson.Options))]);

    public static Task UpdateHostAsync(DbSession session, DeploymentHostRecord h) =>
        session.ExecuteAsync(
            """
            UPDATE deployment_hosts SET state = @state, previous_release = @previous, target_release = @target, error = @error,
                task_id = @task, rollback_task_id = @rollbackTask, updated_at = @at, canary_weight = @canaryWeight
            WHERE deployment_id = @d AND host = @host
            """,
            HostParameters(h));

    public static Task UpdateStateAsync(DbSession session, long id, string state, string? reason, DateTimeOffset at) =>
        session.ExecuteAsync(
            "UPDATE deployments SET state = @state, reason = COALESCE(@reason, reason), updated_at = @at WHERE id = @id",
            ("@id", id), ("@state", state), ("@reason", reason), ("@at", at));

    public static Task UpdateRolloutAsync(DbSession session, long id, RolloutState rollout, DateTimeOffset at) =>
        session.ExecuteAsync(
            "UPDATE deployments SET rollout_json = @rollout, updated_at = @at WHERE id = @id",
            ("@id", id), ("@rollout", RolloutJson(rollout)), ("@at", at));

    /// <summary>The canary routes an agent should apply: one per service with a canary on that host in an active deployment.</summary>
    public static Task<List<TrafficRoute>> CanaryRoutesAsync(DbSession session, string agentId) =>
        session.QueryAsync(
            """
            SELECT d.service, h.target_release, h.canary_weight FROM deployment_hosts h JOIN deployments d ON d.id = h.deployment_id
            WHERE h.agent_id = @agent AND h.canary_weight IS NOT NULL AND d.state IN ('running', 'rolling-back')
            ORDER BY d.service
            """,
            r => new TrafficRoute(r.Text("service"), r.TextOrNull("target_release"), r.Int32("canary_weight")),
            ("@agent", agentId));

    public static Task<DeploymentRecord?> FindAsync(DbSession session, long id) =>
        session.QuerySingleOrDefaultAsync($"SELECT {Columns} FROM deployments WHERE id = @id", Map, ("@id", id));

    /// <summary>The service's oldest running deployment (several may run: one per environment).</summary>
    public static Task<DeploymentRecord?> FindActiveAsync(DbSession session, string service) =>
        session.QuerySingleOrDefaultAsync(
            $"SELECT {Columns} FROM deployments WHERE service = @service AND state IN ('running', 'rolling-back') ORDER BY id LIMIT 1",
            Map, ("@service", service));

    /// <summary>The service's running deployments that share the environment or a host with a new one: it must wait for them.</summary>
    public static async Task<List<DeploymentRecord>> FindConflictingAsync(
        DbSession session, string service, string? environment, IReadOnlyCollection<string> hosts)
    {
        var active = await session.QueryAsync(
            $"SELECT {Columns} FROM deployments WHERE service = @service AND state IN ('running', 'rolling-back') ORDER BY id",
            Map, ("@service", service)).ConfigureAwait(false);
        var conflicting = new List<DeploymentRecord>();
        foreach (var deployment in active)
        {
            if (deployment.Environment == environment
                || (await HostsAsync(session, deployment.Id).ConfigureAwait(false)).Any(h => hosts.Contains(h.Host)))
            {
                conflicting.Add(deployment);
            }
        }

        return conflicting;
    }

    public static Task<DeploymentRecord?> FindLastFinishedAsync(DbSession session, string service) =>
        session.QuerySingleOrDefaultAsync(
            $"SELECT {Columns} FROM deployments WHERE service = @service AND state NOT IN ('running', 'rolling-back') ORDER BY id DESC LIMIT 1",
            Map, ("@service", service));

    public static Task<List<DeploymentRecord>> AwaitingApprovalAsync(DbSession session, string service) =>
        session.QueryAsync(
            $"SELECT {Columns} FROM deployments WHERE service = @service AND state = 'awaiting-approval' ORDER BY id",
            Map, ("@service", service));

    /// <summary>The environments in which this release of the service was deployed successfully.</summary>
    public static Task<List<string>> SucceededEnvironmentsAsync(DbSession session, string service, string version) =>
        session.QueryAsync(
            """
            SELECT DISTINCT environment FROM deployments
            WHERE service = @service AND version = @version AND kind = 'deploy' AND state = 'succeeded' AND environment IS NOT NULL
            """,
            r => r.Text("environment"), ("@service", service), ("@version", version));

    public static Task<List<DeploymentRecord>> ListAsync(DbSession session, string? service, int limit) =>
        session.QueryAsync(
            $"SELECT {Columns} FROM deployments WHERE CAST(@service AS TEXT) IS NULL OR service = @service ORDER BY id DESC LIMIT @limit",
            Map, ("@service", service), ("@limit", limit));

    public static Task<List<long>> ListActiveIdsAsync(DbSession session) =>
        session.QueryAsync("SELECT id FROM deployments WHERE state IN ('running', 'rolling-back') ORDER BY id", r => r.Int64("id"));

    public static Task<List<DeploymentHostRecord>> HostsAsync(DbSession session, long deploymentId) =>
        session.QueryAsync(
            $"SELECT {HostSelectColumns} FROM deployment_hosts WHERE deployment_id = @d ORDER BY position", MapHost, ("@d", deploymentId));

    public static Task<DeploymentHostRecord?> FindHostAsync(DbSession session, long deploymentId, string host) =>
        session.QuerySingleOrDefaultAsync(
            $"SELECT {HostSelectColumns} FROM deployment_hosts WHERE deployment_id = @d AND host = @host",
            MapHost, ("@d", deploymentId), ("@host", host));

    /// <summary>The release a host ran before its current one, from the last deployment of the service that succeeded there.</summary>
    public static Task<string?> LastPreviousReleaseAsync(DbSession session, string service, string host, string currentRelease) =>
        session.ScalarAsync<string?>(
            """
            SELECT h.previous_release FROM deployment_hosts h JOIN deployments d ON d.id = h.deployment_id
            WHERE d.service = @service AND d.kind = 'deploy' AND h.host = @host AND h.state = 'succeeded'
                AND h.target_release = @current AND h.previous_release IS NOT NULL
            ORDER BY d.id DESC LIMIT 1
            """,
            ("@service", service), ("@host", host), ("@current", currentRelease));

    private static (string, object?)[] HostParameters(DeploymentHostRecord h) =>
    [
        ("@d", h.DeploymentId), ("@host", h.Host), ("@agent", h.AgentId), ("@position", h.Position), ("@batch", h.Batch),
        ("@state", h.State), ("@previous", h.PreviousRelease), ("@target", h.TargetRelease), ("@error", h.Error),
        ("@task", h.TaskId), ("@rollbackTask", h.RollbackTaskId), ("@at", h.UpdatedAt), ("@canaryWeight", h.CanaryWeight),
    ];

    private static string? RolloutJson(RolloutState? rollout) =>
        rollout is null ? null : JsonSerializer.Serialize(rollout, FailsafeJson.Options);

    private static DeploymentRecord Map(DbDataReader r) => new(
        r.Int64("id"), r.Text("kind"), r.Text("service"), r.Text("version"), r.Text("state"), r.Int32("batch_size"),
        r.Bool("no_rollback"), JsonSerializer.Deserialize<ActivationSettings>(r.Text("settings_json"), FailsafeJson.Options)!,
        r.Time("created_at"), r.Time("updated_at"), r.Text("created_by"), r.TextOrNull("reason"),
        r.TextOrNull("rollout_json") is { } rollout ? JsonSerializer.Deserialize<RolloutState>(rollout, FailsafeJson.Options) : null,
        r.TextOrNull("environment"));

    private static DeploymentHostRecord MapHost(DbDataReader r) => new(
        r.Int64("deployment_id"), r.Text("host"), r.Text("agent_id"), r.Int32("position"), r.Int32("batch"), r.Text("state"),
        r.TextOrNull("previous_release"), r.TextOrNull("target_release"), r.TextOrNull("error"),
        r.Int64OrNull("task_id"), r.Int64OrNull("rollback_task_id"), r.Time("updated_at"), r.Int32OrNull("canary_weight"),
        r.TextOrNull("variables_json") is { } variables ? JsonSerializer.Deserialize<HostVariables>(variables, FailsafeJson.Options) : null);
}
