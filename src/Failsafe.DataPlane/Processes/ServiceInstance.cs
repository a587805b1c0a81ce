using Failsafe.Contracts;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// One supervised instance of a release on its own port. Until it is promoted it is left dead if
/// it exits (the health gate wants to see that); once promoted it is restarted after every exit
/// with exponential backoff, keeping its port.
/// </summary>
internal sealed class ServiceInstance
{
    private readonly Lock _lock = new();
    private readonly InstanceLaunch _launch;
    private readonly ServicePaths _paths;
    private readonly SupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<int?> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IInstanceProcess? _process;
    private Task _monitor = Task.CompletedTask;
    private bool _autoRestart;
    private bool _stopping;
    private int _consecutiveRestarts;
    private DateTimeOffset _startedAt;

    private ServiceInstance(InstanceLaunch launch, ServicePaths paths, SupervisorOptions options, TimeProvider time, ILogger logger, bool autoRestart)
    {
        _launch = launch;
        _paths = paths;
        _options = options;
        _time = time;
        _logger = logger;
        _autoRestart = autoRestart;
        State = autoRestart ? InstanceStates.Running : InstanceStates.Starting;
    }

    public string Service => _launch.Service;

    public string Release => _launch.Release;

    public string Version => _launch.Version;

    public int Port => _launch.Port;

    public string LogFile => _launch.LogFile;

    public bool Adopted { get; private init; }

    public int? Pid
    {
        get
        {
            lock (_lock)
            {
                return _process?.Pid;
            }
        }
    }

    public string State { get; private set; }

    public int Restarts { get; private set; }

    public int? LastExitCode { get; private set; }

    /// <summary>Completes (with the exit code, when known) once the process is gone for good: it exited unpromoted, or was stopped.</summary>
    public Task<int?> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public InstanceState ToContract() => new(Release, Port, Pid, State, Restarts);

    public static ServiceInstance Start(
        InstanceLaunch launch, ServicePaths paths, SupervisorOptions options, TimeProvider time, ILogger logger, bool autoRestart)
    {
        var instance = new ServiceInstance(launch, paths, options, time, logger, autoRestart);
        lock (instance._lock)
        {
            instance.Launch();
            var process = instance._process!;
            instance._monitor = Task.Run(() => instance.MonitorAsync(process));
        }

        return instance;
    }

    public static ServiceInstance Adopt(
        InstanceLaunch launch, InstanceRecord record, ServicePaths paths, SupervisorOptions options, TimeProvider time, ILogger logger)
    {
        var instance = new ServiceInstance(launch, paths, options, time, logger, autoRestart: true) { Adopted = true };
        lock (instance._lock)
        {
            instance._process = new AdoptedInstanceProcess(record.Pid, record.StartTimeTicks, options.AdoptedPollInterval, time);
            instance._startedAt = record.StartedAt;
            var process = instance._process;
            instance._monitor = Task.Run(() => instance.MonitorAsync(process));
        }

        return instance;
    }

    /// <summary>The instance now serves: from here on it is restarted whenever it exits.</summary>
    public void Promote()
    {
        lock (_lock)
        {
            if (_stopping || _autoRestart)
            {
                return;
            }

            _autoRestart = true;
            if (State == InstanceStates.Exited)
            {
                // It died between its health check and its promotion: bring it back like any crash.
                _monitor = Task.Run(RestartAfterBackoffAsync);
            }
            else
            {
                State = InstanceStates.Running;
            }
        }
    }

