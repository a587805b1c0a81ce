using System.Text;
using Microsoft.AspNetCore.Http;

namespace Failsafe.DataPlane.Traffic;

/// <summary>The responses the proxy writes itself: one line of plain text.</summary>
internal static class ProxyResponses
{
    public static Task NoInstanceAsync(HttpContext context, string service) =>
        WriteAsync(context, StatusCodes.Status503ServiceUnavailable, $"503 Service Unavailable: no instance of {service} is running\n", servedBy: null);

    public static Task UpstreamFailedAsync(HttpContext context, int status, RouteTable table, BackendTarget target)
    {
        var line = status == StatusCodes.Status504GatewayTimeout
            ? $"504 Gateway Timeout: {table.Service} {target.Backend.Version} did not answer within {table.Timeout.TotalSeconds:0} s\n"
            : $"502 Bad Gateway: {table.Service} {target.Backend.Version} could not be reached or broke off\n";
        return WriteAsync(context, status, line, target.Backend.Version);
    }

    public static Task WriteAsync(HttpContext context, int status, string line, string? servedBy)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        response.Clear();
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = Encoding.UTF8.GetByteCount(line);
        if (servedBy is not null)
        {
            response.Headers[HeaderRules.ServedBy] = servedBy;
        }

        return response.WriteAsync(line, context.RequestAborted);
    }
}
