using System.Diagnostics;

namespace Failsafe.DataPlane;

/// <summary>
/// An instance started by this agent: <c>setsid /bin/sh -c "exec &lt;entry&gt;"</c>, so it leads its
/// own process group (signalling the group reaches its grandchildren) and outlives the agent.
/// Its output goes straight to the log file, not through a pipe the agent would have to keep open.
/// </summary>
internal sealed class ChildInstanceProcess : IInstanceProcess
{
    private readonly Process _process;

    private ChildInstanceProcess(Process process, long startTimeTicks)
    {
        _process = process;
        StartTimeTicks = startTimeTicks;
    }

    public int Pid => _process.Id;

    public long StartTimeTicks { get; }

    public static ChildInstanceProcess Start(InstanceLaunch launch)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(launch.LogFile)!);
        var info = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = launch.ReleaseDirectory,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec >>\"$FAILSAFE_LOG_FILE\" 2>&1 </dev/null\nexec " + launch.EntryCommand);
        var environment = info.Environment;
        ChildEnvironment.RemoveAgentVariables(environment);
        launch.Variables.ApplyTo(environment);
        environment["PORT"] = launch.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["FAILSAFE_SERVICE"] = launch.Service;
        environment["FAILSAFE_VERSION"] = launch.Version;
        environment["FAILSAFE_RELEASE"] = launch.Release;
        environment["FAILSAFE_RELEASE_DIR"] = launch.ReleaseDirectory;
        environment["FAILSAFE_SHARED_DIR"] = launch.SharedDirectory;
        environment["SHARED_DIR"] = launch.SharedDirectory;
        environment["FAILSAFE_LOG_FILE"] = launch.LogFile;

        var process = Process.Start(info) ?? throw new InvalidOperationException("setsid did not start.");
        // The start time can only be missing if the process is already gone; 0 never matches a live one.
        var startTime = ProcStat.StartTimeTicks(process.Id) ?? 0;
        return new ChildInstanceProcess(process, startTime);
    }

    public async Task<int?> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public void Dispose() => _process.Dispose();
}
