using Failsafe.Contracts;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Failsafe.ControlPlane.Api;

internal static class ReleasesApi
{
    public static IEndpointRouteBuilder MapReleasesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).RequireAuthorization(AuthSchemes.ApiPolicy);
        group.MapPut(ApiRoutes.PushRelease, (HttpContext context, string service, string version, ReleasePushHandler handler) =>
            handler.PushAsync(context, service, version));
        group.MapGet(ApiRoutes.Releases, ListAsync);
        return routes;
    }

    private static async Task<IReadOnlyList<ReleaseInfo>> ListAsync(string? service, IDatabase database, HttpContext context)
    {
        var releases = await database.ReadAsync(s => ReleasesStore.ListAsync(s, service), context.RequestAborted).ConfigureAwait(false);
        return releases.Select(r => r.ToInfo(false)).ToList();
    }
}
