using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Failsafe.Contracts;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// Long-polls the server for tasks and runs them one at a time while polling goes on (each poll
/// lists the tasks the agent holds, so the server does not hand them out again). A result is posted until the server takes it; a task the server
/// sends again after it was completed is answered with the same result, not run again.
/// Connection trouble never touches the instances: they keep serving.
/// </summary>
internal sealed class AgentLoop(
    IAgentServer server,
    Func<AgentTask, Func<StepReport, Task>, CancellationToken, Task<TaskResult>> execute,
    Func<HostInventory> inventory,
    AgentLoopOptions options,
    TimeProvider time,
    ILogger logger,
    ITrafficRoutes? routes = null)
{
    private readonly Channel<AgentTask> _queue = Channel.CreateUnbounded<AgentTask>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, byte> _pending = new();
    private readonly ConcurrentDictionary<long, TaskResult> _completed = new();
    private readonly ConcurrentQueue<long> _completedOrder = new();

    /// <summary>How many tasks this loop has executed (a redelivered, already completed task does not count).</summary>
    public int Executed { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var worker = Task.Run(() => WorkAsync(stop.Token), CancellationToken.None);
        var polling = PollAsync(stop.Token);
        try
        {
            if (await Task.WhenAny(worker, polling).ConfigureAwait(false) == worker && !cancellationToken.IsCancellationRequested)
            {
                // The only worker is gone. Polling on would tell the server its tasks are running while nothing
                // runs them; better to stop, so the service manager starts a fresh agent (instances keep serving).
                var reason = worker.Exception?.GetBaseException().Message ?? "it ended";
                throw new AgentException($"The agent's task worker stopped ({reason}); exiting so that a fresh agent takes over.");
            }

            await polling.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            _queue.Writer.TryComplete();
            await worker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await polling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var backoff = new Backoff(options.RetryInitial, options.RetryMax, Random.Shared);
        while (!cancellationToken.IsCancellationRequested)
        {
            PollResponse response;
            try
            {
                // Queued, running, or done but not yet acknowledged: the server must not hand these out again.
                var request = new PollRequest(inventory(), [.. _pending.Keys.Order()], routes?.Wanted);
                response = await server.PollAsync(request, options.PollWaitSeconds, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Whatever went wrong, the loop must outlive it: the host keeps serving and polling resumes.
                if (backoff.Failures == 0)
                {
                    Log.ServerUnreachable(logger, ServerErrors.Describe(e));
                }

                await Task.Delay(backoff.Next(), time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (backoff.Failures > 0)
            {
                Log.ServerReachable(logger, backoff.Failures);
                backoff.Reset();
            }

            if (routes is not null && response.Routes is { } wanted)
            {
                await ApplyRoutesAsync(routes, wanted, cancellationToken).ConfigureAwait(false);
            }

            foreach (var task in response.Tasks)
            {
                // Already queued or running: the server only repeated itself.
                if (_pending.TryAdd(task.Id, 0))
                {
                    _queue.Writer.TryWrite(task);
                }
            }
        }
    }

    private async Task ApplyRoutesAsync(ITrafficRoutes routes, IReadOnlyList<TrafficRoute> wanted, CancellationToken cancellationToken)
    {
        try
        {
            await routes.ApplyWantedAsync(wanted, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.RoutesNotApplied(logger, e.Message);
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        await foreach (var task in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!_completed.TryGetValue(task.Id, out var result))
            {
                result = await ExecuteAsync(task, cancellationToken).ConfigureAwait(false);

                Executed++;
                Remember(task.Id, result);
            }
            else
            {
                Log.TaskRedelivered(logger, task.Id);
            }

            await CompleteAsync(task.Id, result, cancellationToken).ConfigureAwait(false);
            _pending.TryRemove(task.Id, out _);
        }
    }

    private async Task<TaskResult> ExecuteAsync(AgentTask task, CancellationToken cancellationToken)
    {
        try
        {
            return await execute(task, step => PostStepAsync(task.Id, step, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.TaskCrashed(logger, task.Id, e);
            return new TaskResult(false, $"The agent failed unexpectedly: {e.Message}", null, null, inventory());
        }
    }

    /// <summary>Steps are progress, not state: one that cannot be posted is dropped, the task goes on.</summary>
    private async Task PostStepAsync(long taskId, StepReport step, CancellationToken cancellationToken)
    {
        try
        {
            await server.PostStepAsync(taskId, step, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            Log.StepNotPosted(logger, taskId, step.Name, ServerErrors.Describe(e));
        }
    }

    /// <summary>The result is the record of what happened on the host: it is posted until the server has it.</summary>
    private async Task CompleteAsync(long taskId, TaskResult result, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(options.RetryInitial, options.RetryMax, Random.Shared);
        while (true)
        {
            try
            {
                await server.CompleteAsync(taskId, result, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ServerRefusedException e) when (e.IsPermanent)
            {
                Log.CompletionRefused(logger, taskId, e.Message);
                return;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                if (backoff.Failures == 0)
                {
                    Log.CompletionRetrying(logger, taskId, ServerErrors.Describe(e));
                }

                await Task.Delay(backoff.Next(), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Remember(long taskId, TaskResult result)
    {
        _completed[taskId] = result;
        _completedOrder.Enqueue(taskId);
        while (_completedOrder.Count > options.RememberCompleted && _completedOrder.TryDequeue(out var oldest))
        {
            _completed.TryRemove(oldest, out _);
        }
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        HttpRequestException or ServerRefusedException or JsonException or IOException => true,
        _ => false,
    };
}
