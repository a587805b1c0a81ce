using System.Collections.Concurrent;
using Failsafe.Contracts;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

public sealed class AgentLoopTests(ITestOutputHelper output)
{
    private static readonly AgentLoopOptions FastRetry = new(PollWaitSeconds: 1)
    {
        RetryInitial = TimeSpan.FromMilliseconds(10),
        RetryMax = TimeSpan.FromMilliseconds(50),
    };

    private static AgentTask Task(long id) =>
        new(id, TaskKinds.Deactivate, "d-" + id, "web", null, null, null, new ActivationSettings());

    private static HostInventory Inventory() => new("1.0.0", []);

    private sealed class FakeServer : IAgentServer
    {
        public ConcurrentQueue<Func<IReadOnlyList<AgentTask>>> Script { get; } = new();

        public ConcurrentQueue<PollRequest> Polls { get; } = new();

        public ConcurrentQueue<(long Id, TaskResult Result)> Completions { get; } = new();

        public ConcurrentQueue<StepReport> Steps { get; } = new();

        public int FailPolls { get; set; }

        public int FailCompletions { get; set; }

        public int CompletionAttempts { get; private set; }

        public async Task<PollResponse> PollAsync(PollRequest request, int waitSeconds, CancellationToken cancellationToken)
        {
            Polls.Enqueue(request);
            if (FailPolls > 0)
            {
                FailPolls--;
                throw new HttpRequestException("connection refused");
            }

            if (Script.TryDequeue(out var next))
            {
                return new PollResponse(next());
            }

            await System.Threading.Tasks.Task.Delay(20, cancellationToken);
            return new PollResponse([]);
        }

        public Task PostStepAsync(long taskId, StepReport step, CancellationToken cancellationToken)
        {
            Steps.Enqueue(step);
            return System.Threading.Tasks.Task.CompletedTask;
        }

        public Task CompleteAsync(long taskId, TaskResult result, CancellationToken cancellationToken)
        {
            CompletionAttempts++;
            if (FailCompletions > 0)
            {
                FailCompletions--;
                throw new HttpRequestException("connection reset");
            }

            Completions.Enqueue((taskId, result));
            return System.Threading.Tasks.Task.CompletedTask;
        }
    }

    private async Task RunUntilAsync(FakeServer server, Func<AgentTask, Task<TaskResult>> execute, Func<bool> done, Action<AgentLoop>? inspect = null)
    {
        using var stop = new CancellationTokenSource();
        var loop = new AgentLoop(
            server,
            async (task, report, ct) =>
            {
                await report(new StepReport("switch", StepStatus.Succeeded, TimeProvider.System.GetUtcNow(), 1, null));
                return await execute(task);
            },
            Inventory,
            FastRetry,
            TimeProvider.System,
            new TestOutputLogger<AgentLoop>(output));
        var running = loop.RunAsync(stop.Token);
        var finished = await Eventually.TrueAsync(done, TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        inspect?.Invoke(loop);
        Assert.True(finished, "the loop did not get there");
    }

    private static Task<TaskResult> Succeed(AgentTask task) =>
        System.Threading.Tasks.Task.FromResult(new TaskResult(true, null, null, "1.0.0-aaaaaaaaaaaa", Inventory()));

    [Fact]
    public async Task RunAsync_TaskSentAgainAfterItCompleted_IsNotRunAgainButItsResultIsSentAgain()
    {
        var server = new FakeServer();
        server.Script.Enqueue(() => [Task(7)]);
        var executed = 0;

        await RunUntilAsync(
            server,
            task =>
            {
                executed++;
                // The server "lost" the result and hands the task out again on the next poll.
                server.Script.Enqueue(() => [Task(7)]);
                return Succeed(task);
            },
            () => server.Completions.Count >= 2);

        Assert.Equal(1, executed);
        Assert.All(server.Completions, c => Assert.Equal(7, c.Id));
        Assert.Equal(server.Completions.First().Result, server.Completions.Last().Result);
        Assert.Single(server.Steps);
    }

    [Fact]
    public async Task RunAsync_WorkerDies_StopsWithAnAgentErrorInsteadOfPollingOn()
    {
        var server = new FakeServer();
        server.Script.Enqueue(() => [Task(1)]);
        var inventoryCalls = 0;
        var loop = new AgentLoop(
            server,
            (_, _, _) => throw new InvalidOperationException("executor broke"),
            () => ++inventoryCalls > 1 ? throw new IOException("inventory unreadable") : Inventory(),
            FastRetry,
            TimeProvider.System,
            new TestOutputLogger<AgentLoop>(output));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<AgentException>(() => loop.RunAsync(timeout.Token));

        Assert.Contains("task worker stopped (inventory unreadable)", error.Message);
        Assert.False(timeout.IsCancellationRequested);
    }

    [Fact]
    public async Task RunAsync_CompletionFails_IsRetriedUntilTheServerTakesIt()
    {
        var server = new FakeServer { FailCompletions = 3 };
        server.Script.Enqueue(() => [Task(1)]);

        await RunUntilAsync(server, Succeed, () => !server.Completions.IsEmpty);

        Assert.Equal(4, server.CompletionAttempts);
        Assert.Equal(1, Assert.Single(server.Completions).Id);
    }

    [Fact]
    public async Task RunAsync_PollsFailing_KeepsRetryingThenRunsTheTask()
    {
        var server = new FakeServer { FailPolls = 4 };
        server.Script.Enqueue(() => [Task(1)]);

        await RunUntilAsync(server, Succeed, () => !server.Completions.IsEmpty);

        Assert.True(server.Polls.Count >= 5);
    }

    [Fact]
    public async Task RunAsync_WhileATaskRuns_PollsReportItAndARepeatOfItDoesNotRunItTwice()
    {
        var server = new FakeServer();
        server.Script.Enqueue(() => [Task(3)]);
        var executed = 0;

        await RunUntilAsync(
            server,
            async task =>
            {
                executed++;
                server.Script.Enqueue(() => [Task(3)]);
                server.Script.Enqueue(() => [Task(3)]);
                await Eventually.TrueAsync(() => server.Polls.Count(p => p.RunningTaskIds.Contains(3)) >= 2, TimeSpan.FromSeconds(5));
                return await Succeed(task);
            },
            () => !server.Completions.IsEmpty);

        Assert.Equal(1, executed);
        Assert.True(server.Polls.Count(p => p.RunningTaskIds.SequenceEqual([3L])) >= 2);
    }

    [Fact]
    public async Task RunAsync_ExecutorThrows_TaskFailsWithTheReasonAndTheLoopGoesOn()
    {
        var server = new FakeServer();
        server.Script.Enqueue(() => [Task(1), Task(2)]);

        await RunUntilAsync(
            server,
            task => task.Id == 1 ? throw new InvalidOperationException("boom") : Succeed(task),
            () => server.Completions.Count >= 2);

        var completions = server.Completions.ToDictionary(c => c.Id, c => c.Result);
        Assert.False(completions[1].Succeeded);
        Assert.Equal("The agent failed unexpectedly: boom", completions[1].Error);
        Assert.True(completions[2].Succeeded);
    }
}
