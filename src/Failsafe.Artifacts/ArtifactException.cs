namespace Failsafe.Artifacts;

/// <summary>
/// A refused or unreadable artifact, source tree or release directory. The message is one line
/// meant for the user and names the entry, file or field at fault.
/// </summary>
public sealed class ArtifactException : Exception
{
    public ArtifactException(string message)
        : base(message)
    {
    }

    public ArtifactException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
