namespace Failsafe.ControlPlane.Hosting;

/// <summary>The server cannot start because of something the operator can fix; the message says what, in one line.</summary>
public sealed class ServerStartupException : Exception
{
    public ServerStartupException(string message)
        : base(message)
    {
    }

    public ServerStartupException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ServerStartupException()
    {
    }
}
