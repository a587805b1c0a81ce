using System.Reflection;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Analysis;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Blobs;
using Failsafe.ControlPlane.Hosting;
using Failsafe.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Failsafe.ControlPlane.AgentProtocol;

internal static class AgentProtocolEndpoints
{
    private const string CaContentType = "application/x-pem-file";

    public static string ServerVersion { get; } =
        typeof(AgentProtocolEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static IEndpointRouteBuilder MapAgentProtocol(this IEndpointRouteBuilder routes)
    {
        // Before enrollment an agent has no certificate: these three are open, everything else needs one.
        // The anchor's certificate is public; clients that know only its fingerprint fetch it here first.
        var open = routes.MapGroup(string.Empty).AllowAnonymous();
        open.MapGet(AgentRoutes.CaCertificate, (TrustAnchor anchor) => Results.Text(anchor.Pem, CaContentType));
        open.MapPost(AgentRoutes.Enroll, EnrollAsync);
        open.MapGet(AgentRoutes.Capabilities, () => new Capabilities(ServerVersion, ["v1"], TaskKinds.All));

        var agent = routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.AgentPolicy);
        agent.MapPost(AgentRoutes.Poll, PollAsync);
        agent.MapPost(AgentRoutes.TaskSteps, StepAsync);
        agent.MapPost(AgentRoutes.TaskComplete, CompleteAsync);
        agent.MapGet(AgentRoutes.Blob, Blob);
        agent.MapPost(AgentRoutes.Metrics, ReportMetrics);
        return routes;
    }

    private static async Task<IResult> ReportMetrics(MetricsReport report, HttpContext context, TrafficMetricsStore metrics)
    {
        try
        {
            await metrics.AddAsync(AuthSchemes.AgentIdOf(context.User), report.Samples, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw ApiProblemException.BadRequest(e.Message);
        }

        return Results.NoContent();
    }

    private static Task<EnrollResponse> EnrollAsync(EnrollRequest request, HttpContext context, EnrollmentService enrollment) =>
        enrollment.EnrollAsync(request, context.Connection.RemoteIpAddress?.ToString(), context.RequestAborted);

    private static async Task<PollResponse> PollAsync(
        PollRequest request, int? waitSeconds, HttpContext context, TaskDispatcher dispatcher, IHostApplicationLifetime lifetime)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            return await dispatcher.PollAsync(AuthSchemes.AgentIdOf(context.User), request, waitSeconds ?? 0, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            return new PollResponse([]); // shutting down: the agent polls again, perhaps a new server
        }
    }

    private static async Task<IResult> StepAsync(long id, StepReport step, HttpContext context, TaskCompletion completion)
    {
        await completion.AddStepAsync(AuthSchemes.AgentIdOf(context.User), id, step, context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> CompleteAsync(long id, TaskResult result, HttpContext context, TaskCompletion completion)
    {
        await completion.CompleteAsync(AuthSchemes.AgentIdOf(context.User), AuthSchemes.ActorOf(context), id, result, context.RequestAborted)
            .ConfigureAwait(false);
        return Results.Ok();
    }

    private static IResult Blob(string sha256, IBlobStore blobs)
    {
        var path = FileBlobStore.IsValidHash(sha256) ? blobs.PathOf(sha256) : null;
        return path is null
            ? Results.Json(new ApiError($"No artifact with SHA-256 {sha256}."), FailsafeJson.Options, statusCode: StatusCodes.Status404NotFound)
            : Results.File(path, "application/octet-stream", enableRangeProcessing: true);
    }
}
