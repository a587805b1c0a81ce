using System.Security.Claims;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Http;

namespace Failsafe.ControlPlane.Auth;

internal static class AuthSchemes
{
    public const string ApiToken = "failsafe-token";
    public const string AgentCertificate = "failsafe-agent";

    public const string ApiPolicy = "api";
    public const string AgentPolicy = "agent";

    public const string AgentIdClaim = "failsafe:agent-id";
    public const string KindClaim = "failsafe:kind";

    /// <summary>Who is calling, for the audit trail.</summary>
    public static Actor ActorOf(HttpContext context) =>
        new(context.User.Identity?.Name ?? "anonymous", context.Connection.RemoteIpAddress?.ToString());

    public static string AgentIdOf(ClaimsPrincipal user) =>
        user.FindFirstValue(AgentIdClaim) ?? throw new InvalidOperationException("The caller is not an agent.");
}
