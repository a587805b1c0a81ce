using Failsafe.Contracts;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Configuration;
using Failsafe.ControlPlane.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Failsafe.ControlPlane.Api;

/// <summary>Everything as code: plan and apply the files, promote a release along its lifecycle, approve a gated deployment.</summary>
internal static class ConfigApi
{
    public static IEndpointRouteBuilder MapConfigApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.ApiPolicy);
        group.MapGet(ApiRoutes.Config, (ConfigService config, HttpContext context) => config.CurrentAsync(context.RequestAborted));
        group.MapPost(ApiRoutes.ConfigPlan, (ConfigRequest request, ConfigService config, HttpContext context) =>
            config.PlanAsync(request, context.RequestAborted));
        group.MapPost(ApiRoutes.ConfigApply, (ConfigRequest request, ConfigService config, HttpContext context) =>
            config.ApplyAsync(request, AuthSchemes.ActorOf(context), context.RequestAborted));
        group.MapPost(ApiRoutes.Promotions, PromoteAsync);
        group.MapPost(ApiRoutes.Approve, (string id, [FromBody] ApproveRequest? request, Approvals approvals, HttpContext context) =>
            approvals.ApproveAsync(id, AuthSchemes.ActorOf(context), request?.Comment, context.RequestAborted));
        return routes;
    }

    private static async Task<IResult> PromoteAsync(
        string service, PromoteRequest request, ConfigService config, DeploymentPlanner planner, HttpContext context)
    {
        DeploymentPlanner.ValidateNames(service, request.Version);
        var to = request.To ?? await config.NextEnvironmentAsync(service, request.Version, context.RequestAborted).ConfigureAwait(false);
        var info = await planner.CreateAsync(
            new CreateDeployment(service, request.Version, Environment: to), AuthSchemes.ActorOf(context), context.RequestAborted).ConfigureAwait(false);
        return Results.Json(info, FailsafeJson.Options, statusCode: StatusCodes.Status201Created);
    }
}
