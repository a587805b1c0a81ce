using Failsafe.Contracts;
using Failsafe.ControlPlane.AgentProtocol;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Storage;
using Failsafe.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Failsafe.ControlPlane.Api;

internal static class AgentsApi
{
    private const int DefaultValidMinutes = 60;
    private const int MaxValidMinutes = 7 * 24 * 60;

    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.ApiPolicy);
        group.MapGet(ApiRoutes.Agents, ListAsync);
        group.MapPost(ApiRoutes.AgentTokens, CreateTokenAsync);
        return routes;
    }

    private static async Task<IReadOnlyList<AgentInfo>> ListAsync(IDatabase database, TimeProvider time, ServerOptions options, HttpContext context)
    {
        var agents = await database.ReadAsync(AgentsStore.ListAsync, context.RequestAborted).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return agents.Select(a => a.ToInfo(now, options.AgentOfflineAfter)).ToList();
    }

    private static async Task<AgentTokenCreated> CreateTokenAsync(
        [FromBody] CreateAgentToken? request, IDatabase database, TrustAnchor anchor, TimeProvider time, HttpContext context)
    {
        var minutes = request?.ValidMinutes ?? DefaultValidMinutes;
        if (minutes is < 1 or > MaxValidMinutes)
        {
            throw ApiProblemException.BadRequest($"An agent token is valid for 1 to {MaxValidMinutes} minutes.");
        }

        var replace = request?.Replace;
        if (replace is not null && !AgentNames.IsValid(replace))
        {
            throw ApiProblemException.BadRequest(AgentNames.Rule);
        }

        var token = EnrollmentToken.Create(anchor.Fingerprint);
        var actor = AuthSchemes.ActorOf(context);
        var now = time.GetUtcNow();
        var expiresAt = now.AddMinutes(minutes);
        await database.WriteAsync(
            async session =>
            {
                // A typo would otherwise make a token that can never replace anything.
                if (replace is not null && await AgentsStore.FindByNameAsync(session, replace).ConfigureAwait(false) is null)
                {
                    throw ApiProblemException.NotFound($"No agent named {replace} is enrolled; a token for a new host needs no --replace.");
                }

                await TokensStore.AddEnrollmentTokenAsync(session, ApiToken.Hash(token.Secret), now, expiresAt, actor.Name, replace).ConfigureAwait(false);
                var detail = $"valid until {expiresAt:yyyy-MM-dd HH:mm:ss}Z" + (replace is null ? string.Empty : $"; may replace agent {replace}");
                await EventsStore.AppendAsync(session, now, actor, "agent-token.create", "agent-tokens", detail).ConfigureAwait(false);
            },
            context.RequestAborted).ConfigureAwait(false);
        return new AgentTokenCreated(token.ToString(), expiresAt, anchor.Fingerprint);
    }
}
