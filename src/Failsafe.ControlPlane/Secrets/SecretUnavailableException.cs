namespace Failsafe.ControlPlane.Secrets;

/// <summary>A stored secret cannot be unsealed; the message names it and its key, never a value.</summary>
internal sealed class SecretUnavailableException : Exception
{
    public SecretUnavailableException(string message)
        : base(message)
    {
    }

    public SecretUnavailableException()
    {
    }

    public SecretUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
