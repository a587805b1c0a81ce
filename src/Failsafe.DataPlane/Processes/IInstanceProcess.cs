namespace Failsafe.DataPlane;

/// <summary>The running process of an instance: a child this agent started, or one adopted from a previous agent.</summary>
internal interface IInstanceProcess : IDisposable
{
    int Pid { get; }

    long StartTimeTicks { get; }

    /// <summary>Completes when the process has exited, with its exit code when it is known.</summary>
    Task<int?> WaitForExitAsync(CancellationToken cancellationToken);
}
