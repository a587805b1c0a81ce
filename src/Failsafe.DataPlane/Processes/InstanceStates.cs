namespace Failsafe.DataPlane;

/// <summary>Values of <see cref="Failsafe.Contracts.InstanceState.State"/>.</summary>
internal static class InstanceStates
{
    /// <summary>Started, not yet promoted to serve (health gate pending); not restarted if it exits.</summary>
    public const string Starting = "starting";
    public const string Running = "running";
    /// <summary>Crashed; waiting out the backoff before the next start.</summary>
    public const string Restarting = "restarting";
    /// <summary>Exited before it was promoted; nothing runs.</summary>
    public const string Exited = "exited";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
    /// <summary>The agent is shutting down and left the process running for the next agent to adopt.</summary>
    public const string Detached = "detached";
}
