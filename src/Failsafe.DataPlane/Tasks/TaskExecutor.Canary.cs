using Failsafe.Contracts;
using Failsafe.DataPlane.Traffic;

namespace Failsafe.DataPlane;

/// <summary>
/// The canary task kinds: a release runs beside current and takes the share of traffic the server routes
/// to it; promoting it is a switch without a restart; stopping it leaves current exactly as it was.
/// </summary>
internal sealed partial class TaskExecutor
{
    /// <summary>download → verify → extract → pre-activate → start → health → warm-up → canary (no switch).</summary>
    private async Task StartCanaryAsync(
        TaskContext context, ServicePaths service, IArtifactSource artifacts, StepRecorder steps, CancellationToken cancellationToken)
    {
        var task = context.Task;
        RequireProxy(task, service);
        var (release, variables) = await EnsureInstalledAsync(context, service, artifacts, steps, cancellationToken).ConfigureAwait(false);
        if (supervisor.Canary(service.Name) is { } running)
        {
            if (running.Release == release.Name && !running.HasExited)
            {
                await steps.SkipAsync(StepNames.PreActivate, $"{release.Name} already runs as the canary").ConfigureAwait(false);
                await steps.SkipAsync(StepNames.Start, $"already running on port {running.Port}").ConfigureAwait(false);
                await routing.RefreshAsync(service.Name, cancellationToken).ConfigureAwait(false);
                return;
            }

            await StopCanaryAsync(service, task.Settings, steps, cancellationToken).ConfigureAwait(false);
        }

        await RunPreActivateHookAsync(service, release, task.Settings, variables, steps, cancellationToken).ConfigureAwait(false);
        var candidate = await StartHealthyAsync(service, release, task.Settings, variables, steps, cancellationToken).ConfigureAwait(false);
        await steps.RunAsync(StepNames.Route, async () =>
        {
            supervisor.SetCanary(candidate);
            var route = await routing.RefreshAsync(service.Name, cancellationToken).ConfigureAwait(false);
            return $"canary {release.Name} on port {candidate.Port} beside {route?.Stable?.Release ?? "nothing"}, taking {route?.CanaryWeight ?? 0}% until the server says more";
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>switch → the canary becomes stable in the proxy → drain and stop the old instance → retention.</summary>
    private async Task PromoteCanaryAsync(TaskContext context, ServicePaths service, StepRecorder steps, CancellationToken cancellationToken)
    {
        var task = context.Task;
        var (release, variables) = await VerifyInstalledAsync(context, service, steps, cancellationToken).ConfigureAwait(false);

        if (supervisor.Canary(service.Name) is not { } canary || canary.Release != release.Name || canary.HasExited)
        {
            // The canary is gone (the agent restarted, or it was stopped): promoting it is an ordinary activation.
            await steps.SkipAsync(StepNames.Route, $"no running canary of {release.Name}; activating it the ordinary way").ConfigureAwait(false);
            if (await AlreadyServingAsync(service, release, task.Settings, cancellationToken).ConfigureAwait(false) is { } serving)
            {
                await ConvergedAsync(service, release, task.Settings, serving, steps, cancellationToken).ConfigureAwait(false);
                return;
            }

            await ActivateAsync(service, release, task.Settings, variables, steps, cancellationToken).ConfigureAwait(false);
            return;
        }

        var old = supervisor.Serving(service.Name);
        await steps.RunAsync(StepNames.Switch, () =>
        {
            var current = CurrentLink.Read(service);
            SwitchCurrent(service, current, release.Name);
            supervisor.TakeCanary(service.Name);
            supervisor.Promote(canary);
            return Task.FromResult<string?>($"current -> releases/{release.Name} (was {current ?? "none"}); the canary serves everything");
        }, cancellationToken).ConfigureAwait(false);
        await routing.RefreshAsync(service.Name, CancellationToken.None).ConfigureAwait(false);

        var drain = TimeSpan.FromSeconds(Math.Max(0, task.Settings.DrainTimeoutSeconds));
        if (old is null || ReferenceEquals(old, canary))
        {
            await steps.SkipAsync(StepNames.StopOld, "no instance was serving").ConfigureAwait(false);
        }
        else
        {
            await StopDrainedAsync(service, old, drain, StepNames.StopOld, steps, cancellationToken).ConfigureAwait(false);
        }

        await ApplyRetentionAsync(service, task.Settings, steps).ConfigureAwait(false);
    }

    /// <summary>The canary leaves the proxy's routes, its requests in flight finish, then it stops. Current is not touched.</summary>
    private async Task StopCanaryAsync(ServicePaths service, ActivationSettings settings, StepRecorder steps, CancellationToken cancellationToken)
    {
        if (supervisor.TakeCanary(service.Name) is not { } canary)
        {
            await routing.RefreshAsync(service.Name, cancellationToken).ConfigureAwait(false);
            await steps.SkipAsync(StepNames.StopCanary, "no canary was running").ConfigureAwait(false);
            return;
        }

        await routing.RefreshAsync(service.Name, CancellationToken.None).ConfigureAwait(false);
        await StopDrainedAsync(service, canary, TimeSpan.FromSeconds(Math.Max(0, settings.DrainTimeoutSeconds)), StepNames.StopCanary, steps, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>start → health → warm-up of a new instance that takes no traffic yet; it is stopped again if any of these fail.</summary>
    private async Task<ServiceInstance> StartHealthyAsync(
        ServicePaths service, InstalledRelease release, ActivationSettings settings, ReleaseVariables variables, StepRecorder steps, CancellationToken cancellationToken)
    {
        var candidate = await steps.RunAsync(StepNames.Start, () =>
        {
            var started = supervisor.StartCandidate(service, release, variables);
            return Task.FromResult((started, (string?)$"pid {started.Pid} on port {started.Port}, log {started.LogFile}"));
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            await steps.RunAsync(StepNames.Health, async () =>
            {
                var result = await health.WaitHealthyAsync(candidate, release.Manifest.HealthCheck.Path, HealthTimeout(release, settings), cancellationToken).ConfigureAwait(false);
                return result.Healthy
                    ? result.Message
                    : throw new StepFailedException(result.Message, $"{result.Message}\n--- last lines of {candidate.LogFile} ---\n{LogTail.Read(candidate.LogFile)}");
            }, cancellationToken).ConfigureAwait(false);
            await WarmUpAsync(service, release, candidate, settings, steps, cancellationToken).ConfigureAwait(false);
            return candidate;
        }
        catch
        {
            await supervisor.StopAsync(candidate, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The policy's warm-up requests, so the first user request does not pay for JIT and cold caches.</summary>
    private async Task WarmUpAsync(
        ServicePaths service, InstalledRelease release, ServiceInstance candidate, ActivationSettings settings, StepRecorder steps, CancellationToken cancellationToken)
    {
        if (settings.Traffic is not { WarmUpRequests: > 0 } traffic || !routing.Fronts(service.Name))
        {
            await steps.SkipAsync(StepNames.WarmUp, "no warm-up requests asked for").ConfigureAwait(false);
            return;
        }

        await steps.RunAsync(StepNames.WarmUp, async () =>
        {
            var paths = traffic.WarmUpPaths is { Count: > 0 } given ? given : [release.Manifest.HealthCheck.Path];
            var result = await WarmUp.RunAsync(candidate.Port, paths, traffic.WarmUpRequests, HealthTimeout(release, settings), cancellationToken).ConfigureAwait(false);
            var said = $"{result.Succeeded} of {result.Requests} warm-up requests answered, slowest {result.Slowest.TotalMilliseconds:0} ms";
            return result.FirstError is { } error ? $"{said}; first error: {error}" : said;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>With the instance already out of the proxy's routes: wait for its requests in flight, then stop it.</summary>
    private async Task StopDrainedAsync(
        ServicePaths service, ServiceInstance instance, TimeSpan drain, string step, StepRecorder steps, CancellationToken cancellationToken)
    {
        await steps.RunAsync(step, async () =>
        {
            var drained = !routing.Fronts(service.Name)
                || await routing.DrainAsync(ServiceRouting.BackendOf(instance), drain, cancellationToken).ConfigureAwait(false);
            await supervisor.StopAsync(instance, drain, cancellationToken).ConfigureAwait(false);
            return $"stopped {instance.Release} (port {instance.Port})"
                + (routing.Fronts(service.Name) ? drained ? " after its requests in flight finished" : $"; requests still in flight after {drain.TotalSeconds:0}s were cut" : string.Empty);
        }, cancellationToken).ConfigureAwait(false);
    }

    private void RequireProxy(AgentTask task, ServicePaths service)
    {
        if (task.Settings.Traffic is null || !routing.Fronts(service.Name))
        {
            throw new TaskFailedException($"A canary of {service.Name} needs the traffic proxy: the task carries no traffic settings (public port).");
        }
    }
}
