using Failsafe.Contracts;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Failsafe.ControlPlane.Api;

internal static class DeploymentsApi
{
    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.ApiPolicy);
        group.MapGet(ApiRoutes.Deployments, ListAsync);
        group.MapPost(ApiRoutes.Deployments, CreateAsync);
        group.MapGet(ApiRoutes.Deployment, GetAsync);
        group.MapPost(ApiRoutes.DeploymentAction, ActAsync);
        return routes;
    }

    private static Task<DeploymentInfo> ActAsync(string id, string action, DeploymentControl control, HttpContext context) =>
        control.ApplyAsync(id, action, AuthSchemes.ActorOf(context), context.RequestAborted);

    private static async Task<IResult> CreateAsync(CreateDeployment request, DeploymentPlanner planner, HttpContext context)
    {
        var info = await planner.CreateAsync(request, AuthSchemes.ActorOf(context), context.RequestAborted).ConfigureAwait(false);
        return Results.Json(info, FailsafeJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<DeploymentInfo> GetAsync(string id, IDatabase database, HttpContext context)
    {
        var info = DeploymentIds.TryParse(id, out var number)
            ? await database.ReadAsync(s => DeploymentReader.FindAsync(s, number), context.RequestAborted).ConfigureAwait(false)
            : null;
        return info ?? throw ApiProblemException.NotFound($"No deployment {id}.");
    }

    private static Task<List<DeploymentInfo>> ListAsync(string? service, int? limit, IDatabase database, HttpContext context) =>
        database.ReadAsync(
            async s =>
            {
                var list = new List<DeploymentInfo>();
                foreach (var deployment in await DeploymentsStore.ListAsync(s, service, Math.Clamp(limit ?? 20, 1, 500)).ConfigureAwait(false))
                {
                    list.Add(await DeploymentReader.ToInfoAsync(s, deployment).ConfigureAwait(false));
                }

                return list;
            },
            context.RequestAborted);
}
