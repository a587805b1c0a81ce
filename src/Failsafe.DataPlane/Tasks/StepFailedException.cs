namespace Failsafe.DataPlane;

/// <summary>A step failed for a reason (the message) and has more to show than the reason (the output, e.g. a hook's).</summary>
internal sealed class StepFailedException(string message, string? output = null) : Exception(message)
{
    public string? Output { get; } = output;
}
