using Failsafe.Contracts;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Failsafe.ControlPlane.Api;

internal static class ServicesApi
{
    public static IEndpointRouteBuilder MapServicesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.ApiPolicy);
        group.MapPost(ApiRoutes.Rollback, RollbackAsync);
        group.MapGet(ApiRoutes.ServiceStatus, StatusAsync);
        return routes;
    }

    private static async Task<IResult> RollbackAsync(string service, [FromBody] RollbackRequest? request, RollbackPlanner planner, HttpContext context)
    {
        var info = await planner.RollbackAsync(service, request ?? new RollbackRequest(), AuthSchemes.ActorOf(context), context.RequestAborted)
            .ConfigureAwait(false);
        return Results.Json(info, FailsafeJson.Options, statusCode: StatusCodes.Status200OK);
    }

    private static Task<ServiceStatus> StatusAsync(string service, IDatabase database, TimeProvider time, ServerOptions options, HttpContext context)
    {
        DeploymentPlanner.ValidateNames(service, null);
        return database.ReadAsync(
            async s =>
            {
                var now = time.GetUtcNow();
                var hosts = (await AgentsStore.ListAsync(s).ConfigureAwait(false))
                    .Select(a => (Agent: a, State: a.ServiceState(service)))
                    .Where(x => x.State is not null)
                    .Select(x => new HostServiceStatus(
                        x.Agent.Name, x.Agent.IsOnline(now, options.AgentOfflineAfter), x.State!.Current, x.State.CurrentVersion,
                        x.State.Installed, x.State.Instance, x.State.Canary))
                    .ToList();
                var active = await DeploymentsStore.FindActiveAsync(s, service).ConfigureAwait(false);
                var last = await DeploymentsStore.FindLastFinishedAsync(s, service).ConfigureAwait(false);
                var waiting = new List<DeploymentInfo>();
                foreach (var held in await DeploymentsStore.AwaitingApprovalAsync(s, service).ConfigureAwait(false))
                {
                    waiting.Add(await DeploymentReader.ToInfoAsync(s, held).ConfigureAwait(false));
                }

                return new ServiceStatus(
                    service, hosts,
                    active is null ? null : await DeploymentReader.ToInfoAsync(s, active).ConfigureAwait(false),
                    last is null ? null : await DeploymentReader.ToInfoAsync(s, last).ConfigureAwait(false),
                    waiting.Count > 0 ? waiting : null);
            },
            context.RequestAborted);
    }
}