    /// <summary>SIGTERM to the process group, SIGKILL after <paramref name="drainTimeout"/>; the instance record is removed.</summary>
    public async Task StopAsync(TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        IInstanceProcess? process;
        lock (_lock)
        {
            if (_stopping && State != InstanceStates.Detached)
            {
                process = null;
            }
            else
            {
                _stopping = true;
                State = InstanceStates.Stopping;
                process = _process;
            }
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _monitor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        if (process is not null)
        {
            await TerminateAsync(process, drainTimeout, cancellationToken).ConfigureAwait(false);
            process.Dispose();
        }

        lock (_lock)
        {
            _process = null;
            State = InstanceStates.Stopped;
        }

        InstanceRecord.Delete(_paths, Release);
        Log.InstanceStopped(_logger, Service, Release);
        _exited.TrySetResult(LastExitCode);
    }

    /// <summary>Stops supervising but leaves the process (and its record) for the next agent to adopt.</summary>
    public void Detach()
    {
        lock (_lock)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            State = InstanceStates.Detached;
        }

        _lifetime.Cancel();
    }

    private async Task TerminateAsync(IInstanceProcess process, TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        if (ProcStat.IsSameProcessAlive(process.Pid, process.StartTimeTicks))
        {
            PosixFile.KillGroup(process.Pid, PosixFile.SigTerm);
            if (!await WaitForExitAsync(process, drainTimeout, cancellationToken).ConfigureAwait(false))
            {
                Log.InstanceKilled(_logger, Service, Release, (int)drainTimeout.TotalSeconds);
                PosixFile.KillGroup(process.Pid, PosixFile.SigKill);
                await WaitForExitAsync(process, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            }
        }

        KillStragglers(process);
    }

    private async Task<bool> WaitForExitAsync(IInstanceProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        try
        {
            var code = await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            LastExitCode = code ?? LastExitCode;
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    // Whatever the service left behind in its process group (workers, shells) goes with it.
    private static void KillStragglers(IInstanceProcess process) => PosixFile.Kill(-process.Pid, PosixFile.SigKill);

    private async Task MonitorAsync(IInstanceProcess process)
    {
        var token = _lifetime.Token;
        int? code;
        try
        {
            code = await process.WaitForExitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        KillStragglers(process);
        lock (_lock)
        {
            if (_stopping)
            {
                return;
            }

            LastExitCode = code;
            _process = null;
            process.Dispose();
            if (!_autoRestart)
            {
                State = InstanceStates.Exited;
                InstanceRecord.Delete(_paths, Release);
                _exited.TrySetResult(code);
                Log.InstanceExitedBeforePromotion(_logger, Service, Release, code);
                return;
            }

            if (_time.GetUtcNow() - _startedAt >= _options.StableAfter)
            {
                _consecutiveRestarts = 0;
            }
        }

        Log.InstanceCrashed(_logger, Service, Release, code);
        await RestartAfterBackoffAsync().ConfigureAwait(false);
    }

    private async Task RestartAfterBackoffAsync()
    {
        var token = _lifetime.Token;
        while (true)
        {
            TimeSpan delay;
            lock (_lock)
            {
                _consecutiveRestarts++;
                State = InstanceStates.Restarting;
                delay = _options.BackoffFor(_consecutiveRestarts);
            }

            try
            {
                await Task.Delay(delay, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_lock)
            {
                if (_stopping)
                {
                    return;
                }

                Restarts++;
                try
                {
                    Launch();
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    Log.InstanceStartFailed(_logger, Service, Release, e.Message);
                    continue;
                }

                var process = _process!;
                State = InstanceStates.Running;
                Log.InstanceRestarted(_logger, Service, Release, Restarts, delay.TotalSeconds);
                // A fresh monitor owns the new process; this loop ends.
                _monitor = Task.Run(() => MonitorAsync(process));
                return;
            }
        }
    }

    // Called under _lock.
    private void Launch()
    {
        var process = ChildInstanceProcess.Start(_launch);
        var startedAt = _time.GetUtcNow();
        try
        {
            new InstanceRecord(Service, Release, process.Pid, Port, process.StartTimeTicks, startedAt).Write(_paths);
        }
        catch
        {
            // Without its record no later agent could find it: an instance nobody can find must not run.
            PosixFile.KillGroup(process.Pid, PosixFile.SigKill);
            process.Dispose();
            throw;
        }

        _process = process;
        _startedAt = startedAt;
        Log.InstanceStarted(_logger, Service, Release, process.Pid, Port);
    }
}
