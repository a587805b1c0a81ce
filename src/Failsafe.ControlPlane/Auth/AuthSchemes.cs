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

    /// <summary>The kind of an admin token: the first one (<see cref="Hosting.AdminBootstrap"/>) and those made with <c>--admin</c>.</summary>
    public const string AdminKind = Hosting.AdminBootstrap.AdminName;

    /// <summary>The kind of every other API token.</summary>
    public const string UserKind = "user";

    /// <summary>Who is calling, for the audit trail, with the roles of their token.</summary>
    public static Actor ActorOf(HttpContext context) =>
        new(context.User.Identity?.Name ?? "anonymous", context.Connection.RemoteIpAddress?.ToString())
        {
            Roles = context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList(),
            IsAdmin = context.User.FindFirstValue(KindClaim) == AdminKind,
        };

    public static string AgentIdOf(ClaimsPrincipal user) =>
        user.FindFirstValue(AgentIdClaim) ?? throw new InvalidOperationException("The caller is not an agent.");
}
