using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Failsafe.ControlPlane.Analysis;

internal static class PrometheusServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PrometheusMetricSource"/> as a singleton over the named client
    /// <see cref="PrometheusMetricSource.HttpClientName"/> (10 s timeout). Uses the registered
    /// <see cref="TimeProvider"/>, or the system clock when there is none.
    /// </summary>
    public static IServiceCollection AddPrometheusMetricSource(this IServiceCollection services)
    {
        services.AddHttpClient(PrometheusMetricSource.HttpClientName, client => client.Timeout = PrometheusMetricSource.Timeout)
            // The source lives as long as the server and keeps its client: the handler is never swapped, so the
            // pool recycles connections itself to follow DNS changes of the Prometheus host.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectTimeout = PrometheusMetricSource.Timeout,
                AllowAutoRedirect = false,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // Analysis queries every couple of seconds per rollout; the default per-request log lines would bury the server's own.
            .RemoveAllLoggers();
        services.TryAddSingleton(sp => new PrometheusMetricSource(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(PrometheusMetricSource.HttpClientName),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }
}
