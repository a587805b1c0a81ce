namespace Failsafe.DataPlane;

internal sealed record AgentLoopOptions(int PollWaitSeconds = 25)
{
    public TimeSpan RetryInitial { get; init; } = TimeSpan.FromSeconds(0.5);

    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many results of completed tasks are remembered, to answer a redelivered task without running it again.</summary>
    public int RememberCompleted { get; init; } = 256;
}
