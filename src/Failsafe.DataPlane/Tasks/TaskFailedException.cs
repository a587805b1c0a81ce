namespace Failsafe.DataPlane;

/// <summary>A task cannot go on; the message is the reason the server and the user see.</summary>
internal sealed class TaskFailedException(string message) : Exception(message);
