using System.Net;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// A download cut by the network or by a server restart is tried again (from the start, into a
/// fresh staging folder) for up to <see cref="Patience"/>: a passing outage of the control plane
/// must not fail a host, and with it the whole rollout. A refusal (4xx) or a bad artifact is final.
/// </summary>
internal static class DownloadRetry
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static async Task<T> RunAsync<T>(Func<Task<T>> attempt, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), Random.Shared);
        var giveUpAt = time.GetUtcNow() + Patience;
        while (true)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken) && time.GetUtcNow() < giveUpAt)
            {
                var delay = backoff.Next();
                Log.DownloadRetrying(logger, backoff.Failures, delay.TotalSeconds, ServerErrors.Describe(e));
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        ServerRefusedException refused => !ServerErrors.IsPermanent(refused.Status),
        HttpRequestException { StatusCode: { } status } => !ServerErrors.IsPermanent(status),
        HttpRequestException or TimeoutException => true,
        IOException when e.InnerException is HttpRequestException or System.Net.Sockets.SocketException or HttpIOException => true,
        HttpIOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
