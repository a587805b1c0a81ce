using Failsafe.Artifacts;
using Failsafe.Contracts;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// Executes one <see cref="AgentTask"/>. Every kind converges: running a task again after the
/// agent died half-way finds what is already done (installed, current, serving) and goes on from there.
/// </summary>
internal sealed partial class TaskExecutor(
    HostPaths host,
    ReleaseInstaller installer,
    InstanceSupervisor supervisor,
    HookRunner hooks,
    HealthGate health,
    ServiceRouting routing,
    InventoryReader inventory,
    TimeProvider time,
    ILogger<TaskExecutor> logger)
{
    /// <param name="artifacts">Where an install task's artifact is downloaded from.</param>
    /// <param name="report">Called as each step starts and ends; it should not throw.</param>
    public async Task<TaskResult> ExecuteAsync(
        AgentTask task, IArtifactSource artifacts, Func<StepReport, Task> report, CancellationToken cancellationToken)
    {
        var masker = new SecretMasker();
        var steps = new StepRecorder(report, time, masker);
        string? before = null;
        ServicePaths? service = null;
        Log.TaskStarted(logger, task.Id, task.Kind, task.Service, task.Version ?? task.ReleaseId ?? "-");
        try
        {
            if (!ServiceName.IsValid(task.Service))
            {
                throw new TaskFailedException($"'{task.Service}' is not a valid service name.");
            }

            var variables = ReleaseVariables.From(task.Settings);
            masker.Add(variables.SecretValues);
            var context = new TaskContext(task, variables, masker);
            service = host.Service(task.Service);
            before = CurrentLink.Read(service);
            if (task.Settings.Traffic is { } traffic)
            {
                await routing.ConfigureAsync(service, traffic, cancellationToken).ConfigureAwait(false);
            }

            switch (task.Kind)
            {
                case TaskKinds.Canary:
                    await StartCanaryAsync(context, service, artifacts, steps, cancellationToken).ConfigureAwait(false);
                    break;
                case TaskKinds.Promote:
                    await PromoteCanaryAsync(context, service, steps, cancellationToken).ConfigureAwait(false);
                    break;
                case TaskKinds.StopCanary:
                    await StopCanaryAsync(service, task.Settings, steps, cancellationToken).ConfigureAwait(false);
                    break;
                case TaskKinds.Install:
                    await InstallAsync(context, service, artifacts, steps, cancellationToken).ConfigureAwait(false);
                    break;
                case TaskKinds.Activate:
                    await ActivateInstalledAsync(context, service, steps, cancellationToken).ConfigureAwait(false);
                    break;
                case TaskKinds.Deactivate:
                    await DeactivateAsync(task, service, steps, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new TaskFailedException($"This agent does not know task kind '{task.Kind}' (it knows {string.Join(", ", TaskKinds.All)}).");
            }

            var after = CurrentLink.Read(service);
            Log.TaskSucceeded(logger, task.Id, task.Kind, task.Service, after ?? "none");
            return new TaskResult(true, null, before, after, inventory.Read());
        }
        catch (Exception e) when (e is TaskFailedException or ArtifactException or IOException or UnauthorizedAccessException or AgentException
            || (e is not OperationCanceledException && masker.Apply(e.ToString()) != e.ToString()))
        {
            // Any other exception is a bug and goes up with its stack trace, unless that would carry a secret.
            var reason = masker.Apply(e.Message)!;
            Log.TaskFailed(logger, task.Id, task.Kind, task.Service, reason);
            return new TaskResult(false, reason, before, service is null ? null : CurrentLink.Read(service), inventory.Read());
        }
    }

    private async Task InstallAsync(
        TaskContext context, ServicePaths service, IArtifactSource artifacts, StepRecorder steps, CancellationToken cancellationToken)
    {
        var task = context.Task;
        var (release, variables) = await EnsureInstalledAsync(context, service, artifacts, steps, cancellationToken).ConfigureAwait(false);
        if (await AlreadyServingAsync(service, release, task.Settings, cancellationToken).ConfigureAwait(false) is { } serving)
        {
            await steps.SkipAsync(StepNames.PreActivate, $"{release.Name} is already current and serving").ConfigureAwait(false);
            await ConvergedAsync(service, release, task.Settings, serving, steps, cancellationToken).ConfigureAwait(false);
            return;
        }

        await RunPreActivateHookAsync(service, release, task.Settings, variables, steps, cancellationToken).ConfigureAwait(false);
        await ActivateAsync(service, release, task.Settings, variables, steps, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// download → verify → extract (and render), or nothing but a check when the artifact is already installed with
    /// the same rendering. Returns the release and the variables it runs with.
    /// </summary>
    private async Task<(InstalledRelease Release, ReleaseVariables Variables)> EnsureInstalledAsync(
        TaskContext context, ServicePaths service, IArtifactSource artifacts, StepRecorder steps, CancellationToken cancellationToken)
    {
        var task = context.Task;
        if (task.Artifact is not { } artifact || !ReleaseNames.IsSha256(artifact.Sha256))
        {
            throw new TaskFailedException("The install task names no artifact (SHA-256 and size).");
        }

        var release = await installer.FindInstalledAsync(service, artifact.Sha256, cancellationToken).ConfigureAwait(false);
        var variables = context.Variables;
        if (release is not null)
        {
            variables = context.VariablesFor(service, release.Name);
            if (!CheckRendering(context, service, release, variables))
            {
                // Not in use (CheckRendering refuses that): install it afresh, rendered with these values.
                Log.ReleaseRerendered(logger, service.Name, release.Name);
                ReleaseDirectories.MoveAsideAndDelete(service, release.Name);
                VariableStore.Delete(service, release.Name);
                release = null;
            }
        }

        if (release is not null)
        {
            await steps.SkipAsync(StepNames.Download, $"already installed as {release.Name}").ConfigureAwait(false);
            await steps.RunAsync(StepNames.Verify, () => Task.FromResult<string?>($"{release.Manifest.Files.Count} entries of {release.Name} match its manifest"), cancellationToken).ConfigureAwait(false);
            await steps.SkipAsync(StepNames.Extract, $"already installed as {release.Name}").ConfigureAwait(false);
        }
        else
        {
            var staged = await steps.RunAsync(StepNames.Download, async () =>
            {
                var result = await DownloadRetry.RunAsync(
                    async () =>
                    {
                        await using var source = await artifacts.OpenAsync(artifact, cancellationToken).ConfigureAwait(false);
                        return await installer.DownloadAsync(service, source, artifact.Sha256, artifact.Size, cancellationToken).ConfigureAwait(false);
                    },
                    time,
                    logger,
                    cancellationToken).ConfigureAwait(false);
                return (result, (string?)$"{result.Size} bytes");
            }, cancellationToken).ConfigureAwait(false);

            await steps.RunAsync(StepNames.Verify, () =>
            {
                ReleaseInstaller.Verify(staged, artifact.Sha256, artifact.Size);
                return Task.FromResult<string?>($"sha256 {staged.Sha256}, {staged.Size} bytes");
            }, cancellationToken).ConfigureAwait(false);

            var patterns = ReleaseRenderer.Normalize(task.Settings.Substitute);
            release = await steps.RunAsync(StepNames.Extract, async () =>
            {
                var installed = await installer.ExtractAsync(
                    service, staged, task.Version, cancellationToken, new ReleaseRenderer.Request(patterns, variables)).ConfigureAwait(false);
                var rendered = ReleaseInstaller.ReadRendering(service, installed.Name)?.Files.Count ?? 0;
                return (installed, (string?)$"{installed.Manifest.Files.Count} entries verified into releases/{installed.Name}"
                    + (rendered > 0 ? $", variables substituted into {rendered} file(s)" : string.Empty));
            }, cancellationToken).ConfigureAwait(false);
        }

        RequireSameValuesIfInUse(service, release, variables);
        VariableStore.Write(service, release.Name, variables);
        return (release, variables);
    }

    private async Task ActivateInstalledAsync(TaskContext context, ServicePaths service, StepRecorder steps, CancellationToken cancellationToken)
    {
        var task = context.Task;
        var (release, variables) = await VerifyInstalledAsync(context, service, steps, cancellationToken).ConfigureAwait(false);
        if (await AlreadyServingAsync(service, release, task.Settings, cancellationToken).ConfigureAwait(false) is { } serving)
        {
            await ConvergedAsync(service, release, task.Settings, serving, steps, cancellationToken).ConfigureAwait(false);
            return;
        }

        await ActivateAsync(service, release, task.Settings, variables, steps, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>verify of a release already installed: its files, and that it was rendered with the values it is to run with.</summary>
    private async Task<(InstalledRelease Release, ReleaseVariables Variables)> VerifyInstalledAsync(
        TaskContext context, ServicePaths service, StepRecorder steps, CancellationToken cancellationToken)
    {
        var name = ResolveInstalled(context.Task, service);
        var variables = context.VariablesFor(service, name);
        var release = await steps.RunAsync(StepNames.Verify, async () =>
        {
            var verified = await installer.LoadVerifiedAsync(service, name, cancellationToken).ConfigureAwait(false);
            if (!CheckRendering(context, service, verified, variables))
            {
                throw new TaskFailedException(
                    $"{service.Name} {verified.Manifest.Version} is installed on this host with other variable values in its files; install it again (a deployment with its artifact) to render them anew.");
            }

            RequireSameValuesIfInUse(service, verified, variables);
            return (verified, (string?)$"{verified.Manifest.Files.Count} entries of {verified.Name} match its manifest");
        }, cancellationToken).ConfigureAwait(false);
        VariableStore.Write(service, release.Name, variables);
        return (release, variables);
    }

    /// <summary>
    /// Whether an installed release's files were rendered with these variables. A release in use (current or the
    /// canary) cannot be rendered anew: that fails the task.
    /// </summary>
    private bool CheckRendering(TaskContext context, ServicePaths service, InstalledRelease release, ReleaseVariables variables)
    {
        if (context.Variables.IsEmpty && context.Task.Settings.Substitute is not { Count: > 0 })
        {
            // A task that brings neither values nor patterns (a rollback) runs the release as it was rendered.
            return true;
        }

        if (ReleaseRenderer.IsSameRendering(ReleaseInstaller.ReadRendering(service, release.Name), ReleaseRenderer.Normalize(context.Task.Settings.Substitute), variables))
        {
            return true;
        }

        RequireNotInUse(service, release);
        return false;
    }

    /// <summary>A release in use keeps the values it runs with: changing them means a new version, never a restart in place.</summary>
    private void RequireSameValuesIfInUse(ServicePaths service, InstalledRelease release, ReleaseVariables variables)
    {
        if (VariableStore.Read(service, release.Name).Fingerprint() != variables.Fingerprint())
        {
            RequireNotInUse(service, release);
        }
    }

    private void RequireNotInUse(ServicePaths service, InstalledRelease release)
    {
        if (CurrentLink.Read(service) == release.Name || supervisor.Canary(service.Name) is { HasExited: false } canary && canary.Release == release.Name)
        {
            throw new TaskFailedException(
                $"{service.Name} {release.Manifest.Version} runs on this host with other variable values; ship a new version to change them.");
        }
    }

    private string ResolveInstalled(AgentTask task, ServicePaths service)
    {
        var installed = Retention.InstalledNewestFirst(service);
        string? name;
        if (task.ReleaseId is { } id)
        {
            name = ReleaseNames.IsReleaseName(id) ? installed.FirstOrDefault(n => n == id)
                : ReleaseNames.IsReleaseId(id) ? installed.FirstOrDefault(n => ReleaseNames.IdFromName(n) == id)
                : throw new TaskFailedException($"'{id}' is neither a release name (<version>-<id>) nor a release id (12 hex characters).");
        }
        else if (task.Version is { } version)
        {
            name = installed.FirstOrDefault(n => ReleaseNames.VersionFromName(n) == version);
        }
        else
        {
            throw new TaskFailedException("The activate task names neither a release nor a version.");
        }

        return name ?? throw new TaskFailedException(
            $"Release {task.ReleaseId ?? task.Version} of {service.Name} is not installed on this host (installed: {(installed.Count == 0 ? "none" : string.Join(", ", installed))}).");
    }

    /// <summary>Healthy when the release is already current and its instance answers its health check: nothing to switch.</summary>
    private async Task<(ServiceInstance Instance, HealthResult Health)?> AlreadyServingAsync(
        ServicePaths service, InstalledRelease release, ActivationSettings settings, CancellationToken cancellationToken)
    {
        if (CurrentLink.Read(service) != release.Name
            || supervisor.Serving(service.Name) is not { State: InstanceStates.Running } serving
            || serving.Release != release.Name)
        {
            return null;
        }

        // A short look: a serving instance that is healthy answers at once.
        var timeout = TimeSpan.FromSeconds(Math.Min(5, HealthTimeout(release, settings).TotalSeconds));
        var result = await health.WaitHealthyAsync(serving, release.Manifest.HealthCheck.Path, timeout, cancellationToken).ConfigureAwait(false);
        if (!result.Healthy)
        {
            Log.ServingUnhealthy(logger, service.Name, release.Name, result.Message);
            return null;
        }

        return (serving, result);
    }

    private async Task ConvergedAsync(
        ServicePaths service, InstalledRelease release, ActivationSettings settings, (ServiceInstance Instance, HealthResult Health) serving, StepRecorder steps, CancellationToken cancellationToken)
    {
        await steps.SkipAsync(StepNames.Start, $"{release.Name} is already current and serving on port {serving.Instance.Port}").ConfigureAwait(false);
        await steps.RunAsync(StepNames.Health, () => Task.FromResult<string?>(serving.Health.Message), cancellationToken).ConfigureAwait(false);
        await steps.SkipAsync(StepNames.Switch, $"current is already {release.Name}").ConfigureAwait(false);
        await steps.SkipAsync(StepNames.StopOld, "no other instance").ConfigureAwait(false);
        await ApplyRetentionAsync(service, settings, steps).ConfigureAwait(false);
    }

    private async Task RunPreActivateHookAsync(
        ServicePaths service, InstalledRelease release, ActivationSettings settings, ReleaseVariables variables, StepRecorder steps, CancellationToken cancellationToken)
    {
        var hook = release.Manifest.Hooks.FirstOrDefault(h => h.Name == HookNames.PreActivate);
        if (hook is null)
        {
            await steps.SkipAsync(StepNames.PreActivate, "the release has no pre-activate hook").ConfigureAwait(false);
            return;
        }

        await steps.RunAsync(StepNames.PreActivate, async () =>
        {
            // The release may ask for less time than the server allows, never for more.
            var timeout = TimeSpan.FromSeconds(Math.Max(1, Math.Min(hook.TimeoutSeconds > 0 ? hook.TimeoutSeconds : settings.HookTimeoutSeconds, settings.HookTimeoutSeconds)));
            var context = new HookContext(service.Name, release.Manifest.Version, release.Directory, service.Shared, variables);
            var command = variables.ReplaceIn(hook.Command, $"{hook.Name} hook");
            Directory.CreateDirectory(service.Shared);
            var result = await hooks.RunAsync(hook.Name, command, context, timeout, cancellationToken).ConfigureAwait(false);
            return result.Succeeded
                ? result.Output
                : throw new StepFailedException(result.Describe(hook.Name, timeout), $"{result.Describe(hook.Name, timeout)}\n{result.Output}");
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>start → health → switch → stop-old → retention. If the new instance does not become healthy, current is left as it was.</summary>
    private async Task ActivateAsync(
        ServicePaths service, InstalledRelease release, ActivationSettings settings, ReleaseVariables variables, StepRecorder steps, CancellationToken cancellationToken)
    {
        var drain = TimeSpan.FromSeconds(Math.Max(0, settings.DrainTimeoutSeconds));
        var stoppedSameRelease = false;
        if (supervisor.Serving(service.Name) is { } sameRelease && sameRelease.Release == release.Name)
        {
            // Its instance record would clash with the new one's; it is not healthy anyway (or we would not be here).
            await supervisor.StopAsync(sameRelease, drain, cancellationToken).ConfigureAwait(false);
            stoppedSameRelease = true;
        }

        var previousServing = supervisor.Serving(service.Name);
        ServiceInstance? candidate = null;
        var switched = false;
        try
        {
            candidate = await StartHealthyAsync(service, release, settings, variables, steps, cancellationToken).ConfigureAwait(false);
            var current = CurrentLink.Read(service);
            await steps.RunAsync(StepNames.Switch, () =>
            {
                if (current == release.Name)
                {
                    switched = true;
                    supervisor.Promote(candidate);
                    return Task.FromResult<string?>($"current is already {release.Name}");
                }

                SwitchCurrent(service, current, release.Name);
                switched = true;
                // Promoted together with the switch, so that a cancellation after this point cannot leave it unsupervised.
                supervisor.Promote(candidate);
                return Task.FromResult<string?>($"current -> releases/{release.Name} (was {current ?? "none"})");
            }, cancellationToken).ConfigureAwait(false);
            switched = true;
            // The proxy hands new requests to the new instance; those in flight finish on the old one (stop-old drains them).
            await routing.RefreshAsync(service.Name, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (!switched)
            {
                if (candidate is not null)
                {
                    await supervisor.StopAsync(candidate, TimeSpan.FromSeconds(Math.Min(5, drain.TotalSeconds)), CancellationToken.None).ConfigureAwait(false);
                }

                if (stoppedSameRelease)
                {
                    // Current was stopped to make way: bring it back as it was rather than leave nothing running.
                    await supervisor.RecoverServiceAsync(service, CancellationToken.None).ConfigureAwait(false);
                    await routing.RefreshAsync(service.Name, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        // From the switch on the new instance serves (it was promoted with the switch); the old one drains.
        var old = previousServing;
        if (old is null)
        {
            await steps.SkipAsync(StepNames.StopOld, "no instance was serving").ConfigureAwait(false);
        }
        else
        {
            await StopDrainedAsync(service, old, drain, StepNames.StopOld, steps, cancellationToken).ConfigureAwait(false);
        }

        await ApplyRetentionAsync(service, settings, steps).ConfigureAwait(false);
    }

    private async Task DeactivateAsync(AgentTask task, ServicePaths service, StepRecorder steps, CancellationToken cancellationToken)
    {
        await steps.RunAsync(StepNames.Switch, () =>
        {
            var current = CurrentLink.Read(service);
            if (current is null)
            {
                return Task.FromResult<string?>("no current release");
            }

            PreviousRelease.Write(service, current);
            CurrentLink.Remove(service);
            return Task.FromResult<string?>($"current removed (was {current})");
        }, cancellationToken).ConfigureAwait(false);

        if (supervisor.Serving(service.Name) is { } serving)
        {
            await StopDrainedAsync(service, serving, TimeSpan.FromSeconds(Math.Max(0, task.Settings.DrainTimeoutSeconds)), StepNames.StopOld, steps, cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            await steps.SkipAsync(StepNames.StopOld, "no instance was running").ConfigureAwait(false);
        }

        await routing.RefreshAsync(service.Name, cancellationToken).ConfigureAwait(false);
    }

    private async Task ApplyRetentionAsync(ServicePaths service, ActivationSettings settings, StepRecorder steps)
    {
        await steps.RunAsync(StepNames.Retention, () =>
        {
            var inUse = supervisor.All().Where(i => i.Service == service.Name).Select(i => i.Release).ToHashSet(StringComparer.Ordinal);
            var removed = Retention.Apply(service, settings.KeepReleases, inUse);
            return Task.FromResult<string?>(removed.Count == 0
                ? $"kept all (limit {settings.KeepReleases})"
                : $"removed {string.Join(", ", removed)}");
        }, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Remembers what was current as the previous release, then points current at <paramref name="release"/> (rename(2)).</summary>
    private static void SwitchCurrent(ServicePaths service, string? current, string release)
    {
        if (current is not null && current != release)
        {
            PreviousRelease.Write(service, current);
        }

        CurrentLink.Switch(service, release);
    }

    private static TimeSpan HealthTimeout(InstalledRelease release, ActivationSettings settings) =>
        TimeSpan.FromSeconds(Math.Max(1, settings.HealthTimeoutSeconds > 0 ? settings.HealthTimeoutSeconds : release.Manifest.HealthCheck.TimeoutSeconds));
}
