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
    public static async Task<(bool Held, string? PreviousHolder)> TryHoldAsync(DbSession session, string name, string holder, DateTimeOffset now, TimeSpan duration)
    {
        var current = await session.QuerySingleOrDefaultAsync(
            "SELECT holder, expires_at FROM leases WHERE name = @name",
            r => new Lease(r.Text("holder"), r.Time("expires_at")),
            ("@name", name)).ConfigureAwait(false);
        if (current is not null && current.Holder != holder && current.ExpiresAt > now)
        {
            return (false, current.Holder);
        }

        await session.ExecuteAsync(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expires)
            ON CONFLICT (name) DO UPDATE SET holder = @holder, expires_at = @expires
            """,
            ("@name", name), ("@holder", holder), ("@expires", now + duration)).ConfigureAwait(false);
        return (true, current?.Holder == holder ? null : current?.Holder);
    }

    public static Task ReleaseAsync(DbSession session, string name, string holder) =>
        session.ExecuteAsync("DELETE FROM leases WHERE name = @name AND holder = @holder", ("@name", name), ("@holder", holder));

    public static Task<string?> HolderAsync(DbSession session, string name, DateTimeOffset now) =>
        session.ScalarAsync<string?>("SELECT holder FROM leases WHERE name = @name AND expires_at > @now", ("@name", name), ("@now", now));

    private sealed record Lease(string Holder, DateTimeOffset ExpiresAt);
}
