using System.Text.Json;

namespace Failsafe.ControlPlane.Storage;

/// <param name="Roles">What approval gates may name it by (<c>role:NAME</c>); empty for tokens made before roles existed.</param>
internal sealed record ApiTokenRecord(long Id, string Name, string Kind, IReadOnlyList<string> Roles);

/// <param name="Replaces">The enrolled agent this token may replace; null: the token only enrolls a new name.</param>
internal sealed record EnrollmentTokenRecord(string Hash, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt, string? Replaces);

/// <summary>API tokens and one-time enrollment tokens. Only hashes are stored.</summary>
internal static class TokensStore
{
    public static Task<long> CountApiTokensAsync(DbSession session) =>
        session.ScalarAsync<long>("SELECT COUNT(*) FROM api_tokens");

    public static Task AddApiTokenAsync(
        DbSession session, string name, string kind, string hash, DateTimeOffset at, IReadOnlyList<string>? roles = null) =>
        session.ExecuteAsync(
            "INSERT INTO api_tokens (name, kind, hash, created_at, roles) VALUES (@name, @kind, @hash, @at, @roles)",
            ("@name", name), ("@kind", kind), ("@hash", hash), ("@at", at),
            ("@roles", roles is { Count: > 0 } ? JsonSerializer.Serialize(roles) : null));

    public static Task<ApiTokenRecord?> FindApiTokenAsync(DbSession session, string hash) =>
        session.QuerySingleOrDefaultAsync(
            "SELECT id, name, kind, roles FROM api_tokens WHERE hash = @hash AND revoked_at IS NULL",
            r => new ApiTokenRecord(
                r.Int64("id"), r.Text("name"), r.Text("kind"),
                r.TextOrNull("roles") is { } roles ? JsonSerializer.Deserialize<List<string>>(roles) ?? [] : []),
            ("@hash", hash));

    /// <summary>Whether a token that has not been revoked already has this name.</summary>
    public static async Task<bool> ApiTokenNameTakenAsync(DbSession session, string name) =>
        await session.ScalarAsync<long>("SELECT COUNT(*) FROM api_tokens WHERE name = @name AND revoked_at IS NULL", ("@name", name))
            .ConfigureAwait(false) > 0;

    public static Task AddEnrollmentTokenAsync(
        DbSession session, string hash, DateTimeOffset at, DateTimeOffset expiresAt, string createdBy, string? replaces = null) =>
        session.ExecuteAsync(
            "INSERT INTO enrollment_tokens (hash, created_at, expires_at, created_by, replaces) VALUES (@hash, @at, @expires, @by, @replaces)",
            ("@hash", hash), ("@at", at), ("@expires", expiresAt), ("@by", createdBy), ("@replaces", replaces));

    public static Task<EnrollmentTokenRecord?> FindEnrollmentTokenAsync(DbSession session, string hash) =>
        session.QuerySingleOrDefaultAsync(
            "SELECT hash, expires_at, used_at, replaces FROM enrollment_tokens WHERE hash = @hash",
            r => new EnrollmentTokenRecord(r.Text("hash"), r.Time("expires_at"), r.TimeOrNull("used_at"), r.TextOrNull("replaces")),
            ("@hash", hash));

    public static Task MarkEnrollmentTokenUsedAsync(DbSession session, string hash, DateTimeOffset at, string agentName) =>
        session.ExecuteAsync(
            "UPDATE enrollment_tokens SET used_at = @at, used_by = @agent WHERE hash = @hash AND used_at IS NULL",
            ("@hash", hash), ("@at", at), ("@agent", agentName));
}
