using Failsafe.ControlPlane.Api;
using Microsoft.AspNetCore.Http;

namespace Failsafe.ControlPlane.Auth;

/// <summary>The same terse answers for every refused caller: nothing about why, so nothing to probe.</summary>
internal static class UnauthorizedResponse
{
    public static Task UnauthorizedAsync(HttpContext context) =>
        ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized");

    public static Task ForbiddenAsync(HttpContext context) =>
        ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden");
}
