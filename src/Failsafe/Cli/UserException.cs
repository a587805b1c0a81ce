namespace Failsafe.Cli;

/// <summary>A mistake the user can fix, or a condition they must know of: printed as one line, never with a stack trace.</summary>
internal class UserException(string message) : Exception(message);

/// <summary>The server could not be reached or stopped answering: worth trying again while something is being followed.</summary>
internal sealed class ServerUnreachableException(string message) : UserException(message);
