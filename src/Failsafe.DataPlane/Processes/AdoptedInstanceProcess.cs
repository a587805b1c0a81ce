namespace Failsafe.DataPlane;

/// <summary>
/// An instance a previous agent started and left running. It is not our child, so its exit is
/// noticed by polling /proc (pid plus start time) and its exit code is unknown.
/// </summary>
internal sealed class AdoptedInstanceProcess(int pid, long startTimeTicks, TimeSpan pollInterval, TimeProvider time) : IInstanceProcess
{
    public int Pid { get; } = pid;

    public long StartTimeTicks { get; } = startTimeTicks;

    public async Task<int?> WaitForExitAsync(CancellationToken cancellationToken)
    {
        while (ProcStat.IsSameProcessAlive(Pid, StartTimeTicks))
        {
            await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    public void Dispose()
    {
    }
}
