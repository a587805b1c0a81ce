using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>The calls the agent loop makes to the server (the real one is <see cref="AgentClient"/>).</summary>
internal interface IAgentServer
{
    Task<PollResponse> PollAsync(PollRequest request, int waitSeconds, CancellationToken cancellationToken);

    Task PostStepAsync(long taskId, StepReport step, CancellationToken cancellationToken);

    Task CompleteAsync(long taskId, TaskResult result, CancellationToken cancellationToken);
}
