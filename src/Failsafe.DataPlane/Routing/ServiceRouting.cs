using System.Collections.Concurrent;
using System.Text.Json;
using Failsafe.Contracts;
using Failsafe.DataPlane.Traffic;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// Keeps the proxy's routes in line with what runs on the host and what the server wants: the serving
/// instance is stable, the canary instance (if any) takes the share the server's route names for its
/// release, and nothing else. Tasks and polls both change routes; they take turns.
/// </summary>
internal sealed partial class ServiceRouting(
    TrafficProxy proxy, ProxyMetrics metrics, InstanceSupervisor supervisor, HostPaths host, ILogger<ServiceRouting> logger) : ITrafficRoutes
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly ConcurrentDictionary<string, TrafficSettings> _settings = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<TrafficRoute> _wanted = [];

    /// <summary>The canary routes last received from the server, reported back with every poll.</summary>
    public IReadOnlyList<TrafficRoute> Wanted => _wanted;

    public bool Fronts(string service) => _settings.ContainsKey(service);

    public static Backend BackendOf(ServiceInstance instance) => new(instance.Version, instance.Release, instance.Port);

    /// <summary>A task brought the service's traffic settings: keep them (on disk too) and route by them.</summary>
    public async Task ConfigureAsync(ServicePaths service, TrafficSettings settings, CancellationToken cancellationToken)
    {
        if (!_settings.TryGetValue(service.Name, out var known) || !SameSettings(known, settings))
        {
            DurableFile.WriteAllText(service.TrafficFile, JsonSerializer.Serialize(settings, FailsafeJson.Options));
            _settings[service.Name] = settings;
            metrics.SetApdex(service.Name, settings.ApdexMilliseconds);
        }

        await RefreshAsync(service.Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After recovery: services that were behind the proxy are again, before the server is reached.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        foreach (var service in host.ExistingServices())
        {
            if (!File.Exists(service.TrafficFile))
            {
                continue;
            }

            try
            {
                var settings = JsonSerializer.Deserialize<TrafficSettings>(File.ReadAllText(service.TrafficFile), FailsafeJson.Options);
                if (settings is not null)
                {
                    _settings[service.Name] = settings;
                    metrics.SetApdex(service.Name, settings.ApdexMilliseconds);
                    await RefreshAsync(service.Name, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is JsonException or IOException or AgentException)
            {
                Log.RestoreFailed(logger, service.Name, e.Message);
            }
        }
    }

    /// <summary>The server's canary routes from a poll: applied at once (a weight of 0 must not wait for a task).</summary>
    public async Task ApplyWantedAsync(IReadOnlyList<TrafficRoute> routes, CancellationToken cancellationToken)
    {
        _wanted = routes;
        foreach (var service in _settings.Keys)
        {
            try
            {
                await RefreshAsync(service, cancellationToken).ConfigureAwait(false);
            }
            catch (AgentException e)
            {
                Log.RestoreFailed(logger, service, e.Message);
            }
        }
    }

    /// <summary>Points the proxy at what runs now. Returns the route applied, or null if the service is not behind the proxy.</summary>
    public async Task<ServiceRoute?> RefreshAsync(string service, CancellationToken cancellationToken)
    {
        if (!_settings.TryGetValue(service, out var settings))
        {
            return null;
        }

        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stable = supervisor.Serving(service);
            var canary = supervisor.Canary(service);
            var weight = canary is null ? 0 : _wanted.FirstOrDefault(r => r.Service == service && r.CanaryRelease == canary.Release)?.CanaryWeight ?? 0;
            var route = new ServiceRoute(
                service, stable is null ? null : BackendOf(stable), canary is null ? null : BackendOf(canary), Math.Clamp(weight, 0, 100), settings);
            var before = proxy.RouteOf(service);
            await proxy.ApplyAsync(route, cancellationToken).ConfigureAwait(false);
            if (before is null || before.CanaryWeight != route.CanaryWeight || before.Stable != route.Stable || before.Canary != route.Canary)
            {
                Log.RouteApplied(logger, service, route.Stable?.Release ?? "none", route.Canary?.Release ?? "none", route.CanaryWeight, settings.PublicPort);
            }

            return route;
        }
        finally
        {
            _turn.Release();
        }
    }

    public Task<bool> DrainAsync(Backend backend, TimeSpan timeout, CancellationToken cancellationToken) =>
        proxy.DrainAsync(backend, timeout, cancellationToken);

    private static bool SameSettings(TrafficSettings a, TrafficSettings b) =>
        JsonSerializer.Serialize(a, FailsafeJson.Options) == JsonSerializer.Serialize(b, FailsafeJson.Options);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Service}: port {Port} -> stable {Stable}, canary {Canary} at {Weight}%")]
        public static partial void RouteApplied(ILogger logger, string service, string stable, string canary, int weight, int port);

        [LoggerMessage(2, LogLevel.Warning, "{Service}: the traffic proxy could not be set up: {Error}")]
        public static partial void RestoreFailed(ILogger logger, string service, string error);
    }
}
