namespace Failsafe.Security;

/// <summary>The server is not the one the client pinned: a one-line reason, safe to show as it is.</summary>
public sealed class ServerTrustException : Exception
{
    public ServerTrustException(string message)
        : base(message)
    {
    }

    public ServerTrustException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
