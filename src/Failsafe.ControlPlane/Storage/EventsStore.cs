using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Storage;

/// <summary>The audit trail. Callers append inside the transaction of the change they record.</summary>
internal static class EventsStore
{
    public const string Ok = "ok";
    public const string Denied = "denied";

    public static Task AppendAsync(
        DbSession session, DateTimeOffset at, Actor actor, string action, string target, string? detail = null, string result = Ok) =>
        session.ExecuteAsync(
            """
            INSERT INTO events (at, actor, action, target, remote_address, result, detail)
            VALUES (@at, @actor, @action, @target, @remote, @result, @detail)
            """,
            ("@at", at), ("@actor", actor.Name), ("@action", action), ("@target", target),
            ("@remote", actor.RemoteAddress), ("@result", result), ("@detail", detail));

    /// <summary>Newest first. A target also matches its children: "d-7" finds "d-7/host-1".</summary>
    public static Task<List<EventInfo>> ListAsync(DbSession session, int limit, string? target) =>
        session.QueryAsync(
            """
            SELECT id, at, actor, action, target, remote_address, result, detail FROM events
            WHERE CAST(@target AS TEXT) IS NULL OR target = @target OR substr(target, 1, @prefixLength) = @prefix
            ORDER BY id DESC LIMIT @limit
            """,
            r => new EventInfo(
                r.Int64("id"), r.Time("at"), r.Text("actor"), r.Text("action"), r.Text("target"),
                r.TextOrNull("remote_address"), r.Text("result"), r.TextOrNull("detail")),
            ("@target", target), ("@prefix", target + "/"), ("@prefixLength", (target?.Length ?? 0) + 1), ("@limit", limit));

    public static Task<long> CountAsync(DbSession session) =>
        session.ScalarAsync<long>("SELECT COUNT(*) FROM events");
}
