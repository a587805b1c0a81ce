using Failsafe.Contracts;

namespace Failsafe.Cli;

/// <summary>Prints only what changed since the last look: one line per host state and per finished step.</summary>
internal sealed class PlainProgressPrinter(TextWriter output)
{
    private readonly Dictionary<string, string> _hostStates = [];
    private readonly Dictionary<string, int> _stepsSeen = [];
    private string? _state;
    private string? _progress;
    private string? _verdictOutcome;

    public void Print(DeploymentInfo deployment)
    {
        var ended = DeploymentStates.IsTerminal(deployment.State);
        if (_state != deployment.State && !ended)
        {
            PrintState(deployment);
        }

        if (DeploymentTable.Progress(deployment) is { } progress && progress != _progress)
        {
            _progress = progress;
            output.WriteLine($"  {progress}");
        }

        // A verdict line when the outcome changes (the numbers change every second; the outcome is the news).
        if (deployment.Rollout?.Verdict is { } verdict && verdict.Outcome != _verdictOutcome)
        {
            _verdictOutcome = verdict.Outcome;
            output.WriteLine($"  verdict {verdict.Outcome.ToUpperInvariant()}: {verdict.Sentence}");
        }

        foreach (var host in deployment.Hosts)
        {
            var stateChanged = _hostStates.GetValueOrDefault(host.Host) != host.State;
            var hostDone = host.State is not (HostStates.Pending or HostStates.InProgress or HostStates.RollingBack or HostStates.Canary);
            if (stateChanged && !hostDone)
            {
                PrintState(host);
            }

            var finished = host.Steps.Where(s => s.Status != StepStatus.Running).ToList();
            var seen = _stepsSeen.GetValueOrDefault(host.Host);
            foreach (var step in finished.Skip(seen))
            {
                var detail = step.Status == StepStatus.Failed && !string.IsNullOrWhiteSpace(step.Output) ? $": {LastLine(step.Output)}" : "";
                output.WriteLine($"  [{host.Host}] {step.Name} {step.Status} ({step.DurationMs} ms){detail}");
            }

            _stepsSeen[host.Host] = Math.Max(seen, finished.Count);
            if (stateChanged && hostDone)
            {
                PrintState(host);
            }
        }

        if (_state != deployment.State && ended)
        {
            PrintState(deployment);
        }
    }

    private void PrintState(DeploymentInfo deployment)
    {
        _state = deployment.State;
        output.WriteLine($"{deployment.Id} {deployment.Kind} {deployment.Service} {deployment.Version}: {deployment.State}");
    }

    private void PrintState(DeploymentHostInfo host)
    {
        _hostStates[host.Host] = host.State;
        var error = host.Error is null ? "" : $": {host.Error}";
        output.WriteLine($"  [{host.Host}] batch {host.Batch}: {host.State}{error}");
    }

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
