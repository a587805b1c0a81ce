using Failsafe.Artifacts;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Storage;
using Failsafe.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Failsafe.ControlPlane.Api;

/// <summary>Named API tokens for people and robots, made by an admin; the token is in the answer once, only its hash is kept.</summary>
internal static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.ApiPolicy).MapPost(ApiRoutes.Tokens, CreateAsync);
        return routes;
    }

    private static async Task<ApiTokenCreated> CreateAsync([FromBody] CreateApiToken request, IDatabase database, TimeProvider time, HttpContext context)
    {
        var actor = AuthSchemes.ActorOf(context);
        if (!actor.IsAdmin)
        {
            throw new ApiProblemException(StatusCodes.Status403Forbidden, "Only an admin token may create tokens.");
        }

        if (!ServiceName.IsValid(request.Name))
        {
            throw ApiProblemException.BadRequest(
                $"A token name is 1 to {ServiceName.MaxLength} lowercase letters, digits and '-', starting with a letter (e.g. alice or ci-deployer).");
        }

        var roles = (request.Roles ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (roles.FirstOrDefault(r => !ServiceName.IsValid(r)) is { } bad)
        {
            throw ApiProblemException.BadRequest(
                $"Role '{bad}' is not valid: a role is 1 to {ServiceName.MaxLength} lowercase letters, digits and '-', starting with a letter (e.g. release-managers).");
        }

        var token = ApiToken.Create();
        var now = time.GetUtcNow();
        await database.WriteAsync(
            async s =>
            {
                if (await TokensStore.ApiTokenNameTakenAsync(s, request.Name).ConfigureAwait(false))
                {
                    throw ApiProblemException.Conflict($"A token named {request.Name} exists already; pick another name.");
                }

                var kind = request.Admin ? AuthSchemes.AdminKind : AuthSchemes.UserKind;
                await TokensStore.AddApiTokenAsync(s, request.Name, kind, ApiToken.Hash(token), now, roles).ConfigureAwait(false);
                var detail = (request.Admin ? "admin" : "not admin") + (roles.Count == 0 ? "; no roles" : "; roles: " + string.Join(", ", roles));
                await EventsStore.AppendAsync(s, now, actor, "token.create", $"token/{request.Name}", detail).ConfigureAwait(false);
            },
            context.RequestAborted).ConfigureAwait(false);
        return new ApiTokenCreated(request.Name, token, roles, request.Admin);
    }
}
