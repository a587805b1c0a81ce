using System.Net;
using Failsafe.DataPlane.Traffic;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// The agent's life: recover what is on disk (services serve again before the server is even
/// reached), enroll or load the identity, then poll for tasks until stopped. Stopping leaves the
/// instances running for the next agent to adopt.
/// </summary>
internal sealed class AgentWorker(
    AgentOptions options,
    Recovery recovery,
    AgentEnrollment enrollment,
    AgentIdentityStore identities,
    InstanceSupervisor supervisor,
    TaskExecutor executor,
    ServiceRouting routing,
    ProxyMetrics metrics,
    InventoryReader inventory,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<AgentWorker> logger) : BackgroundService
{
    /// <summary>Why the agent gave up, when it did (enrollment refused, broken identity…).</summary>
    public AgentException? FatalError { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await recovery.RunAsync(stoppingToken).ConfigureAwait(false);
            await routing.RestoreAsync(stoppingToken).ConfigureAwait(false);
            await using var metricsEndpoint = options.MetricsAddress is { } address
                ? await MetricsEndpoint.StartAsync(IPEndPoint.Parse(address), metrics.Recorder.WritePrometheus, stoppingToken).ConfigureAwait(false)
                : null;
            var identity = await enrollment.EnsureEnrolledAsync(stoppingToken).ConfigureAwait(false);
            var server = ServerConnection.ParseServerUrl(options.ServerUrl ?? identity.ServerUrl);
            using var connection = ServerConnection.ForAgent(server, identity, identities);
            var client = new AgentClient(connection.Http, time);
            Log.AgentOnline(logger, identity.Name, identity.AgentId, server.ToString());

            var loop = new AgentLoop(
                client,
                (task, report, ct) => executor.ExecuteAsync(task, client, report, ct),
                inventory.Read,
                new AgentLoopOptions(options.PollWaitSeconds),
                time,
                logger,
                routing);
            using var stopReporting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var reporting = new MetricsReporter(metrics, time, logger).RunAsync(client.PostMetricsAsync, stopReporting.Token);
            try
            {
                await loop.RunAsync(stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                await stopReporting.CancelAsync().ConfigureAwait(false);
                await reporting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (AgentException e)
        {
            Stop(e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Stop(new AgentException($"The agent failed: {e.Message}", e));
        }
    }

    private void Stop(AgentException error)
    {
        FatalError = error;
        Log.AgentStopped(logger, error.Message);
        lifetime.StopApplication();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (options.StopInstancesOnExit)
        {
            foreach (var instance in supervisor.All())
            {
                await supervisor.StopAsync(instance, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }

            return;
        }

        supervisor.DetachAll();
        Log.InstancesLeftRunning(logger, supervisor.All().Count);
    }
}
