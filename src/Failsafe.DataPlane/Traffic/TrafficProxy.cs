using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// The agent's traffic proxy: one listener per service on its public port, forwarding to the service's
/// instances on private ports by the service's current route (stable, canary, weight). Routes change
/// atomically; a backend that left its route can be drained before its instance stops.
/// </summary>
internal sealed class TrafficProxy : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly IPAddress _bindAddress;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly HttpMessageInvoker _upstream;
    private readonly Forwarder _forwarder;
    private readonly ConcurrentDictionary<string, ServiceListener> _listeners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Backend, InFlightCounter> _inFlight = new();
    private readonly SemaphoreSlim _changes = new(1, 1);
    private bool _disposed;

    public TrafficProxy(IPAddress bindAddress, IRequestObserver observer, TimeProvider time, ILoggerFactory loggers)
    {
        _bindAddress = bindAddress;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Failsafe.DataPlane.Traffic");
        _upstream = UpstreamClient.Create();
        _forwarder = new Forwarder(_upstream, observer, time, _logger);
    }

    /// <summary>
    /// Starts the service's listener on first use (or moves it when the public port changed), then swaps
    /// the route in atomically: each request is served wholly by the old route or wholly by the new one.
    /// </summary>
    /// <exception cref="AgentException">The public port cannot be bound.</exception>
    public async Task ApplyAsync(ServiceRoute route, CancellationToken ct)
    {
        route.Validate();
        await _changes.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _listeners.TryGetValue(route.Service, out var current);
            if (current is not null && RouteTable.SameRouting(current.Table.Route, route))
            {
                // Re-applied unchanged (the agent applies what every poll says): nothing to do or log.
                return;
            }

            var table = RouteTable.Create(route, backend => _inFlight.GetOrAdd(backend, static _ => new InFlightCounter()));
            if (current is not null && current.Port == route.Settings.PublicPort)
            {
                current.Swap(table);
            }
            else
            {
                var started = await ServiceListener.StartAsync(_bindAddress, table, _forwarder, _loggers, ct);
                _listeners[route.Service] = started;
                Log.Listening(_logger, route.Service, $"{_bindAddress}:{started.Port}");
                if (current is not null)
                {
                    // Requests already on the old port finish there, under the new route.
                    current.Swap(table);
                    await StopListenerAsync(route.Service, current, ct);
                }
            }

            Log.RouteApplied(_logger, route.Service, route.Stable?.Release ?? "none", route.Canary?.Release ?? "none", route.CanaryWeight);
            ForgetIdleBackends();
        }
        finally
        {
            _changes.Release();
        }
    }

    public ServiceRoute? RouteOf(string service) => _listeners.TryGetValue(service, out var listener) ? listener.Table.Route : null;

    /// <summary>Stops listening for the service, letting requests in flight finish (up to a grace period).</summary>
    public async Task RemoveAsync(string service, CancellationToken ct)
    {
        await _changes.WaitAsync(ct);
        try
        {
            if (_listeners.TryRemove(service, out var listener))
            {
                await StopListenerAsync(service, listener, ct);
            }

            ForgetIdleBackends();
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Waits until no request to <paramref name="backend"/> is in flight.</summary>
    /// <returns>True when none is; false when some still were after <paramref name="timeout"/>.</returns>
    public async Task<bool> DrainAsync(Backend backend, TimeSpan timeout, CancellationToken ct)
    {
        if (!_inFlight.TryGetValue(backend, out var counter))
        {
            return true;
        }

        var started = _time.GetTimestamp();
        while (counter.Count > 0)
        {
            var remaining = timeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                Log.DrainTimedOut(_logger, backend.Release, backend.Port, counter.Count);
                return false;
            }

            try
            {
                await counter.WhenIdleAsync().WaitAsync(remaining, _time, ct);
            }
            catch (TimeoutException)
            {
                // Looked at again by the loop.
            }
        }

        return true;
    }

    public int InFlight(Backend backend) => _inFlight.TryGetValue(backend, out var counter) ? counter.Count : 0;

    public async ValueTask DisposeAsync()
    {
        await _changes.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var (service, listener) in _listeners)
            {
                await StopListenerAsync(service, listener, CancellationToken.None);
            }

            _listeners.Clear();
            _upstream.Dispose();
        }
        finally
        {
            _changes.Release();
        }
    }

    private async Task StopListenerAsync(string service, ServiceListener listener, CancellationToken ct)
    {
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(ct);
        grace.CancelAfter(StopGrace);
        await listener.StopAsync(grace.Token);
        Log.StoppedListening(_logger, service, listener.Port);
    }

    // Counters of backends no route names any more and with nothing in flight: a later drain of one
    // finds none and answers at once, which is right since nothing can reach it.
    private void ForgetIdleBackends()
    {
        foreach (var (backend, counter) in _inFlight)
        {
            if (counter.Count == 0 && !IsRouted(backend))
            {
                _inFlight.TryRemove(new KeyValuePair<Backend, InFlightCounter>(backend, counter));
            }
        }
    }

    private bool IsRouted(Backend backend)
    {
        foreach (var listener in _listeners.Values)
        {
            if (listener.Table.Routes(backend))
            {
                return true;
            }
        }

        return false;
    }
}
