using System.Data.Common;
using System.Text.Json;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Storage;

internal sealed record AgentRecord(string Id, string Name, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeenAt, HostInventory? Inventory)
{
    public bool IsOnline(DateTimeOffset now, TimeSpan offlineAfter) => LastSeenAt is { } seen && now - seen <= offlineAfter;

    public ServiceState? ServiceState(string service) => Inventory?.Services.FirstOrDefault(s => s.Service == service);

    public AgentInfo ToInfo(DateTimeOffset now, TimeSpan offlineAfter) =>
        new(Id, Name, EnrolledAt, LastSeenAt, IsOnline(now, offlineAfter), Inventory);
}

/// <summary>Enrolled agents, their certificates (by SHA-256 fingerprint) and their last reported inventory.</summary>
internal static class AgentsStore
{
    private const string Columns = "id, name, enrolled_at, last_seen_at, inventory_json";

    public static Task<AgentRecord?> FindByNameAsync(DbSession session, string name) =>
        session.QuerySingleOrDefaultAsync($"SELECT {Columns} FROM agents WHERE name = @name", Map, ("@name", name));

    public static Task<List<AgentRecord>> ListAsync(DbSession session) =>
        session.QueryAsync($"SELECT {Columns} FROM agents ORDER BY name", Map);

    /// <summary>The agent a presented client certificate belongs to, unless that certificate was revoked.</summary>
    public static Task<AgentRecord?> FindByCertificateAsync(DbSession session, string thumbprint) =>
        session.QuerySingleOrDefaultAsync(
            """
            SELECT a.id, a.name, a.enrolled_at, a.last_seen_at, a.inventory_json
            FROM agent_certificates c JOIN agents a ON a.id = c.agent_id
            WHERE c.thumbprint = @thumbprint AND c.revoked_at IS NULL
            """,
            Map, ("@thumbprint", thumbprint));

    public static Task AddAsync(DbSession session, string id, string name, DateTimeOffset at) =>
        session.ExecuteAsync(
            "INSERT INTO agents (id, name, enrolled_at) VALUES (@id, @name, @at)", ("@id", id), ("@name", name), ("@at", at));

    /// <summary>Revokes every earlier certificate of the agent and records the new one.</summary>
    public static async Task ReplaceCertificateAsync(DbSession session, string agentId, string thumbprint, DateTimeOffset at, DateTimeOffset expiresAt)
    {
        await session.ExecuteAsync(
            "UPDATE agent_certificates SET revoked_at = @at WHERE agent_id = @agent AND revoked_at IS NULL",
            ("@agent", agentId), ("@at", at)).ConfigureAwait(false);
        await session.ExecuteAsync(
            "INSERT INTO agent_certificates (thumbprint, agent_id, issued_at, expires_at) VALUES (@thumbprint, @agent, @at, @expires)",
            ("@thumbprint", thumbprint), ("@agent", agentId), ("@at", at), ("@expires", expiresAt)).ConfigureAwait(false);
    }

    public static Task ReportAsync(DbSession session, string agentId, DateTimeOffset at, HostInventory? inventory) =>
        session.ExecuteAsync(
            """
            UPDATE agents SET last_seen_at = @at,
                agent_version = COALESCE(@version, agent_version),
                inventory_json = COALESCE(@inventory, inventory_json)
            WHERE id = @id
            """,
            ("@id", agentId), ("@at", at), ("@version", inventory?.AgentVersion),
            ("@inventory", inventory is null ? null : JsonSerializer.Serialize(inventory, FailsafeJson.Options)));

    private static AgentRecord Map(DbDataReader r)
    {
        var json = r.TextOrNull("inventory_json");
        return new AgentRecord(
            r.Text("id"), r.Text("name"), r.Time("enrolled_at"), r.TimeOrNull("last_seen_at"),
            json is null ? null : JsonSerializer.Deserialize<HostInventory>(json, FailsafeJson.Options));
    }
}
