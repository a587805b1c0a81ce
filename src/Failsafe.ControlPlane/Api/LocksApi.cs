using Failsafe.Contracts;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Failsafe.ControlPlane.Api;

/// <summary>Deploy locks (<see cref="DeployLocks"/>): take or renew, release, list.</summary>
internal static class LocksApi
{
    public static IEndpointRouteBuilder MapLocksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.ApiPolicy);
        group.MapGet(ApiRoutes.Locks, (IDatabase database, TimeProvider time, HttpContext context) =>
            database.ReadAsync(s => DeployLocks.ListAsync(s, time.GetUtcNow()), context.RequestAborted));
        group.MapPost(ApiRoutes.Lock, TakeAsync);
        group.MapDelete(ApiRoutes.Lock, ReleaseAsync);
        return routes;
    }

    private static Task<DeployLockInfo> TakeAsync(string service, [FromBody] TakeDeployLock request, IDatabase database, TimeProvider time, HttpContext context)
    {
        var actor = AuthSchemes.ActorOf(context);
        return database.WriteAsync(
            s => DeployLocks.TakeAsync(s, service, request.Environment, actor, TimeSpan.FromMinutes(request.Minutes), request.Reason, time.GetUtcNow()),
            context.RequestAborted);
    }

    private static async Task<DeployLockInfo> ReleaseAsync(string service, string? environment, bool? force, IDatabase database, TimeProvider time, HttpContext context)
    {
        var actor = AuthSchemes.ActorOf(context);
        var released = await database.WriteAsync(
            s => DeployLocks.ReleaseAsync(s, service, environment ?? string.Empty, actor, time.GetUtcNow(), force ?? false),
            context.RequestAborted).ConfigureAwait(false);
        return released ?? throw ApiProblemException.NotFound($"{service} is not locked in {environment}.");
    }
}
