using System.Collections.Concurrent;

namespace Failsafe.Demo;

/// <summary>
/// Steady GET traffic at a fixed rate to each host's public port, as users would send it. Counts answers
/// by the version that served them (the proxy's X-Failsafe-Version header) and every failed request.
/// </summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, VersionCount> _byVersion = new(StringComparer.Ordinal);
    private readonly List<Task> _loops = [];
    private long _failed;

    public LoadGenerator(IEnumerable<string> urls, int requestsPerSecondEach)
    {
        var interval = TimeSpan.FromSeconds(1.0 / requestsPerSecondEach);
        foreach (var url in urls)
        {
            _loops.Add(Task.Run(() => RunAsync(url, interval, _stop.Token)));
        }
    }

    /// <summary>Requests that got no HTTP answer at all (refused, reset, timed out).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public IReadOnlyDictionary<string, VersionCount> ByVersion => _byVersion;

    public long Total => _byVersion.Values.Sum(v => v.Requests) + Failed;

    private async Task RunAsync(string url, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        var inFlight = new List<Task>();
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(SendAsync(url, ct)); // open loop: a slow answer does not slow the arrival rate
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task SendAsync(string url, CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync(url, ct).ConfigureAwait(false);
            var version = response.Headers.TryGetValues("X-Failsafe-Version", out var values) ? values.First() : "?";
            var count = _byVersion.GetOrAdd(version, _ => new VersionCount());
            count.Add((int)response.StatusCode >= 500);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _http.Dispose();
    }

    internal sealed class VersionCount
    {
        private long _requests;
        private long _errors;

        public long Requests => Interlocked.Read(ref _requests);

        public long Errors => Interlocked.Read(ref _errors);

        public void Add(bool error)
        {
            Interlocked.Increment(ref _requests);
            if (error)
            {
                Interlocked.Increment(ref _errors);
            }
        }
    }
}
