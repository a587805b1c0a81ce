using System.Net;
using System.Net.Sockets;

namespace Failsafe.DataPlane;

internal sealed record HealthResult(bool Healthy, string Message, TimeSpan Duration);

/// <summary>
/// Polls <c>GET http://127.0.0.1:&lt;port&gt;&lt;path&gt;</c> every 200 ms until it answers 2xx. Gives
/// up at the timeout, or at once when the process exits; the message says what was seen last.
/// </summary>
internal sealed class HealthGate(TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);
    private const string NothingSeen = "got no answer";

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        ConnectTimeout = RequestTimeout,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public Task<HealthResult> WaitHealthyAsync(ServiceInstance instance, string path, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitHealthyAsync(instance.Port, path, timeout, () => instance.HasExited ? new ExitInfo(instance.LastExitCode) : null, cancellationToken);

    public async Task<HealthResult> WaitHealthyAsync(
        int port, string path, TimeSpan timeout, Func<ExitInfo?> exited, CancellationToken cancellationToken)
    {
        path = path.StartsWith('/') ? path : "/" + path;
        var uri = new Uri($"http://127.0.0.1:{port}{path}");
        var started = time.GetTimestamp();
        var lastSeen = NothingSeen;
        while (true)
        {
            if (exited() is { } exit)
            {
                return Fail(started, exit.Code is { } code
                    ? $"the process exited with code {code} before it became healthy"
                    : "the process exited before it became healthy");
            }

            var elapsed = time.GetElapsedTime(started);
            if (elapsed >= timeout)
            {
                return Fail(started, $"health check GET {path} {lastSeen} for {timeout.TotalSeconds:0.#} s");
            }

            // An attempt the overall deadline cuts short has seen nothing: it does not replace what an earlier one saw.
            var budget = Min(RequestTimeout, timeout - elapsed);
            using (var requestTimeout = new CancellationTokenSource(budget, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(requestTimeout.Token, cancellationToken))
            {
                try
                {
                    using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        return new HealthResult(true, $"GET {path} answered {(int)response.StatusCode}", time.GetElapsedTime(started));
                    }

                    lastSeen = $"answered {(int)response.StatusCode}";
                }
                catch (HttpRequestException e)
                {
                    lastSeen = e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                        ? "got no answer (connection refused)"
                        : $"got no answer ({e.HttpRequestError})";
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    if (budget == RequestTimeout || lastSeen == NothingSeen)
                    {
                        lastSeen = "got no answer (timed out)";
                    }
                }
            }

            await Task.Delay(Interval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();

    private HealthResult Fail(long started, string message) => new(false, message, time.GetElapsedTime(started));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

internal sealed record ExitInfo(int? Code);
