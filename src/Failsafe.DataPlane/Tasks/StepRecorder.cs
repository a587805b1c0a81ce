using Failsafe.Artifacts;
using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>
/// Times each step of a task and reports it as running, then succeeded, failed or skipped. Every output and reason
/// goes through the task's <see cref="SecretMasker"/> first: this is where step output leaves the agent.
/// </summary>
internal sealed class StepRecorder(Func<StepReport, Task> report, TimeProvider time, SecretMasker masker)
{
    private readonly List<StepReport> _steps = [];

    public IReadOnlyList<StepReport> Steps => _steps;

    /// <summary>Runs a step whose body returns its output. Any failure becomes a <see cref="TaskFailedException"/> carrying the reason.</summary>
    public async Task<T> RunAsync<T>(string name, Func<Task<(T Value, string? Output)>> body, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var timestamp = time.GetTimestamp();
        await report(new StepReport(name, StepStatus.Running, startedAt, 0, null)).ConfigureAwait(false);
        try
        {
            var (value, output) = await body().ConfigureAwait(false);
            await Record(new StepReport(name, StepStatus.Succeeded, startedAt, Elapsed(timestamp), output)).ConfigureAwait(false);
            return value;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (StepFailedException e)
        {
            await Record(new StepReport(name, StepStatus.Failed, startedAt, Elapsed(timestamp), e.Output ?? e.Message)).ConfigureAwait(false);
            throw new TaskFailedException(masker.Apply(e.Message)!);
        }
        catch (Exception e) when (e is ArtifactException or TaskFailedException or IOException or UnauthorizedAccessException
            or HttpRequestException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            var reason = masker.Apply(e is HttpRequestException ? $"{name} failed: {e.Message}" : e.Message)!;
            await Record(new StepReport(name, StepStatus.Failed, startedAt, Elapsed(timestamp), reason)).ConfigureAwait(false);
            throw new TaskFailedException(reason);
        }
    }

    public Task RunAsync(string name, Func<Task<string?>> body, CancellationToken cancellationToken) =>
        RunAsync<bool>(name, async () => (true, await body().ConfigureAwait(false)), cancellationToken);

    public Task SkipAsync(string name, string reason) =>
        Record(new StepReport(name, StepStatus.Skipped, time.GetUtcNow(), 0, reason));

    private async Task Record(StepReport step)
    {
        step = step with { Output = masker.Apply(step.Output) };
        _steps.Add(step);
        await report(step).ConfigureAwait(false);
    }

    private long Elapsed(long timestamp) => (long)time.GetElapsedTime(timestamp).TotalMilliseconds;
}
