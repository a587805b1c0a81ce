using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>Runs an agent until it is cancelled (or SIGTERM/Ctrl-C): what the CLI's <c>agent</c> verb calls.</summary>
public static class AgentHost
{
    public static Task RunAsync(AgentOptions options, CancellationToken cancellationToken) =>
        RunAsync(options, configureLogging: null, cancellationToken);

    /// <summary>
    /// Builds a generic host with the agent and runs it. Instances keep running when the agent
    /// stops; the next start adopts them. Throws <see cref="AgentException"/> (one-line message)
    /// when the agent cannot run: invalid options, not enrolled, enrollment refused.
    /// </summary>
    public static async Task RunAsync(AgentOptions options, Action<ILoggingBuilder>? configureLogging, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new AgentOptionsValidator().Validate(null, options);
        if (failures.Failed)
        {
            throw new AgentException(string.Join(" ", failures.Failures));
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = true,
        });
        builder.Logging.AddAgentConsole();
        configureLogging?.Invoke(builder.Logging);
        builder.Services.AddFailsafeAgent(options);

        using var host = builder.Build();
        var worker = host.Services.GetRequiredService<AgentWorker>();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        if (worker.FatalError is { } fatal)
        {
            throw fatal;
        }
    }

    /// <summary>
    /// Stops every service instance recorded under an agent root (SIGTERM, then SIGKILL after 5 s),
    /// e.g. to clean up after a demo or a test whose agent was killed. Returns how many were running.
    /// Run it only while no agent runs on that root.
    /// </summary>
    public static async Task<int> StopInstancesAsync(string root, CancellationToken cancellationToken = default)
    {
        var host = new HostPaths(root);
        var supervisor = new InstanceSupervisor(new SupervisorOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<InstanceSupervisor>.Instance);
        var stopped = 0;
        foreach (var service in host.ExistingServices())
        {
            stopped += await supervisor.StopAllRecordedAsync(service, cancellationToken).ConfigureAwait(false);
        }

        return stopped;
    }
}
