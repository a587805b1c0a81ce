using System.Collections.Concurrent;
using Failsafe.Artifacts;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// Knows which instance serves each service on this host and starts new ones. When the agent
/// stops, instances are detached, not stopped: a restart of the agent costs no downtime because
/// the next agent adopts a still-running instance of <c>current</c> (see <see cref="RecoverServiceAsync"/>).
/// </summary>
internal sealed class InstanceSupervisor(SupervisorOptions options, TimeProvider time, ILogger<InstanceSupervisor> logger)
{
    private readonly ConcurrentDictionary<string, ServiceInstance> _serving = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ServiceInstance> _canaries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ServiceInstance, byte> _all = new();

    public SupervisorOptions Options => options;

    /// <summary>The instance serving a service (running or being restarted), if any.</summary>
    public ServiceInstance? Serving(string service) => _serving.TryGetValue(service, out var instance) ? instance : null;

    /// <summary>The canary instance running beside the serving one, if any.</summary>
    public ServiceInstance? Canary(string service) => _canaries.TryGetValue(service, out var instance) ? instance : null;

    /// <summary>Makes a healthy candidate the service's canary: supervised (restarted if it exits) but not current.</summary>
    public void SetCanary(ServiceInstance instance)
    {
        instance.Promote();
        _canaries[instance.Service] = instance;
    }

    /// <summary>Takes the canary out of its slot (it keeps running): the caller makes it serve or stops it.</summary>
    public ServiceInstance? TakeCanary(string service) => _canaries.TryRemove(service, out var instance) ? instance : null;

    /// <summary>Starts an instance of an installed release on a fresh port; it is not restarted if it exits until it is promoted.</summary>
    public ServiceInstance StartCandidate(ServicePaths service, InstalledRelease release, ReleaseVariables? variables = null) =>
        Track(ServiceInstance.Start(
            LaunchFor(service, release.Name, release.Manifest, FreePort.Find(), variables ?? ReleaseVariables.None), service, options, time, logger, autoRestart: false));

    /// <summary>Makes an instance the one serving its service; returns the instance it replaces (still running).</summary>
    public ServiceInstance? Promote(ServiceInstance instance)
    {
        instance.Promote();
        ServiceInstance? previous = null;
        _serving.AddOrUpdate(instance.Service, instance, (_, old) =>
        {
            previous = old;
            return instance;
        });
        return ReferenceEquals(previous, instance) ? null : previous;
    }

    public async Task StopAsync(ServiceInstance instance, TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        ((ICollection<KeyValuePair<string, ServiceInstance>>)_serving).Remove(new(instance.Service, instance));
        ((ICollection<KeyValuePair<string, ServiceInstance>>)_canaries).Remove(new(instance.Service, instance));
        await instance.StopAsync(drainTimeout, cancellationToken).ConfigureAwait(false);
        _all.TryRemove(instance, out _);
    }

    public IReadOnlyList<ServiceInstance> All() => [.. _all.Keys];

    /// <summary>
    /// After an agent start: instances recorded by a previous agent that still run are adopted
    /// (the one of <c>current</c>) or stopped (any other: a candidate that never got switched to,
    /// or an old instance that was still draining). Then <c>current</c> is started if nothing serves it.
    /// </summary>
    public async Task RecoverServiceAsync(ServicePaths service, CancellationToken cancellationToken)
    {
        var current = CurrentLink.Read(service);
        ReleaseManifest? manifest = null;
        // The values current last ran with: the instance is (re)started with them after an agent restart.
        var variables = current is null ? ReleaseVariables.None : VariableStore.Read(service, current);
        if (current is not null)
        {
            try
            {
                manifest = ReleaseInstaller.ReadManifest(service, current);
            }
            catch (Exception e) when (e is ArtifactException or IOException)
            {
                Log.CurrentUnreadable(logger, service.Name, current, e.Message);
            }
        }

        ServiceInstance? serving = Serving(service.Name);
        foreach (var record in InstanceRecord.ReadAll(service))
        {
            if (_all.Keys.Any(i => i.Pid == record.Pid))
            {
                continue;
            }

            if (!ProcStat.IsSameProcessAlive(record.Pid, record.StartTimeTicks))
            {
                InstanceRecord.Delete(service, record.Release);
                continue;
            }

            if (options.AdoptRunningInstances && serving is null && manifest is not null && record.Release == current && record.Service == service.Name)
            {
                serving = Track(ServiceInstance.Adopt(LaunchFor(service, current, manifest, record.Port, variables), record, service, options, time, logger));
                _serving[service.Name] = serving;
                Log.InstanceAdopted(logger, service.Name, current, record.Pid, record.Port);
                continue;
            }

            Log.OrphanStopping(logger, service.Name, record.Release, record.Pid);
            await StopOrphanAsync(record, cancellationToken).ConfigureAwait(false);
            InstanceRecord.Delete(service, record.Release);
        }

        if (serving is null && current is not null && manifest is not null)
        {
            var instance = Track(ServiceInstance.Start(
                LaunchFor(service, current, manifest, FreePort.Find(), variables), service, options, time, logger, autoRestart: true));
            _serving[service.Name] = instance;
        }
    }

    /// <summary>Agent shutdown: stop watching, leave every instance running.</summary>
    public void DetachAll()
    {
        foreach (var instance in _all.Keys)
        {
            instance.Detach();
        }
    }

    /// <summary>Stops every instance recorded under a service, whoever started it (SIGTERM, SIGKILL after the timeout).</summary>
    public async Task<int> StopAllRecordedAsync(ServicePaths service, CancellationToken cancellationToken)
    {
        var stopped = 0;
        foreach (var record in InstanceRecord.ReadAll(service))
        {
            if (ProcStat.IsSameProcessAlive(record.Pid, record.StartTimeTicks))
            {
                await StopOrphanAsync(record, cancellationToken).ConfigureAwait(false);
                stopped++;
            }

            InstanceRecord.Delete(service, record.Release);
        }

        return stopped;
    }

    private async Task StopOrphanAsync(InstanceRecord record, CancellationToken cancellationToken)
    {
        using var process = new AdoptedInstanceProcess(record.Pid, record.StartTimeTicks, options.AdoptedPollInterval, time);
        PosixFile.KillGroup(record.Pid, PosixFile.SigTerm);
        using var timeout = new CancellationTokenSource(options.OrphanStopTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (ProcStat.IsSameProcessAlive(record.Pid, record.StartTimeTicks))
            {
                PosixFile.KillGroup(record.Pid, PosixFile.SigKill);
            }
        }

        PosixFile.Kill(-record.Pid, PosixFile.SigKill);
    }

    private ServiceInstance Track(ServiceInstance instance)
    {
        _all[instance] = 0;
        return instance;
    }

    private static InstanceLaunch LaunchFor(ServicePaths service, string release, ReleaseManifest manifest, int port, ReleaseVariables variables) => new(
        service.Name,
        manifest.Version,
        release,
        service.ReleaseDirectory(release),
        service.Shared,
        service.LogFile(release),
        variables.ReplaceIn(manifest.EntryCommand, "entry command"),
        port,
        variables);
}
