using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Storage;

/// <summary>Who approved a deployment waiting at an environment's gate. One row per person: approving twice counts once.</summary>
internal static class ApprovalsStore
{
    public static Task<int> AddAsync(DbSession session, long deploymentId, string approver, DateTimeOffset at, string? comment) =>
        session.ExecuteAsync(
            """
            INSERT INTO approvals (deployment_id, approver, at, comment) VALUES (@d, @approver, @at, @comment)
            ON CONFLICT (deployment_id, approver) DO NOTHING
            """,
            ("@d", deploymentId), ("@approver", approver), ("@at", at), ("@comment", comment));

    public static Task<List<ApprovalInfo>> ListAsync(DbSession session, long deploymentId) =>
        session.QueryAsync(
            "SELECT approver, at, comment FROM approvals WHERE deployment_id = @d ORDER BY at, approver",
            r => new ApprovalInfo(r.Text("approver"), r.Time("at"), r.TextOrNull("comment")),
            ("@d", deploymentId));
}
