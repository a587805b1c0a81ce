namespace Failsafe.Cli;

/// <summary>A mistake the user can fix: printed as one line, never with a stack trace.</summary>
internal sealed class UserException(string message) : Exception(message);
