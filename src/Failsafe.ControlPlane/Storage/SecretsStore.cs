using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Storage;

/// <summary>A secret's row: its sealed value and the id of the key that sealed it.</summary>
internal sealed record SecretRecord(
    string Environment, string Name, int Version, string KeyId, string Sealed, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    public SecretInfo ToInfo() => new(Name, Environment, Version, UpdatedAt, UpdatedBy);

    /// <summary>The record's generated text would hold the sealed value: name the row only.</summary>
    public override string ToString() => $"SecretRecord {{ {Environment}/{Name} v{Version}, key {KeyId} }}";
}

/// <summary>Sealed secrets, one row per environment and name. Values are sealed and unsealed by <c>SecretVault</c>.</summary>
internal static class SecretsStore
{
    private const string Columns = "environment, name, version, key_id, sealed, updated_at, updated_by";

    public static Task<SecretRecord?> FindAsync(DbSession session, string environment, string name) =>
        session.QuerySingleOrDefaultAsync(
            $"SELECT {Columns} FROM secrets WHERE environment = @environment AND name = @name",
            Read, ("@environment", environment), ("@name", name));

    /// <summary>Ordered by environment, then name.</summary>
    public static Task<List<SecretRecord>> ListAsync(DbSession session, string? environment) =>
        session.QueryAsync(
            $"SELECT {Columns} FROM secrets WHERE CAST(@environment AS TEXT) IS NULL OR environment = @environment ORDER BY environment, name",
            Read, ("@environment", environment));

    public static Task UpsertAsync(DbSession session, SecretRecord record) =>
        session.ExecuteAsync(
            $"""
            INSERT INTO secrets ({Columns}) VALUES (@environment, @name, @version, @key, @sealed, @at, @by)
            ON CONFLICT (environment, name) DO UPDATE SET
                version = @version, key_id = @key, sealed = @sealed, updated_at = @at, updated_by = @by
            """,
            ("@environment", record.Environment), ("@name", record.Name), ("@version", record.Version), ("@key", record.KeyId),
            ("@sealed", record.Sealed), ("@at", record.UpdatedAt), ("@by", record.UpdatedBy));

    /// <summary>Re-sealed with another key; the version and who changed it last stay.</summary>
    public static Task ResealAsync(DbSession session, string environment, string name, string keyId, string sealedValue) =>
        session.ExecuteAsync(
            "UPDATE secrets SET key_id = @key, sealed = @sealed WHERE environment = @environment AND name = @name",
            ("@environment", environment), ("@name", name), ("@key", keyId), ("@sealed", sealedValue));

    public static async Task<bool> DeleteAsync(DbSession session, string environment, string name) =>
        await session.ExecuteAsync(
            "DELETE FROM secrets WHERE environment = @environment AND name = @name", ("@environment", environment), ("@name", name))
            .ConfigureAwait(false) > 0;

    /// <summary>The keys some row was sealed with: each must stay in the key file.</summary>
    public static Task<List<string>> KeyIdsInUseAsync(DbSession session) =>
        session.QueryAsync("SELECT DISTINCT key_id FROM secrets ORDER BY key_id", r => r.Text("key_id"));

    private static SecretRecord Read(System.Data.Common.DbDataReader r) =>
        new(r.Text("environment"), r.Text("name"), r.Int32("version"), r.Text("key_id"), r.Text("sealed"), r.Time("updated_at"), r.Text("updated_by"));
}
