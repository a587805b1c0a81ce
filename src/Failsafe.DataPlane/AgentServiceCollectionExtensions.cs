using Failsafe.DataPlane.Traffic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Failsafe.DataPlane;

public static class AgentServiceCollectionExtensions
{
    /// <summary>Registers the agent (data plane) as a hosted service of the host being built.</summary>
    public static IServiceCollection AddFailsafeAgent(this IServiceCollection services, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddOptions<AgentOptions>().Configure(options.CopyTo).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AgentOptions>>().Value);
        services.TryAddSingleton(sp => new HostPaths(sp.GetRequiredService<AgentOptions>().Root));
        services.TryAddSingleton(sp =>
        {
            var agent = sp.GetRequiredService<AgentOptions>();
            return new SupervisorOptions
            {
                RestartBackoffBase = agent.RestartBackoffBase,
                RestartBackoffMax = agent.RestartBackoffMax,
                AdoptRunningInstances = agent.AdoptRunningInstances,
            };
        });
        services.TryAddSingleton<InstanceSupervisor>();
        services.TryAddSingleton<ProxyMetrics>();
        services.TryAddSingleton(sp => new TrafficProxy(
            System.Net.IPAddress.Parse(sp.GetRequiredService<AgentOptions>().ProxyAddress),
            sp.GetRequiredService<ProxyMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<ServiceRouting>();
        services.TryAddSingleton<ReleaseInstaller>();
        services.TryAddSingleton<HookRunner>();
        services.TryAddSingleton<HealthGate>();
        services.TryAddSingleton(sp => new InventoryReader(
            sp.GetRequiredService<HostPaths>(), sp.GetRequiredService<InstanceSupervisor>(), [.. sp.GetRequiredService<AgentOptions>().Tags]));
        services.TryAddSingleton<TaskExecutor>();
        services.TryAddSingleton<Recovery>();
        services.TryAddSingleton<AgentIdentityStore>();
        services.TryAddSingleton<AgentEnrollment>();
        services.TryAddSingleton<AgentWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentWorker>());
        services.AddLogging();
        return services;
    }

    internal static ILoggingBuilder AddAgentConsole(this ILoggingBuilder logging) =>
        logging.ClearProviders().AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
            o.UseUtcTimestamp = true;
        }).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
}
