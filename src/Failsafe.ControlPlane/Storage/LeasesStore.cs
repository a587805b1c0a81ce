namespace Failsafe.ControlPlane.Storage;

/// <summary>
/// Leases: which server replica drives which piece of work. A lease is a row (name, holder, expiry) taken and
/// renewed inside the same write transaction as the work it guards. Writes are serialised on every engine, so a
/// replica that finds another's unexpired lease does nothing, and one whose lease was taken over after it stalled
/// sees that before it writes a single step.
/// </summary>
internal static class LeasesStore
{
    /// <summary>Takes the lease, or renews it when it is already ours. False when another holder's lease has not expired.</summary>
    /// <param name="detail">Why it is held, for people (a deploy lock's reason); replaces the previous one.</param>
    public static async Task<(bool Held, string? PreviousHolder)> TryHoldAsync(
        DbSession session, string name, string holder, DateTimeOffset now, TimeSpan duration, string? detail = null)
    {
        var current = await FindAsync(session, name).ConfigureAwait(false);
        if (current is not null && current.Holder != holder && current.ExpiresAt > now)
        {
            return (false, current.Holder);
        }

        await session.ExecuteAsync(
            """
            INSERT INTO leases (name, holder, expires_at, detail) VALUES (@name, @holder, @expires, @detail)
            ON CONFLICT (name) DO UPDATE SET holder = @holder, expires_at = @expires, detail = @detail
            """,
            ("@name", name), ("@holder", holder), ("@expires", now + duration), ("@detail", detail)).ConfigureAwait(false);
        return (true, current?.Holder == holder ? null : current?.Holder);
    }

    /// <summary>The lease row, expired or not.</summary>
    public static Task<Lease?> FindAsync(DbSession session, string name) =>
        session.QuerySingleOrDefaultAsync(
            "SELECT name, holder, expires_at, detail FROM leases WHERE name = @name", Read, ("@name", name));

    /// <summary>The unexpired leases whose names start with <paramref name="prefix"/>, by name.</summary>
    public static Task<List<Lease>> ListAsync(DbSession session, string prefix, DateTimeOffset now) =>
        session.QueryAsync(
            "SELECT name, holder, expires_at, detail FROM leases WHERE substr(name, 1, @length) = @prefix AND expires_at > @now ORDER BY name",
            Read, ("@prefix", prefix), ("@length", prefix.Length), ("@now", now));

    /// <summary>Ends the lease whoever holds it; false when there was none.</summary>
    public static async Task<bool> DeleteAsync(DbSession session, string name) =>
        await session.ExecuteAsync("DELETE FROM leases WHERE name = @name", ("@name", name)).ConfigureAwait(false) > 0;

    public static Task ReleaseAsync(DbSession session, string name, string holder) =>
        session.ExecuteAsync("DELETE FROM leases WHERE name = @name AND holder = @holder", ("@name", name), ("@holder", holder));

    public static Task<string?> HolderAsync(DbSession session, string name, DateTimeOffset now) =>
        session.ScalarAsync<string?>("SELECT holder FROM leases WHERE name = @name AND expires_at > @now", ("@name", name), ("@now", now));

    private static Lease Read(System.Data.Common.DbDataReader r) =>
        new(r.Text("name"), r.Text("holder"), r.Time("expires_at"), r.TextOrNull("detail"));
}

internal sealed record Lease(string Name, string Holder, DateTimeOffset ExpiresAt, string? Detail);
