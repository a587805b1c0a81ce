using System.Security.Claims;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Failsafe.ControlPlane.Api;

internal static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.ApiPolicy);
        group.MapGet(ApiRoutes.Events, (int? limit, string? target, IDatabase database, HttpContext context) =>
            database.ReadAsync(s => EventsStore.ListAsync(s, Math.Clamp(limit ?? 100, 1, 1000), target), context.RequestAborted));
        group.MapGet(ApiRoutes.Whoami, (ClaimsPrincipal user) =>
            new WhoAmI(
                user.Identity?.Name ?? "unknown", user.FindFirstValue(AuthSchemes.KindClaim) ?? "token",
                user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList()));
        return routes;
    }
}
