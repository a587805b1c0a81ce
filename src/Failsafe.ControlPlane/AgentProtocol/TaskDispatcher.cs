using Failsafe.Contracts;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Secrets;
using Failsafe.ControlPlane.Storage;
using Microsoft.Extensions.Logging;

namespace Failsafe.ControlPlane.AgentProtocol;

/// <summary>
/// Hands tasks to polling agents. A task goes out when it is pending, or when it was handed out
/// but the agent no longer says it is running it (the agent restarted): executing a task twice
/// has the effect of executing it once, losing it would stall the deployment.
/// </summary>
internal sealed partial class TaskDispatcher(IDatabase database, AgentSignals signals, TimeProvider time, SecretVault vault, ILogger<TaskDispatcher> logger)
{
    public const int MaxWaitSeconds = 30;
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);
    private readonly PendingWorkSweep _sweep = new(database, time);

    public async Task<PollResponse> PollAsync(string agentId, PollRequest request, int waitSeconds, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Clamp(waitSeconds, 0, MaxWaitSeconds));
        var running = (request.RunningTaskIds ?? []).ToHashSet();
        await database.WriteAsync(s => AgentsStore.ReportAsync(s, agentId, time.GetUtcNow(), request.Inventory), cancellationToken).ConfigureAwait(false);
        var applied = request.AppliedRoutes ?? [];
        var look = true;
        while (true)
        {
            var signalled = signals.WaitFor(agentId);
            var remaining = deadline - time.GetUtcNow();
            if (look || remaining <= TimeSpan.Zero)
            {
                // Both looks in one read transaction; most find nothing to take.
                var (open, routes) = await database.ReadAsync(
                    async s => (await TasksStore.OpenForAgentAsync(s, agentId).ConfigureAwait(false),
                                await DeploymentsStore.CanaryRoutesAsync(s, agentId).ConfigureAwait(false)),
                    cancellationToken).ConfigureAwait(false);
                var tasks = Due(open, running).Count > 0 ? await TakeAsync(agentId, running, cancellationToken).ConfigureAwait(false) : [];
                remaining = deadline - time.GetUtcNow();
                // A changed canary weight answers the poll at once: taking a failing canary out of traffic must not wait for a timeout.
                if (tasks.Count > 0 || remaining <= TimeSpan.Zero || !SameRoutes(routes, applied))
                {
                    return new PollResponse(tasks, routes);
                }
            }

            var pause = Task.Delay(remaining < RecheckInterval ? remaining : RecheckInterval, time, cancellationToken);
            var woken = await Task.WhenAny(signalled, pause).ConfigureAwait(false) == signalled;
            cancellationToken.ThrowIfCancellationRequested();

            // Woken: this server made work for the agent. Otherwise another replica may have; the sweep says whether to look.
            // A host running a canary looks every second: a weight going away leaves nothing for the sweep to find.
            look = woken || applied.Count > 0 || await _sweep.HasWorkAsync(agentId, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool SameRoutes(List<TrafficRoute> wanted, IReadOnlyList<TrafficRoute> applied) =>
        wanted.Count == applied.Count && wanted.All(applied.Contains);

    private static List<TaskRecord> Due(List<TaskRecord> open, HashSet<long> running) =>
        open.Where(t => t.State == TaskStates.Pending || !running.Contains(t.Id)).ToList();

    /// <summary>Takes the due tasks under the write lock, looking again: the read that found them took no lock.</summary>
    private Task<List<AgentTask>> TakeAsync(string agentId, HashSet<long> running, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async session =>
            {
                var due = Due(await TasksStore.OpenForAgentAsync(session, agentId).ConfigureAwait(false), running);
                var now = time.GetUtcNow();
                foreach (var task in due)
                {
                    await TasksStore.MarkDispatchedAsync(session, task.Id, now).ConfigureAwait(false);
                }

                var tasks = new List<AgentTask>(due.Count);
                foreach (var task in due)
                {
                    tasks.Add(await WithSecretsAsync(session, task.ToAgentTask()).ConfigureAwait(false));
                }

                return tasks;
            },
            cancellationToken);

    /// <summary>
    /// The database holds only the names of a task's secrets; their values are revealed here, into the answer to the
    /// agent's poll (mutual TLS), and named in Masked so the agent keeps them out of everything it reports. A secret
    /// deleted since the deployment was created, or one that no longer unseals (its key file lost), is left out: the agent
    /// then fails on the placeholder that needs it, and this agent's other tasks still go out.
    /// </summary>
    private async Task<AgentTask> WithSecretsAsync(DbSession session, AgentTask task)
    {
        var settings = task.Settings;
        if (settings.Secrets is not { Count: > 0 } secrets || settings.Environment is not { } environment)
        {
            return task;
        }

        var variables = new Dictionary<string, string>(settings.Variables ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (variable, secret) in secrets)
        {
            try
            {
                if (await vault.RevealAsync(session, environment, secret).ConfigureAwait(false) is { } value)
                {
                    variables[variable] = value;
                }
            }
            catch (SecretUnavailableException e)
            {
                Log.SecretUnavailable(logger, task.Id, e.Message);
            }
        }

        return task with { Settings = settings with { Variables = variables, Secrets = null, Masked = [.. secrets.Keys] } };
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Task {TaskId} goes out without a secret: {Reason}")]
        public static partial void SecretUnavailable(ILogger logger, long taskId, string reason);
    }
}
