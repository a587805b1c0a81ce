using Failsafe.Contracts;
using Failsafe.ControlPlane.Analysis;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>
/// Ticks over the deployments that are not finished and moves each one forward. It keeps nothing in
/// memory between ticks, so a server restarted at any moment carries on where the database says.
/// </summary>
internal sealed partial class Orchestrator(
    IDatabase database,
    DeploymentStateMachine machine,
    CanaryJudge judge,
    OrchestratorSignal signal,
    AgentSignals agents,
    ServerOptions options,
    ILogger<Orchestrator> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stoppingToken).ConfigureAwait(false);
                await signal.WaitAsync(options.OrchestratorInterval, options.Time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.TickFailed(logger, e);
                await Task.Delay(options.OrchestratorInterval, options.Time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        var active = await database.ReadAsync(DeploymentsStore.ListActiveIdsAsync, cancellationToken).ConfigureAwait(false);
        foreach (var id in active)
        {
            IReadOnlyList<string> woken;
            try
            {
                var verdict = await judge.EvaluateAsync(id, cancellationToken).ConfigureAwait(false);
                woken = await database.WriteAsync(s => machine.AdvanceAsync(s, id, verdict), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One deployment that cannot move (its transaction rolled back) must not hold up the others.
                Log.DeploymentStuck(logger, id, e);
                continue;
            }

            foreach (var agentId in woken.Distinct())
            {
                agents.Signal(agentId);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "The orchestrator's tick failed; it will try again")]
        public static partial void TickFailed(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Error, "Deployment {DeploymentId} could not be moved forward this tick; it will be tried again")]
        public static partial void DeploymentStuck(ILogger logger, long deploymentId, Exception exception);
    }
}
