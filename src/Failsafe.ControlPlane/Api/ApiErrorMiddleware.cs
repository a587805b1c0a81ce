using Failsafe.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Failsafe.ControlPlane.Api;

/// <summary>Turns every failure into an <see cref="ApiError"/> sentence; stack traces stay in the server log.</summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ApiProblemException e)
        {
            await WriteAsync(context, e.StatusCode, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            var message = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is larger than this route accepts."
                : "The request is not valid: " + e.Message;
            await WriteAsync(context, e.StatusCode, message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody is left to answer.
        }
        catch (Exception e)
        {
            Log.Unhandled(logger, e, context.Request.Method, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "The server failed to handle the request; its log has the details.")
                .ConfigureAwait(false);
        }
    }

    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new ApiError(message), FailsafeJson.Options, context.RequestAborted).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Unhandled failure in {Method} {Path}")]
        public static partial void Unhandled(ILogger logger, Exception exception, string method, PathString path);
    }
}
