using Failsafe.Contracts;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Failsafe.ControlPlane.Api;

/// <summary>Secrets by name and environment. Answers carry names, versions and who changed them; never a value.</summary>
internal static class SecretsApi
{
    public static IEndpointRouteBuilder MapSecretsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.ApiPolicy);
        group.MapGet(ApiRoutes.Secrets, (string? environment, SecretVault vault, HttpContext context) =>
            vault.ListAsync(string.IsNullOrEmpty(environment) ? null : environment, context.RequestAborted));
        group.MapPut(ApiRoutes.Secret, SetAsync);
        group.MapDelete(ApiRoutes.Secret, DeleteAsync);
        group.MapPost(ApiRoutes.SecretKeyRotation, (SecretVault vault, HttpContext context) =>
            vault.RotateKeyAsync(AuthSchemes.ActorOf(context), context.RequestAborted));
        return routes;
    }

    private static Task<SecretInfo> SetAsync(string environment, string name, [FromBody] SetSecret? request, SecretVault vault, HttpContext context) =>
        vault.SetAsync(environment, name, request?.Value ?? string.Empty, AuthSchemes.ActorOf(context), context.RequestAborted);

    private static async Task<SecretInfo> DeleteAsync(string environment, string name, SecretVault vault, HttpContext context) =>
        await vault.DeleteAsync(environment, name, AuthSchemes.ActorOf(context), context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiProblemException.NotFound($"There is no secret {name} in {environment}.");
}
