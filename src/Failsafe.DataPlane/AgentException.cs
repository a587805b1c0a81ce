namespace Failsafe.DataPlane;

/// <summary>The agent cannot start or go on; the message is one line for the user (never a secret).</summary>
public sealed class AgentException : Exception
{
    public AgentException(string message)
        : base(message)
    {
    }

    public AgentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
