using System.Net;
using System.Net.Http.Json;
using System.Security.Authentication;
using System.Text.Json;
using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>An answer from the server that is not a success: the status and the server's one-line reason.</summary>
internal sealed class ServerRefusedException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>4xx other than 408/429: asking again will not help.</summary>
    public bool IsPermanent => ServerErrors.IsPermanent(Status);
}

internal static class ServerErrors
{
    /// <summary>4xx other than 408/429: asking again will not help.</summary>
    public static bool IsPermanent(HttpStatusCode status) =>
        (int)status is >= 400 and < 500 && status is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests;

    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? reason = null;
        try
        {
            var error = await response.Content.ReadFromJsonAsync<ApiError>(FailsafeJson.Options, cancellationToken).ConfigureAwait(false);
            reason = error?.Detail is { } detail ? $"{error.Error} {detail}" : error?.Error;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or HttpRequestException)
        {
        }

        throw new ServerRefusedException(
            response.StatusCode,
            $"{what}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}{(reason is null ? "" : ": " + reason)}");
    }

    /// <summary>The TLS handshake failed because the server is not the pinned one (or refused our certificate).</summary>
    public static bool IsTrustFailure(Exception e) => e is HttpRequestException { InnerException: AuthenticationException }
        || e.InnerException is AuthenticationException;

    public static string Describe(Exception e) => e switch
    {
        ServerRefusedException refused => refused.Message,
        HttpRequestException http when IsTrustFailure(http) => $"TLS handshake failed ({http.InnerException?.Message ?? http.Message})",
        HttpRequestException http => http.InnerException?.Message ?? http.Message,
        TaskCanceledException => "the request timed out",
        _ => e.Message,
    };
}
