using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// Sends GET requests to a new instance on 127.0.0.1 before it takes traffic, so that its first users do
/// not pay for JIT, caches and connection pools.
/// </summary>
internal static class WarmUp
{
    // Enough to exercise concurrent paths in the instance without flooding a cold process.
    private const int Concurrency = 4;

    private static readonly HttpMessageInvoker Client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ActivityHeadersPropagator = null,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5),
    });

    /// <param name="paths">Paths requested in turn ("/" when empty).</param>
    /// <param name="requests">Requests in all.</param>
    /// <param name="timeout">For the whole warm-up; requests not done by then count as failed.</param>
    public static async Task<WarmUpResult> RunAsync(int port, IReadOnlyList<string> paths, int requests, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        var targets = paths.Count == 0 ? ["/"] : paths;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);

        var next = -1;
        var sent = 0;
        var succeeded = 0;
        var slowestTicks = 0L;
        string? firstError = null;

        async Task WorkerAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests && !deadline.IsCancellationRequested)
            {
                var path = targets[index % targets.Count];
                var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}{(path.StartsWith('/') ? "" : "/")}{path}"));
                Interlocked.Increment(ref sent);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                    using var response = await Client.SendAsync(request, deadline.Token);
                    await response.Content.CopyToAsync(Stream.Null, deadline.Token);
                    var status = (int)response.StatusCode;
                    if (status is >= 200 and < 400)
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                    else
                    {
                        Interlocked.CompareExchange(ref firstError, $"GET {path}: {status}", null);
                    }
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    Interlocked.CompareExchange(ref firstError, $"GET {path}: no answer within {timeout.TotalSeconds:0.#} s", null);
                }
                catch (HttpRequestException e)
                {
                    Interlocked.CompareExchange(ref firstError, $"GET {path}: {e.Message}", null);
                }

                var elapsed = Stopwatch.GetTimestamp() - started;
                long seen;
                while (elapsed > (seen = Volatile.Read(ref slowestTicks)) && Interlocked.CompareExchange(ref slowestTicks, elapsed, seen) != seen)
                {
                }
            }
        }

        var workers = new Task[Math.Clamp(requests, 1, Concurrency)];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = WorkerAsync();
        }

        await Task.WhenAll(workers);
        ct.ThrowIfCancellationRequested();
        return new WarmUpResult(sent, succeeded, Stopwatch.GetElapsedTime(0, slowestTicks), firstError);
    }
}
