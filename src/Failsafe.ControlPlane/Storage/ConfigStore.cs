using System.Text.Json;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Storage;

/// <summary>The applied configuration: one document, replaced whole, its revision rising by one each apply.</summary>
internal static class ConfigStore
{
    public static async Task<ConfigState> ReadAsync(DbSession session) =>
        await session.QuerySingleOrDefaultAsync(
            "SELECT revision, document_json, applied_at, applied_by, commit_id FROM config_state WHERE id = 1",
            r => new ConfigState(
                r.Int64("revision"), r.Time("applied_at"), r.Text("applied_by"), r.TextOrNull("commit_id"),
                JsonSerializer.Deserialize<ConfigDocument>(r.Text("document_json"), FailsafeJson.Options)!)).ConfigureAwait(false)
        ?? new ConfigState(0, null, null, null, ConfigDocument.Empty);

    public static Task WriteAsync(
        DbSession session, long revision, ConfigDocument document, DateTimeOffset at, Actor actor, string? commit, string? source) =>
        session.ExecuteAsync(
            """
            INSERT INTO config_state (id, revision, document_json, applied_at, applied_by, commit_id, source)
            VALUES (1, @revision, @document, @at, @by, @commit, @source)
            ON CONFLICT (id) DO UPDATE SET revision = @revision, document_json = @document, applied_at = @at,
                applied_by = @by, commit_id = @commit, source = @source
            """,
            ("@revision", revision), ("@document", JsonSerializer.Serialize(document, FailsafeJson.Options)), ("@at", at),
            ("@by", actor.Name), ("@commit", commit), ("@source", source));
}
